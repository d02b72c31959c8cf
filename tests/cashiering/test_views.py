"""The counter through the web, as a clerk uses it."""

import io
import uuid

import openpyxl
import pytest
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import CashierSession, CheckRestriction, Receipt
from revenue import services
from revenue.models import ApprovalRequest, Charge
from tests.conftest import D
from tests.pdf import pdf_text


@pytest.fixture
def at_counter(client, clerk, open_session):
    client.force_login(clerk)
    return client


def _find(client, q):
    return client.post(reverse("cashiering:basket"), {"action": "find", "q": q}, follow=True)


def _pay(client, lines, **tenders):
    """Post the pay form as the counter page shows it (with its basket's signature)."""
    signature = client.get(reverse("cashiering:counter")).context["basket"].signature
    data = {
        "token": str(uuid.uuid4()),
        "basket": signature,
        **{f"pay-{i}": v for i, v in enumerate(lines)},
        **tenders,
    }
    return client.post(reverse("cashiering:pay"), data, follow=True)


def test_without_an_open_drawer_the_counter_asks_to_open_one(client, clerk, counter):
    client.force_login(clerk)
    response = client.get(reverse("cashiering:counter"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cashiering:session_open")
    response = client.post(
        reverse("cashiering:session_open"), {"drawer": counter["D1"].pk, "count_b20": "5", "count_c25": "-1"}
    )
    assert "Counts are 0 or more" in response.content.decode()
    client.post(
        reverse("cashiering:session_open"), {"drawer": counter["D1"].pk, "count_b20": "5", "count_c25": "40"}
    )
    assert CashierSession.objects.get(clerk=clerk).opening_float == D("110.00")


def test_a_scanned_number_goes_into_the_basket_and_pays(at_counter, party, make_charge, accounts):
    a, b = make_charge(party, "120.00", "Business license tax"), make_charge(party, "35.50", "Notary")
    assert "Added" in _find(at_counter, a.source_number).content.decode()
    _find(at_counter, b.source_number.lower())
    page = at_counter.get(reverse("cashiering:counter"))
    assert [ln["number"] for ln, _f, _i in page.context["pay_rows"]] == [a.source_number, b.source_number]
    assert page.context["due"] == D("155.50")
    response = _pay(
        at_counter,
        ["120.00", "35.50"],
        cash="60.00",
        check_amount="100.00",
        check_number="1042",
        check_name="Rosa Alvarez",
    )
    receipt = Receipt.objects.get()
    assert response.redirect_chain[-1][0].startswith(receipt.get_absolute_url())
    body = response.content.decode()
    assert f"Receipt {receipt.number} posted: $155.50. Change due $4.50." in body
    assert at_counter.get(reverse("cashiering:counter")).context["pay_rows"] == []  # basket cleared


def test_a_name_search_offers_the_customers_open_charges(at_counter, party, make_charge):
    charge = make_charge(party, "10.00")
    response = _find(at_counter, "alvarez")
    ((found, charges),) = response.context["candidates"]
    assert found == party and charges == [charge]
    at_counter.post(reverse("cashiering:basket"), {"action": "add_charge", "charge": charge.pk})
    assert at_counter.get(reverse("cashiering:counter")).context["payer"] == party


def test_a_counter_fee_for_a_walk_in(at_counter, fees, walk_in):
    at_counter.post(
        reverse("cashiering:basket"),
        {"action": "add_fee", "fee_type": fees["COPY"].pk, "quantity": "8", "amount": ""},
    )
    page = at_counter.get(reverse("cashiering:counter"))
    assert page.context["payer"] == walk_in and page.context["due"] == D("2.00")
    _pay(at_counter, ["2.00"], cash="5.00")
    receipt = Receipt.objects.get()
    assert receipt.change_given == D("3.00") and receipt.lines.get().assessed_here


def test_a_fee_amount_cannot_be_changed_at_the_counter(at_counter, fees, walk_in):
    at_counter.post(
        reverse("cashiering:basket"), {"action": "add_fee", "fee_type": fees["NOTARY"].pk, "quantity": "1"}
    )
    response = _pay(at_counter, ["1.00"], cash="1.00")
    assert "is 15.00 by the fee schedule" in response.content.decode()
    assert Receipt.objects.count() == 0


@pytest.mark.parametrize(
    ("tenders", "message"),
    [
        ({"cash": "19.99"}, "short 0.01"),
        ({"cash": "1.005"}, "at most two decimal places"),
        ({"cash": "-20"}, "more than zero"),
        ({"card_amount": "20", "card_last4": "4111111111111111", "card_auth": "A"}, "Only the last 4 digits"),
    ],
)
def test_bad_tenders_are_refused_on_the_form(at_counter, party, make_charge, tenders, message):
    charge = make_charge(party, "20.00")
    _find(at_counter, charge.source_number)
    response = _pay(at_counter, ["20.00"], **tenders)
    assert message in response.content.decode()
    assert "4111111111111111" not in response.content.decode()  # a typed card number is not shown back
    assert Receipt.objects.count() == 0
    charge.refresh_from_db()
    assert charge.amount_paid == D("0.00")


def test_a_check_from_a_barred_party_is_refused_on_the_form(at_counter, party, make_charge, admin_user):
    CheckRestriction.objects.create(
        party=party, until=services.city_today(), reason="returned check", created_by=admin_user
    )
    _find(at_counter, make_charge(party, "20.00").source_number)
    response = _pay(at_counter, ["20.00"], check_amount="20.00", check_number="5", check_name="R A")
    assert "No checks are accepted from Alvarez, Rosa" in response.content.decode()


def test_the_pay_form_posted_twice_makes_one_receipt(at_counter, party, make_charge):
    _find(at_counter, make_charge(party, "20.00").source_number)
    signature = at_counter.get(reverse("cashiering:counter")).context["basket"].signature
    data = {"token": str(uuid.uuid4()), "basket": signature, "pay-0": "20.00", "cash": "20.00"}
    at_counter.post(reverse("cashiering:pay"), data)
    _find(at_counter, make_charge(party, "20.00").source_number)  # the next customer's basket
    second = at_counter.post(reverse("cashiering:pay"), data, follow=True)
    assert Receipt.objects.count() == 1
    assert "already submitted" in second.content.decode()


def test_receipt_pdfs_hold_the_number_and_amounts_and_reprints_say_duplicate(at_counter, party, make_charge):
    _find(at_counter, make_charge(party, "42.50").source_number)
    _pay(at_counter, ["42.50"], cash="50.00")
    receipt = Receipt.objects.get()
    first = at_counter.post(
        reverse("cashiering:receipt_print", args=[receipt.number]), {"layout": "roll"}, follow=True
    )
    text = pdf_text(first.content)
    assert receipt.number in text and "$42.50" in text and "$7.50" in text and "DUPLICATE" not in text
    second = at_counter.post(
        reverse("cashiering:receipt_print", args=[receipt.number]), {"layout": "letter"}, follow=True
    )
    assert "DUPLICATE (copy 1)" in pdf_text(second.content)
    receipt.refresh_from_db()
    assert receipt.prints == 2
    # fetching a PDF without going through a counted print is always marked DUPLICATE
    bare = at_counter.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "roll"]))
    assert "DUPLICATE" in pdf_text(bare.content)


def test_money_keyed_against_a_basket_that_changed_is_refused(at_counter, party, make_charge):
    a, b = make_charge(party, "100.00"), make_charge(party, "50.00")
    _find(at_counter, a.source_number)
    _find(at_counter, b.source_number)
    page = at_counter.get(reverse("cashiering:counter"))
    stale = page.context["basket"].signature
    first_line = page.context["pay_rows"][0][0]
    at_counter.post(
        reverse("cashiering:basket"), {"action": "remove", "item": first_line["id"]}
    )  # another tab
    response = at_counter.post(
        reverse("cashiering:pay"),
        {"token": str(uuid.uuid4()), "basket": stale, "pay-0": "30.00", "cash": "30.00"},
        follow=True,
    )
    assert "The basket changed" in response.content.decode()
    assert Receipt.objects.count() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add_charge", "charge": "abc"},
        {"action": "add_charge", "charge": ""},
        {"action": "payer", "party": "x"},
    ],
)
def test_odd_ids_are_not_found_not_server_errors(at_counter, data):
    assert at_counter.post(reverse("cashiering:basket"), data).status_code == 404


def test_absurd_tenders_are_refused_with_a_message(at_counter, party, make_charge):
    _find(at_counter, make_charge(party, "20.00").source_number)
    response = _pay(
        at_counter,
        ["20.00"],
        check_amount="9999999999.99",
        check_number="1",
        check_name="X",
        mo_amount="9999999999.99",
        mo_number="2",
    )
    assert "larger than the system accepts" in response.content.decode()
    assert Receipt.objects.count() == 0


def test_void_through_the_web_and_the_voided_receipt_prints_void(
    at_counter, client, party, make_charge, supervisor
):
    charge = make_charge(party, "42.50")
    _find(at_counter, charge.source_number)
    _pay(at_counter, ["42.50"], cash="42.50")
    receipt = Receipt.objects.get()
    at_counter.post(
        reverse("cashiering:receipt_void", args=[receipt.number]),
        {"token": str(uuid.uuid4()), "reason": "Paid the wrong citation"},
    )
    req = ApprovalRequest.objects.get(kind="void")
    client.force_login(supervisor)
    client.post(reverse("approval_decide", args=[req.pk]), {"decision": "approve", "note": ""})
    receipt.refresh_from_db()
    charge.refresh_from_db()
    assert receipt.status == "voided" and charge.balance == D("42.50")
    assert "VOID" in pdf_text(
        client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "roll"])).content
    )


def test_close_out_sign_off_and_the_day_report(
    at_counter, client, clerk, supervisor, party, make_charge, open_session
):
    _find(at_counter, make_charge(party, "20.00").source_number)
    _pay(at_counter, ["20.00"], check_amount="20.00", check_number="77", check_name="R Alvarez")
    check = Receipt.objects.get().tenders.get()
    counts = {f"count_{k}": v for k, v in open_session.opening_counts.items()}
    counts["count_b1"] = counts.get("count_b1", 0) - 1  # a dollar short
    response = at_counter.post(
        reverse("cashiering:close_out"),
        {
            **counts,
            "confirmed_checks": [check.pk],
            "card_batch_total": "0.00",
            "explanation": "Short a dollar",
        },
        follow=True,
    )
    assert "Session closed" in response.content.decode()
    session = CashierSession.objects.get()
    assert session.over_short() == {"cash": D("-1.00"), "checks": D("0.00"), "cards": D("0.00")}

    assert at_counter.post(reverse("cashiering:session_sign_off", args=[session.pk])).status_code == 403
    client.force_login(supervisor)
    day = client.get(reverse("cashiering:day"))
    assert [s for s, _live in day.context["rows"]] == [session]
    client.post(reverse("cashiering:session_sign_off", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == "signed_off"
    ws = openpyxl.load_workbook(io.BytesIO(client.get(reverse("cashiering:day_xlsx")).content)).active
    rows = list(ws.iter_rows(min_row=5, values_only=True))
    assert rows[0][0] == "D1" and rows[0][3] == 1 and rows[0][7] == -1
    assert rows[-1][0] == "Total" and rows[-1][7] == -1
    assert "Daily cash reconciliation" in pdf_text(client.get(reverse("cashiering:day_pdf")).content)


@pytest.mark.parametrize(("role", "status"), [("auditor", 403), ("field_crew", 403), ("supervisor", 302)])
def test_who_may_work_the_counter(client, counter, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("cashiering:counter")).status_code == status


def test_clerks_cannot_see_the_day_report_and_auditors_read_receipts(
    client, clerk, auditor, at_counter, party, make_charge
):
    _find(at_counter, make_charge(party, "5.00").source_number)
    _pay(at_counter, ["5.00"], cash="5.00")
    receipt = Receipt.objects.get()
    assert at_counter.get(reverse("cashiering:day")).status_code == 403
    client.force_login(auditor)
    assert client.get(receipt.get_absolute_url()).status_code == 200
    assert client.post(reverse("cashiering:pay"), {}).status_code == 403
    assert Charge.objects.filter(amount_paid__gt=0).count() == 1


def test_a_receipt_is_emailed_with_its_pdf(at_counter, party, make_charge, mailoutbox):
    _find(at_counter, make_charge(party, "42.50").source_number)
    _pay(at_counter, ["42.50"], cash="42.50")
    receipt = Receipt.objects.get()
    response = at_counter.post(
        reverse("cashiering:receipt_email", args=[receipt.number]), {"email": "rosa@example.org"}, follow=True
    )
    assert "e-mailed to rosa@example.org" in response.content.decode()
    (mail,) = mailoutbox
    assert mail.to == ["rosa@example.org"] and receipt.number in mail.subject
    name, content, mimetype = mail.attachments[0]
    assert mimetype == "application/pdf" and receipt.number in pdf_text(content)
    bad = at_counter.post(
        reverse("cashiering:receipt_email", args=[receipt.number]), {"email": "nope"}, follow=True
    )
    assert "valid e-mail" in bad.content.decode() and len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("cashiering:deposit_list", ["supervisor"]),
        ("cashiering:day", ["supervisor"]),
        ("cashiering:batch_list", ["clerk", "senior_clerk", "supervisor"]),
        ("cashiering:session_open", ["clerk", "senior_clerk", "supervisor"]),
        ("refunds_payable", ["supervisor", "auditor"]),
    ],
)
@pytest.mark.parametrize("role", ["clerk", "senior_clerk", "supervisor", "auditor", "field_crew"])
def test_counter_permission_matrix(client, counter, request, role, name, allowed):
    client.force_login(request.getfixturevalue(role))
    status = client.get(reverse(name)).status_code
    assert (status in (200, 302)) if role in allowed else status == 403, (role, name, status)


def test_deposit_and_returned_check_pages_for_readers_only(
    client, auditor, clerk, open_session, supervisor, party, make_charge
):
    receipt = cs.receipt_issue(
        session=open_session,
        payer=party,
        acting_user=clerk,
        items=[cs.Item(charge=make_charge(party, "30.00"), amount=D("30.00"))],
        tenders=[cs.TenderIn("cash", D("30.00"))],
    )
    counts = dict(open_session.opening_counts)
    counts["b10"] = 3
    session = cs.session_close(
        session=open_session,
        counted_counts=counts,
        confirmed_check_ids=[],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    cs.session_sign_off(session=session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[session], acting_user=supervisor)
    client.force_login(auditor)
    assert client.get(deposit.get_absolute_url()).status_code == 200  # reads it
    assert (
        client.post(
            reverse("cashiering:deposit_confirm", args=[deposit.number]), {"bank_reference": "X"}
        ).status_code
        == 403
    )  # changes nothing
    client.force_login(clerk)
    assert client.get(deposit.get_absolute_url()).status_code == 403
    assert client.get(reverse("cashiering:check_return", args=[receipt.tenders.get().pk])).status_code == 403


def test_after_a_name_search_enter_adds_the_first_open_charge(at_counter, party, make_charge):
    make_charge(party, "10.00")
    page = _find(at_counter, "alvarez").content.decode()
    assert 'type="submit" autofocus>Add</button>' in page  # Enter adds it; Tab moves to the next
    assert 'id="find" autofocus' not in page


def test_a_supervisor_adds_a_counter_policy_with_its_returned_check_fee(client, supervisor, counter, fees):
    from cashiering.models import CashieringPolicy

    client.force_login(supervisor)
    response = client.post(
        "/admin/cashiering/cashieringpolicy/add/",
        {
            "effective_from": "2027-07-01",
            "over_short_explain_over": "10.00",
            "check_overpayment": "refuse",
            "card_overpayment": "refuse",
            "no_checks_days": "90",
            "returned_check_fee": fees["NSF"].pk,
        },
    )
    assert response.status_code == 302
    policy = CashieringPolicy.objects.get(effective_from="2027-07-01")
    assert policy.returned_check_fee == fees["NSF"] and policy.created_by == supervisor
