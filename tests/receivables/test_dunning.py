"""Dunning runs, the follow-up log and worklist, write-offs by approval, collections referrals."""

import datetime

import pytest
from django.urls import reverse

from receivables import selectors
from receivables import services as ar
from receivables.models import DunningNotice, DunningRun, FollowUp, Invoice
from receivables.services import dunning
from revenue import services
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import ApprovalRequest, Charge, Job
from revenue.services import jobs
from tests.conftest import D

from .factories import due_days_ago, pay

DAY = datetime.timedelta(days=1)


@pytest.fixture
def aged(ar_policy, party, other_party, admin_user):
    """Invoices 35, 65, 95 and 125 days past due (and one not yet due)."""
    return {
        days: due_days_ago(party if days != 125 else other_party, days, "500.00", acting_user=admin_user)
        for days in (-3, 35, 65, 95, 125)
    }


def levels(invoice):
    return list(invoice.notices.order_by("level_number").values_list("level_number", flat=True))


def test_run_sends_each_level_once_and_assesses_fees_once(aged, senior_clerk, today):
    run = ar.dunning_run(on=today, acting_user=senior_clerk)
    assert (run.candidates, run.done, run.letters, run.fees) == (4, 4, 4, D("25.00"))
    assert run.finished_at is not None
    assert [levels(aged[d]) for d in (-3, 35, 65, 95, 125)] == [[], [1], [2], [3], [4]]
    fee = DunningNotice.objects.get(invoice=aged[95]).fee_charge
    assert fee.amount == D("25.00") and fee.source_number == aged[95].number and fee.source == aged[95]
    assert fee.party == aged[95].party

    again = ar.dunning_run(on=today, acting_user=senior_clerk)
    assert (again.letters, again.fees) == (0, D("0.00"))
    assert DunningNotice.objects.count() == 4
    assert Charge.objects.filter(fee_type__code="AR-LATE").count() == 1
    assert selectors.invoice_balance(aged[95]) == D("525.00")


def test_no_catching_up_95_days_gets_the_final_notice_only(ar_policy, party, admin_user, senior_clerk, today):
    invoice = due_days_ago(party, 95, "80.00", acting_user=admin_user)
    ar.dunning_run(on=today, acting_user=senior_clerk)
    assert levels(invoice) == [3]


def test_later_runs_move_up_and_never_go_back(ar_policy, party, admin_user, senior_clerk, today):
    invoice = due_days_ago(party, 95, "80.00", acting_user=admin_user)
    ar.dunning_run(on=today - datetime.timedelta(days=60), acting_user=senior_clerk)  # 35 days
    assert levels(invoice) == [1]
    ar.dunning_run(on=today, acting_user=senior_clerk)  # 95 days: skips level 2
    assert levels(invoice) == [1, 3]
    ar.dunning_run(on=today - datetime.timedelta(days=30), acting_user=senior_clerk)  # 65 days
    assert levels(invoice) == [1, 3]  # a lower level than one sent is never sent


def test_referral_only_at_or_above_the_threshold(
    ar_policy, party, other_party, admin_user, senior_clerk, today
):
    big = due_days_ago(party, 125, "100.00", acting_user=admin_user)  # exactly the threshold
    small = due_days_ago(other_party, 125, "99.99", acting_user=admin_user)
    ar.dunning_run(on=today, acting_user=senior_clerk)
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.collections_referred_on == today
    assert small.collections_referred_on is None
    assert levels(small) == [4]  # still gets the letter
    assert [i.number for i in selectors.referrals()] == [big.number]
    run = DunningRun.objects.get()
    letters = {x["invoice"].number: x for x in selectors.letters_of(run)}
    assert letters[small.number]["unreferred"] and not letters[big.number]["unreferred"]


def test_paid_invoice_gets_nothing_and_leaves_the_worklist(
    aged, admin_user, senior_clerk, undeposited, today
):
    assert {r["party_name"] for r in selectors.worklist(today)} == {
        "Alvarez, Rosa",
        "Harbor Light Hotel LLC",
    }
    pay(aged[125], "500.00", on=today, acting_user=admin_user, undeposited=undeposited)
    ar.dunning_run(on=today, acting_user=senior_clerk)
    assert levels(aged[125]) == []
    assert {r["party_name"] for r in selectors.worklist(today)} == {"Alvarez, Rosa"}


def test_a_counter_clerk_cannot_run_dunning(aged, clerk, today):
    with pytest.raises(NotAllowed):
        ar.dunning_run(on=today, acting_user=clerk)


def test_dunning_page_runs_and_letters_print(client, aged, supervisor, today):
    client.force_login(supervisor)
    page = client.get(reverse("receivables:dunning"))
    assert page.status_code == 200
    response = client.post(reverse("receivables:dunning"), {"on": today.isoformat()})
    job = Job.objects.get()  # queued: the job worker runs it
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert not DunningRun.objects.exists()
    job = jobs.job_execute(job.pk)
    run = DunningRun.objects.get()
    assert job.status == "done" and "4 letters" in job.message
    assert run.letters == 4
    pdf = client.get(reverse("receivables:dunning_letters", args=[run.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    bad = client.post(reverse("receivables:dunning"), {"on": "nope"})
    assert bad.status_code == 200 and b"Enter a date" in bad.content
    assert DunningRun.objects.count() == 1


def test_dunning_page_refused_to_a_counter_clerk(client, clerk, ar_policy):
    client.force_login(clerk)
    assert client.get(reverse("receivables:dunning")).status_code == 403


# --------------------------------------------------------------------------- follow-up and worklist


def test_followup_rules(aged, party, other_party, clerk, today):
    with pytest.raises(RevenueError, match="what was said"):
        ar.followup_log(party=party, kind="call", note="  ", acting_user=clerk)
    with pytest.raises(RevenueError, match="past"):
        ar.followup_log(party=party, kind="call", note="x", acting_user=clerk, promise_on=today - DAY)
    with pytest.raises(RevenueError, match="past"):
        ar.followup_log(party=party, kind="call", note="x", acting_user=clerk, next_action_on=today - DAY)
    with pytest.raises(RevenueError):
        ar.followup_log(
            party=party, kind="call", note="x", acting_user=clerk, promise_on=today, promise_amount="-5"
        )
    with pytest.raises(RevenueError, match="not"):
        ar.followup_log(party=other_party, kind="call", note="x", acting_user=clerk, invoice=aged[35])
    assert FollowUp.objects.count() == 0
    f = ar.followup_log(
        party=party, kind="call", note="Will pay Friday", acting_user=clerk, invoice=aged[35],
        promise_on=today + DAY, promise_amount="500.00",
    )  # fmt: skip
    assert list(aged[35].followups.all()) == [f]


def test_worklist_follows_next_action_and_promises(aged, party, clerk, admin_user, undeposited, today):
    names = lambda day: [r["party_name"] for r in selectors.worklist(day)]  # noqa: E731
    # oldest first: the hotel's invoice is 125 days past due
    assert names(today) == ["Harbor Light Hotel LLC", "Alvarez, Rosa"]
    ar.followup_log(
        party=party, kind="call", note="Call back", acting_user=clerk, next_action_on=today + 2 * DAY
    )
    assert names(today) == ["Harbor Light Hotel LLC"]
    assert names(today + 2 * DAY)[-1] == "Alvarez, Rosa"
    ar.followup_log(
        party=party,
        kind="call",
        note="Promised",
        acting_user=clerk,
        promise_on=today,
        promise_amount="200.00",
    )
    assert "Alvarez, Rosa" not in names(today)  # promise date not passed yet
    assert "Alvarez, Rosa" in names(today + DAY)  # passed, nothing paid
    pay(aged[35], "200.00", on=today, acting_user=admin_user, undeposited=undeposited)
    assert "Alvarez, Rosa" not in names(today + DAY)  # promise kept


def test_worklist_and_followup_pages(client, aged, party, clerk, today):
    client.force_login(clerk)
    page = client.get(reverse("receivables:worklist"))
    assert page.status_code == 200 and b"Alvarez, Rosa" in page.content
    url = reverse("receivables:followup_new", args=[party.pk])
    form = client.get(url, {"invoice": aged[35].number})
    assert form.status_code == 200 and b"autofocus" in form.content
    token = form.context["form"].initial["token"]
    bad = client.post(url, {"token": token, "kind": "call", "note": "", "invoice": aged[35].number})
    assert bad.status_code == 200 and FollowUp.objects.count() == 0
    ok = client.post(
        url,
        {
            "token": token,
            "kind": "call",
            "note": "Left a message",
            "invoice": aged[35].number,
            "next_action_on": (today + DAY).isoformat(),
        },
    )
    assert ok.status_code == 302
    f = FollowUp.objects.get()
    assert f.invoice == aged[35] and f.next_action_on == today + DAY
    again = client.post(url, {"token": token, "kind": "call", "note": "Left a message"})
    assert again.status_code == 302 and FollowUp.objects.count() == 1
    assert client.get(reverse("receivables:followup_new", args=[999999])).status_code == 404


# --------------------------------------------------------------------------- write-offs


def test_no_write_off_without_approval(aged, clerk, supervisor, other_supervisor, auditor):
    invoice = aged[95]
    with pytest.raises(NotAllowed):
        ar.write_off_request(invoice=invoice, reason="Bankrupt", acting_user=auditor)
    request = ar.write_off_request(invoice=invoice, reason="Bankrupt", acting_user=supervisor)
    assert request.status == ApprovalRequest.Status.PENDING and request.amount is None
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    assert selectors.invoice_balance(invoice) == D("500.00")
    with pytest.raises(NotAllowed):
        services.approval_decide(request=request, approve=True, acting_user=supervisor)  # own request
    with pytest.raises(NotAllowed):
        services.approval_decide(request=request, approve=True, acting_user=clerk)
    assert selectors.invoice_balance(invoice) == D("500.00")
    services.approval_decide(request=request, approve=True, acting_user=other_supervisor)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.WRITTEN_OFF and invoice.status_on == services.city_today()
    assert selectors.invoice_balance(invoice) == D("0.00")
    with pytest.raises(RevenueError):
        ar.write_off_request(invoice=invoice, reason="Again", acting_user=clerk)


def test_clerk_asks_through_the_page_and_it_waits(client, aged, clerk):
    client.force_login(clerk)
    url = reverse("receivables:write_off", args=[aged[65].number])
    form = client.get(url)
    assert form.status_code == 200
    token = form.context["form"].initial["token"]
    assert client.post(url, {"token": token, "reason": ""}).status_code == 200
    assert ApprovalRequest.objects.count() == 0
    assert client.post(url, {"token": token, "reason": "Business closed"}).status_code == 302
    request = ApprovalRequest.objects.get()
    assert request.kind == ApprovalRequest.Kind.WRITE_OFF and request.status == ApprovalRequest.Status.PENDING
    assert client.get(reverse("receivables:write_off", args=["NOPE-1"])).status_code == 404


def test_referrals_page_and_xlsx(client, aged, senior_clerk, supervisor, today):
    ar.dunning_run(on=today, acting_user=senior_clerk)
    client.force_login(supervisor)
    page = client.get(reverse("receivables:referrals"))
    assert page.status_code == 200 and aged[125].number.encode() in page.content
    xlsx = client.get(reverse("receivables:referrals_xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_run_goes_in_chunks_and_saves_progress(aged, senior_clerk, today, monkeypatch):
    monkeypatch.setattr(dunning, "DUNNING_CHUNK", 3)
    seen = []
    run = ar.dunning_run(
        on=today,
        acting_user=senior_clerk,
        progress=lambda done, of, letters: seen.append((done, of, letters)),
    )
    assert seen == [(3, 4, 3), (4, 4, 4)]
    run.refresh_from_db()
    assert (run.done, run.letters, run.fees) == (4, 4, D("25.00")) and run.finished_at


def _names(day):
    return [r["party_name"] for r in selectors.worklist(day)]


def test_promise_not_kept_despite_unrelated_payment(
    ar_policy, party, clerk, admin_user, undeposited, make_charge, today
):
    invoice = due_days_ago(party, 35, "500.00", acting_user=admin_user)
    ar.followup_log(
        party=party,
        kind="call",
        note="Will pay Friday",
        acting_user=clerk,
        invoice=invoice,
        promise_on=today,
        promise_amount="500.00",
    )
    other = make_charge(party, "500.00", description="Business license")
    services.payment_post(
        party=party,
        amount=D("500.00"),
        applications=[(other, D("500.00"))],
        debit_account=undeposited,
        acting_user=admin_user,
        reference="license",
    )
    assert selectors.invoice_balance(invoice) == D("500.00")
    rows = {r["party_name"]: r for r in selectors.worklist(today + DAY)}
    assert party.name in rows
    assert rows[party.name]["paid_since"] == 0
    assert rows[party.name]["reason"].startswith("Promise to pay by")


def test_promise_without_invoice_ignores_unrelated_payment_but_counts_any_invoice(
    ar_policy, party, clerk, admin_user, undeposited, make_charge, today
):
    first = due_days_ago(party, 35, "300.00", acting_user=admin_user)
    second = due_days_ago(party, 65, "300.00", acting_user=admin_user)
    ar.followup_log(
        party=party,
        kind="call",
        note="Will pay 300 on the account",
        acting_user=clerk,
        promise_on=today,
        promise_amount="300.00",
    )
    other = make_charge(party, "300.00", description="Parking citation")
    services.payment_post(
        party=party,
        amount=D("300.00"),
        applications=[(other, D("300.00"))],
        debit_account=undeposited,
        acting_user=admin_user,
        reference="citation",
    )
    assert party.name in _names(today + DAY)  # a parking ticket is not the promised money
    pay(second, "300.00", on=today, acting_user=admin_user, undeposited=undeposited)
    assert selectors.invoice_balance(first) == D("300.00")
    assert party.name not in _names(today + DAY)  # paid on one of the customer's invoices: kept


def test_promise_on_one_invoice_is_not_kept_by_paying_another(
    ar_policy, party, clerk, admin_user, undeposited, today
):
    promised = due_days_ago(party, 35, "200.00", acting_user=admin_user)
    other = due_days_ago(party, 65, "200.00", acting_user=admin_user)
    ar.followup_log(
        party=party,
        kind="call",
        note="Will pay the March invoice",
        acting_user=clerk,
        invoice=promised,
        promise_on=today,
        promise_amount="200.00",
    )
    pay(other, "200.00", on=today, acting_user=admin_user, undeposited=undeposited)
    rows = {r["party_name"]: r for r in selectors.worklist(today + DAY)}
    assert party.name in rows and rows[party.name]["reason"].startswith("Promise to pay by")
    pay(promised, "200.00", on=today, acting_user=admin_user, undeposited=undeposited)
    assert party.name not in _names(today + DAY)  # nothing past due any more


def test_promise_on_invoice_kept_by_paying_its_late_fee_and_lines(
    ar_policy, party, clerk, admin_user, senior_clerk, undeposited, today
):
    promised = due_days_ago(party, 95, "200.00", acting_user=admin_user)
    due_days_ago(party, 125, "200.00", acting_user=admin_user)  # keeps the customer past due
    ar.dunning_run(on=today, acting_user=senior_clerk)  # final notice: $25 fee on each
    assert selectors.invoice_balance(promised) == D("225.00")
    ar.followup_log(
        party=party,
        kind="call",
        note="Will pay it all",
        acting_user=clerk,
        invoice=promised,
        promise_on=today,
        promise_amount="225.00",
    )
    pay(promised, "225.00", on=today, acting_user=admin_user, undeposited=undeposited)
    assert party.name not in _names(today + DAY)


@pytest.mark.parametrize("part", ["\u00b2", "\u0662", "\uff12", "-1", "0", "99", "1.5", "x", " 1", ""])
def test_dunning_letters_odd_part_is_not_500(client, ar_policy, supervisor, today, part):
    run = DunningRun.objects.create(run_on=today, started_by=supervisor)
    client.force_login(supervisor)
    client.raise_request_exception = False
    response = client.get(reverse("receivables:dunning_letters", args=[run.pk]), {"part": part})
    assert response.status_code == 200
    assert "part1.pdf" in response["Content-Disposition"]


def test_dunning_letters_part_two(client, ar_policy, supervisor, today):
    run = DunningRun.objects.create(run_on=today, started_by=supervisor, letters=600)
    client.force_login(supervisor)
    response = client.get(reverse("receivables:dunning_letters", args=[run.pk]), {"part": "2"})
    assert response.status_code == 200 and "part2.pdf" in response["Content-Disposition"]


def test_followup_and_referrals_get_parameters_with_nul_are_not_500(
    client, ar_policy, supervisor, party, admin_user
):
    invoice = due_days_ago(party, 35, "10.00", acting_user=admin_user)
    client.force_login(supervisor)
    client.raise_request_exception = False
    checks = [
        (reverse("receivables:followup_new", args=[party.pk]), {"invoice": "\x00"}),
        (reverse("receivables:followup_new", args=[party.pk]), {"invoice": invoice.number + "\x00"}),
        (reverse("receivables:referrals"), {"all": "1\x00"}),
        (reverse("receivables:referrals_xlsx"), {"all": "\x00"}),
    ]
    for url, params in checks:
        assert client.get(url, params).status_code == 400, (
            url,
            params,
        )  # a NUL is refused before any view, changing nothing


def test_the_dunning_runs_are_a_report_with_an_xlsx(client, aged, senior_clerk, supervisor, today):
    run = ar.dunning_run(on=today, acting_user=senior_clerk)
    client.force_login(supervisor)
    page = client.get(reverse("receivables:dunning"))
    report = page.context["report"]
    assert [c.title for c in report.columns][:6] == ["As of", "Started", "By", "Past due", "Done", "Letters"]
    assert (
        report.rows[0][0] == run.run_on and report.rows[0][5] == run.letters and report.rows[0][6] == run.fees
    )
    assert b'id="runs-xlsx"' in page.content
    xlsx = client.get(reverse("receivables:dunning"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_dunning_letters_give_the_number_to_call_name_the_agency_and_fit_a_window_envelope(
    client, aged, supervisor, senior_clerk, today, office
):
    from tests.pdf import pdf_text, position_of

    run = ar.dunning_run(on=today, acting_user=senior_clerk)
    client.force_login(supervisor)
    pdf = client.get(reverse("receivables:dunning_letters", args=[run.pk])).content
    text = " ".join(pdf_text(pdf).split())
    assert "call us at (555) 010-4200 to arrange payment" in text
    assert "referred to Pacific Coast Recovery Services, telephone (555) 010-7788" in text
    assert text.count("Si necesita ayuda en español, llame al (555) 010-4200.") == 4  # every letter
    assert text.count(f"{today:%B} {today.day}, {today.year}") >= 4  # each letter is dated
    assert "Monday–Friday, 8:00 a.m. – 5:00 p.m." in text and "www.alderbay.example.gov/revenue" in text
    # the addressee prints in a #10 window: 0.875 in from the left, 2 in from the top, 4 × 1.125 in
    x, y = position_of(pdf, "Harbor Light Hotel LLC")  # the first letter (invoice order)
    assert 0.85 <= x <= 0.95 and 2.0 <= y <= 2.3
    x, y = position_of(pdf, "Alder Bay, CA 95001")
    assert 0.85 <= x <= 0.95 and y <= 3.125
