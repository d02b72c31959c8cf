"""Permits: eligibility, application, issue on payment with the lowest tag on the shelf, reversal,
renewal, replacement, a tag never issued twice (constraint and race), and the screens."""

import datetime
import io
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from parking import reports, rules, selectors
from parking import services as pm
from parking.models import Permit, PermitSerial
from revenue import services as core
from revenue.exceptions import NotAllowed
from revenue.models import Charge
from tests.conftest import D
from tests.pdf import pdf_text
from tests.revenue.test_concurrency import _race

S = PermitSerial.Status
TODAY = core.city_today


@pytest.fixture
def stock(permit_types, supervisor):
    """Tags R001000-R001009 (residential) and G000500-G000504 (guest) on the shelf."""
    pm.stock_receive(
        permit_type=permit_types["RES"],
        first=1000,
        last=1009,
        received_on=datetime.date(2026, 1, 5),
        acting_user=supervisor,
    )
    pm.stock_receive(
        permit_type=permit_types["GST"],
        first=500,
        last=504,
        received_on=datetime.date(2026, 1, 5),
        acting_user=supervisor,
    )


def apply(party, ptype, clerk, address="220 Elm Street", plate="8ABC123", state="CA", **kw):
    return pm.permit_apply(
        party=party,
        permit_type=ptype,
        address=address,
        unit=kw.pop("unit", ""),
        plate=plate,
        plate_state=state,
        acting_user=clerk,
        **kw,
    )


def pay(permit, user, undeposited):
    charges = list(selectors.permit_charges(permit))
    total = sum((c.balance for c in charges), D("0"))
    return core.payment_post(
        party=permit.party,
        amount=total,
        applications=[(c, c.balance) for c in charges],
        debit_account=undeposited,
        acting_user=user,
        reference=f"T-{permit.number}",
    )


def fresh(permit):
    return Permit.objects.select_related("serial").get(pk=permit.pk)


# --------------------------------------------------------------------------- eligibility


def test_an_address_outside_every_zone_is_refused_for_a_zoned_type(party, permit_types, clerk, stock):
    with pytest.raises(pm.PermitError, match="123 MAPLE ST is not inside a permit zone"):
        apply(party, permit_types["RES"], clerk, address="123 Maple Street")
    with pytest.raises(pm.PermitError, match="700 ELM ST is not inside a permit zone"):
        apply(party, permit_types["RES"], clerk, address="700 Elm St")  # Elm is zoned 100-599
    assert not Permit.objects.exists() and not Charge.objects.exists()
    # a type that needs no zone is fine anywhere
    assert apply(party, permit_types["EMP"], clerk, address="123 Maple Street").zone is None


def test_the_limit_per_address_counts_pending_and_issued_permits_not_expired(
    party, other_party, permit_types, clerk, stock, undeposited
):
    ptype = permit_types["RES"]  # 3 per address
    first = apply(party, ptype, clerk, address="120 Elm St", plate="AAA1")
    pay(first, clerk, undeposited)
    apply(party, ptype, clerk, address="120 ELM STREET", plate="AAA2")
    apply(other_party, ptype, clerk, address="120 elm st.", plate="AAA3", unit="B")
    with pytest.raises(pm.PermitError, match="120 ELM ST already has 3 residential permits: the limit is 3"):
        apply(other_party, ptype, clerk, address="120 Elm St", plate="AAA4")
    assert Permit.objects.count() == 3
    # another type, another count; another address, another count
    apply(party, permit_types["GST"], clerk, address="120 Elm St", plate="AAA4")
    apply(party, ptype, clerk, address="121 Elm St", plate="AAA4")
    # an expired permit no longer counts
    Permit.objects.filter(pk=first.pk).update(
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31)
    )
    assert pm.eligibility(ptype, "120 Elm St", TODAY())[0] == "120 ELM ST"


@pytest.mark.parametrize(
    ("plate", "state", "message"),
    [
        ("8AB-C12!", "CA", "is not a plate"),
        ("123456789", "CA", "too long for a plate"),
        ("", "CA", "Enter the plate"),
        ("8ABC123", "XX", "is not a state"),
    ],
)
def test_a_bad_plate_or_state_is_refused(party, permit_types, clerk, plate, state, message):
    with pytest.raises(pm.PermitError, match=message):
        apply(party, permit_types["RES"], clerk, plate=plate, state=state)
    assert not Permit.objects.exists()


def test_a_permit_cannot_start_in_the_future(party, permit_types, clerk):
    with pytest.raises(pm.PermitError, match="in the future"):
        apply(party, permit_types["RES"], clerk, on=TODAY() + datetime.timedelta(days=1))


def test_the_plate_and_address_are_kept_in_one_spelling(party, permit_types, clerk):
    permit = apply(party, permit_types["RES"], clerk, address="220 elm  street", plate="8abc 123", state="ca")
    assert (permit.address, permit.plate, permit.plate_state) == ("220 ELM ST", "8ABC123", "CA")
    assert permit.zone.code == "A"


# --------------------------------------------------------------------------- issue on payment


def test_applying_charges_the_fee_and_paying_issues_the_lowest_tag(
    party, permit_types, clerk, stock, undeposited
):
    permit = apply(party, permit_types["RES"], clerk)
    assert permit.status == Permit.Status.PENDING and permit.number.startswith("PP")
    assert permit.valid_from == TODAY()
    assert permit.valid_to == rules.add_months(TODAY(), 12) - datetime.timedelta(days=1)
    (charge,) = selectors.permit_charges(permit)
    assert charge.amount == D("45.00") and charge.source_number == permit.number
    assert charge.description == f"Residential parking permit {permit.number}"
    assert charge.receivable_account.number == "240-1220" and charge.revenue_account.number == "240-4510"
    pay(permit, clerk, undeposited)
    permit = fresh(permit)
    assert permit.status == Permit.Status.ISSUED and permit.issued_at is not None
    assert permit.serial.label == "R001000" and permit.serial.status == S.ISSUED
    second = apply(party, permit_types["RES"], clerk, plate="8ABC124")
    pay(second, clerk, undeposited)
    assert fresh(second).serial.label == "R001001"
    actions = [e.action for e in core.audit_trail(permit)]
    assert "permit.new" in actions and "permit.issued" in actions


def test_a_partial_payment_does_not_issue(party, permit_types, clerk, stock, undeposited):
    permit = apply(party, permit_types["RES"], clerk)
    (charge,) = selectors.permit_charges(permit)
    core.payment_post(
        party=party, amount=D("20.00"), applications=[(charge, D("20.00"))], debit_account=undeposited,
        acting_user=clerk,
    )  # fmt: skip
    assert fresh(permit).status == Permit.Status.PENDING
    assert PermitSerial.objects.filter(status=S.ISSUED).count() == 0


def test_a_voided_payment_voids_the_tag_and_the_permit_waits_again(
    party, permit_types, clerk, supervisor, stock, undeposited
):
    permit = apply(party, permit_types["RES"], clerk)
    payment = pay(permit, clerk, undeposited)
    tag = fresh(permit).serial
    core.payment_reverse(payment=payment, acting_user=supervisor, reason="check returned")
    permit = fresh(permit)
    tag.refresh_from_db()
    assert permit.status == Permit.Status.PENDING and permit.serial is None and permit.issued_at is None
    assert tag.status == S.VOID and tag.status_reason == "payment reversed"
    # paid again: a new tag, never the voided one
    pay(permit, clerk, undeposited)
    assert fresh(permit).serial.label == "R001001"
    assert "permit.unissued" in [e.action for e in core.audit_trail(permit)]


def test_paid_with_no_tag_in_stock_waits_then_a_tag_is_assigned(
    party, permit_types, clerk, supervisor, undeposited
):
    permit = apply(party, permit_types["RES"], clerk)
    with pytest.raises(pm.PermitError, match="not paid yet"):
        pm.permit_assign_tag(permit=permit, acting_user=clerk)
    pay(permit, clerk, undeposited)
    permit = fresh(permit)
    assert permit.status == Permit.Status.PENDING and selectors.awaiting_tag(permit)
    assert selectors.permit_status_word(permit) == "Paid — waiting for a tag"
    with pytest.raises(pm.PermitError, match="No Residential tags in stock"):
        pm.permit_assign_tag(permit=permit, acting_user=clerk)
    pm.stock_receive(
        permit_type=permit_types["RES"], first=1, last=5, received_on=TODAY(), acting_user=supervisor
    )
    pm.permit_assign_tag(permit=permit, acting_user=clerk)
    permit = fresh(permit)
    assert permit.status == Permit.Status.ISSUED and permit.serial.label == "R000001"
    with pytest.raises(pm.PermitError, match="needs no tag"):
        pm.permit_assign_tag(permit=permit, acting_user=clerk)


def test_a_free_permit_is_issued_at_once(party, permit_types, clerk, stock, admin_user):
    terms = permit_types["GST"].terms.get()
    terms.fee = D("0.00")
    terms.save()
    permit = apply(party, permit_types["GST"], clerk)
    assert permit.status == Permit.Status.ISSUED and permit.serial.label == "G000500"
    assert not selectors.permit_charges(permit).exists()


# --------------------------------------------------------------------------- renewal and replacement


def test_renewal_runs_from_the_day_after_and_is_issued_with_a_new_tag(
    party, permit_types, clerk, stock, undeposited
):
    old = apply(party, permit_types["RES"], clerk)
    with pytest.raises(pm.PermitError, match="Only an issued permit can be renewed"):
        pm.permit_renew(permit=old, acting_user=clerk)
    pay(old, clerk, undeposited)
    new = pm.permit_renew(permit=old, acting_user=clerk)
    assert new.kind == Permit.Kind.RENEWAL and new.renewal_of == old and new.status == Permit.Status.PENDING
    assert new.valid_from == old.valid_to + datetime.timedelta(days=1)
    assert new.valid_to == rules.add_months(new.valid_from, 12) - datetime.timedelta(days=1)
    assert (new.address, new.plate, new.zone) == (old.address, old.plate, old.zone)
    with pytest.raises(pm.PermitError, match="already has a renewal"):
        pm.permit_renew(permit=old, acting_user=clerk)
    pay(new, clerk, undeposited)
    assert fresh(new).serial.label == "R001001" and fresh(old).status == Permit.Status.ISSUED


def test_a_lapsed_permit_renews_from_today(party, permit_types, clerk, stock, undeposited):
    old = apply(party, permit_types["RES"], clerk, on=datetime.date(2025, 1, 10))
    pay(old, clerk, undeposited)
    assert fresh(old).valid_to == datetime.date(2026, 1, 9)
    assert selectors.permit_status_word(fresh(old)) == "Expired"
    new = pm.permit_renew(permit=old, acting_user=clerk)
    assert new.valid_from == TODAY()


def test_renewal_respects_the_limit_but_not_against_the_permit_it_renews(
    party, permit_types, clerk, stock, undeposited
):
    ptype = permit_types["GST"]  # 2 per address
    a = apply(party, ptype, clerk, plate="A1")
    b = apply(party, ptype, clerk, plate="A2")
    pay(a, clerk, undeposited)
    pay(b, clerk, undeposited)
    pm.permit_renew(permit=a, acting_user=clerk)  # a itself is not counted
    pm.permit_renew(permit=b, acting_user=clerk)  # a's renewal is: 1 of 2
    with pytest.raises(pm.PermitError, match="the limit is 2"):
        apply(party, ptype, clerk, plate="A3")


def test_replacement_writes_off_the_tag_and_charges_the_replacement_fee(
    party, permit_types, clerk, stock, undeposited
):
    old = apply(party, permit_types["RES"], clerk)
    pay(old, clerk, undeposited)
    with pytest.raises(pm.PermitError, match="lost or stolen"):
        pm.permit_replace(permit=old, reason="eaten", acting_user=clerk)
    new = pm.permit_replace(permit=old, reason="stolen", note="APD 26-1234", acting_user=clerk)
    old = fresh(old)
    assert old.status == Permit.Status.REPLACED and old.serial.status == S.STOLEN
    assert "APD 26-1234" in old.serial.status_reason
    assert new.kind == Permit.Kind.REPLACEMENT and new.replaces == old and new.valid_to == old.valid_to
    assert new.fee == D("15.00") and selectors.permit_charges(new).get().amount == D("15.00")
    with pytest.raises(pm.PermitError, match="Only an issued permit can be replaced"):
        pm.permit_replace(permit=old, reason="lost", acting_user=clerk)
    pay(new, clerk, undeposited)
    assert fresh(new).serial.label == "R001001"
    # the old and the new do not both count against the address
    assert pm.eligibility(permit_types["RES"], old.address, TODAY())


# --------------------------------------------------------------------------- a tag is issued once


def test_the_database_refuses_one_tag_on_two_permits(party, permit_types, clerk, stock, undeposited):
    a = apply(party, permit_types["RES"], clerk, plate="A1")
    b = apply(party, permit_types["RES"], clerk, plate="A2")
    pay(a, clerk, undeposited)
    tag = fresh(a).serial
    with pytest.raises(IntegrityError), transaction.atomic():
        Permit.objects.filter(pk=b.pk).update(serial=tag)
    # and the services never take a tag that is not on the shelf
    pay(b, clerk, undeposited)
    assert fresh(b).serial_id != tag.pk


@pytest.mark.django_db(transaction=True)
def test_two_payments_at_once_take_two_different_tags(
    party, other_party, permit_types, clerk, senior_clerk, stock, undeposited
):
    a = apply(party, permit_types["RES"], clerk, plate="A1")
    b = apply(other_party, permit_types["RES"], clerk, plate="B1", address="300 Elm St")
    outcomes = _race(lambda: pay(a, clerk, undeposited), lambda: pay(b, senior_clerk, undeposited))
    assert outcomes == [None, None], outcomes
    labels = sorted([fresh(a).serial.label, fresh(b).serial.label])
    assert labels == ["R001000", "R001001"]
    assert PermitSerial.objects.filter(status=S.ISSUED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_clerks_assigning_a_tag_to_the_same_permit_at_once_take_one_tag(
    party, permit_types, clerk, senior_clerk, supervisor, undeposited
):
    permit = apply(party, permit_types["RES"], clerk)
    pay(permit, clerk, undeposited)  # no stock yet: paid, waiting for a tag
    pm.stock_receive(
        permit_type=permit_types["RES"], first=1, last=5, received_on=TODAY(), acting_user=supervisor
    )
    outcomes = _race(
        lambda: pm.permit_assign_tag(permit=permit, acting_user=clerk),
        lambda: pm.permit_assign_tag(permit=permit, acting_user=senior_clerk),
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "PermitError"], outcomes
    assert PermitSerial.objects.filter(status=S.ISSUED).count() == 1
    assert fresh(permit).serial.label == "R000001"


@pytest.mark.django_db(transaction=True)
def test_the_last_tag_on_the_shelf_goes_to_one_of_two_payments(
    party, other_party, permit_types, clerk, senior_clerk, supervisor, undeposited
):
    pm.stock_receive(
        permit_type=permit_types["RES"], first=7, last=7, received_on=TODAY(), acting_user=supervisor
    )
    a = apply(party, permit_types["RES"], clerk, plate="A1")
    b = apply(other_party, permit_types["RES"], clerk, plate="B1", address="300 Elm St")
    outcomes = _race(lambda: pay(a, clerk, undeposited), lambda: pay(b, senior_clerk, undeposited))
    assert outcomes == [None, None], outcomes
    statuses = sorted(fresh(p).status for p in (a, b))
    assert statuses == [Permit.Status.ISSUED, Permit.Status.PENDING]
    waiting = next(p for p in (a, b) if fresh(p).status == Permit.Status.PENDING)
    assert selectors.awaiting_tag(fresh(waiting))


# --------------------------------------------------------------------------- screens


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def issued(party, permit_types, clerk, stock, undeposited):
    permit = apply(party, permit_types["RES"], clerk, unit="2")
    pay(permit, clerk, undeposited)
    return fresh(permit)


def test_the_counter_finds_enters_and_shows_permits(client, clerk, party, permit_types, stock, issued):
    _login(client, clerk)
    for q in (issued.number, "8abc 123", "220 elm", "alvarez"):
        page = client.get(reverse("parking:permit_list"), {"q": q})
        assert page.status_code == 200 and issued.number in page.content.decode(), q
    assert client.get(reverse("parking:permit_new"), {"party": party.number}).status_code == 200
    data = {
        "token": str(uuid.uuid4()),
        "party_number": party.number,
        "permit_type": permit_types["GST"].pk,
        "address": "220 Elm Street",
        "unit": "",
        "plate": "7xyz900",
        "plate_state": "ca",
    }
    response = client.post(reverse("parking:permit_new"), data)
    permit = Permit.objects.get(plate="7XYZ900")
    assert response.status_code == 302 and response.url == permit.get_absolute_url()
    again = client.post(reverse("parking:permit_new"), data)  # the same form sent twice
    assert again.status_code == 302 and Permit.objects.filter(plate="7XYZ900").count() == 1
    page = client.get(permit.get_absolute_url()).content.decode()
    assert f'pay at the counter with number <strong class="font-monospace">{permit.number}' in page
    assert 'id="renew"' not in page
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "R001000" in page and 'id="renew"' in page and 'id="replace"' in page
    assert reverse("parking:permit_letter", args=[issued.number]) in page


def test_bad_input_is_a_message_on_the_form_and_changes_nothing(client, clerk, party, permit_types):
    _login(client, clerk)
    base = {
        "party_number": party.number,
        "permit_type": permit_types["RES"].pk,
        "address": "123 Maple St",
        "plate": "8ABC123",
        "plate_state": "CA",
    }
    for change, message in [
        ({}, "123 MAPLE ST is not inside a permit zone"),
        ({"address": "220 Elm St", "plate": "8AB#C"}, "is not a plate"),
        ({"address": "220 Elm St", "plate_state": "ZZ"}, "is not a state"),
        ({"party_number": "P999999"}, "No party has that number"),
        ({"address": "Elm"}, "number and street"),
    ]:
        response = client.post(reverse("parking:permit_new"), {**base, **change, "token": str(uuid.uuid4())})
        assert response.status_code == 200, change
        assert message in response.content.decode().replace("&#x27;", "'"), change
    assert not Permit.objects.exists()


def test_renew_replace_and_assign_through_the_pages(client, clerk, issued):
    _login(client, clerk)
    token = str(uuid.uuid4())
    response = client.post(reverse("parking:permit_renew", args=[issued.number]), {"token": token})
    renewal = Permit.objects.get(renewal_of=issued)
    assert response.status_code == 302 and response.url == renewal.get_absolute_url()
    client.post(reverse("parking:permit_renew", args=[issued.number]), {"token": token})
    assert Permit.objects.filter(renewal_of=issued).count() == 1
    page = client.get(issued.get_absolute_url()).content.decode()
    assert f'Renewed by <a href="{renewal.get_absolute_url()}">{renewal.number}</a>' in page
    assert 'id="renew"' not in page
    response = client.post(
        reverse("parking:permit_replace", args=[issued.number]),
        {"token": str(uuid.uuid4()), "reason": "lost", "note": ""},
        follow=True,
    )
    assert response.status_code == 200 and "Replacement" in response.content.decode()
    assert fresh(issued).status == Permit.Status.REPLACED
    response = client.post(
        reverse("parking:permit_assign_tag", args=[issued.number]), {"token": str(uuid.uuid4())}, follow=True
    )
    assert "it needs no tag" in response.content.decode()


def test_the_permit_letter_is_a_real_pdf(client, clerk, issued, office):
    _login(client, clerk)
    response = client.get(reverse("parking:permit_letter", args=[issued.number]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert office.phone in text and "Si necesita ayuda en español" in " ".join(text.split())
    for expected in (
        issued.number,
        "R001000",
        "8ABC123",
        "220 ELM ST",
        "Zone A",
        "Residential",
        "Alvarez, Rosa",
    ):
        assert expected in text, expected
    pending = apply(issued.party, issued.permit_type, issued.created_by, plate="Z1")
    assert client.get(reverse("parking:permit_letter", args=[pending.number])).status_code == 404


def test_the_issued_report_counts_by_month_and_type(client, supervisor, clerk, issued, undeposited):

    renewal = pm.permit_renew(permit=issued, acting_user=clerk)
    pay(renewal, clerk, undeposited)
    rows = reports.permits_issued(TODAY().replace(day=1), TODAY())
    assert [(r["permit_type__name"], r["new"], r["renewals"], r["total"], r["fees"]) for r in rows] == [
        ("Residential", 1, 1, 2, D("90.00"))
    ]
    _login(client, supervisor)
    assert client.get(reverse("parking:permit_report")).status_code == 200
    response = client.get(
        reverse("parking:permit_report_xlsx"), {"start": TODAY().replace(day=1).isoformat(), "end": TODAY()}
    )
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert values[0][1:] == ["Residential", 1, 1, 0, 2, 90]
    assert values[-1][0] == "Total" and values[-1][5] == 2


def test_who_may_do_what(client, clerk, auditor, field_crew, supervisor, issued, party, permit_types):
    # the auditor reads but cannot issue
    _login(client, auditor)
    assert client.get(reverse("parking:permit_list")).status_code == 200
    assert client.get(issued.get_absolute_url()).status_code == 200
    assert client.get(reverse("parking:permit_new")).status_code == 403
    assert (
        client.post(
            reverse("parking:permit_renew", args=[issued.number]), {"token": uuid.uuid4()}
        ).status_code
        == 403
    )
    # field crew sees nothing of permits
    _login(client, field_crew)
    for url in (
        reverse("parking:permit_list"),
        issued.get_absolute_url(),
        reverse("parking:permit_letter", args=[issued.number]),
        reverse("parking:inventory"),
        reverse("parking:permit_report"),
    ):
        assert client.get(url).status_code == 403, url
    # a clerk has no report
    _login(client, clerk)
    assert client.get(reverse("parking:permit_report")).status_code == 403
    assert not Permit.objects.filter(renewal_of=issued).exists()


def test_a_clerk_cannot_receive_stock_through_the_service_either(permit_types, clerk):
    with pytest.raises(NotAllowed):
        pm.stock_receive(
            permit_type=permit_types["RES"], first=1, last=2, received_on=TODAY(), acting_user=clerk
        )
