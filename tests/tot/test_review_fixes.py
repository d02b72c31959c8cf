"""The reviewer's findings on tot, each pinned by a test that failed before its fix."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from revenue import services as core
from revenue.dates import add_months
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import ApprovalRequest, Charge
from revenue.signals import charges_requested
from tot import reports, selectors
from tot import services as ts
from tot.models import NonFilerNotice, Operator
from tot.services import nonfilers as nonfiler_service

D = Decimal
d = datetime.date


def _answers(responses) -> list[str]:
    return [n for _receiver, answer in responses for n in (answer or [])]


def _late(ret) -> list[Charge]:
    policy = ts.policy_on(ret.period_start)
    late = (policy.penalty_revenue_account_id, policy.interest_revenue_account_id)
    return [c for c in selectors.period_charges(ret) if c.revenue_account_id in late]


def _late_owed(ret) -> Decimal:
    return sum((c.balance for c in _late(ret)), D("0.00"))


# --------------------------------------------------------------------------- 1. counter after an amendment


def test_the_counter_hears_of_every_number_of_the_period_with_open_charges(hotel, file_return, clerk, pay):
    ret = file_return(hotel, (2026, 8), "10000.00", d(2026, 9, 10))  # tax 1,200 due 09/30
    pay(ret, "1200.00", d(2026, 9, 10))
    new = ts.return_amend(
        current=ret,
        reason="Missed a week",
        acting_user=clerk,
        received_on=d(2026, 10, 5),
        gross_rents=D("12000.00"),
    )  # 240 more on the amendment's number
    responses = charges_requested.send(
        sender=None, number=ret.number.lower(), on=d(2026, 10, 10), acting_user=clerk
    )
    numbers = _answers(responses)
    assert new.number in numbers and ret.number not in numbers  # the original is paid in full
    late = [(c.source_number, c.amount) for c in _late(new)]
    assert late == [(new.number, D("24.00")), (new.number, D("1.20"))]


def test_the_original_number_is_answered_too_while_it_has_a_balance(hotel, file_return, clerk):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    new = ts.return_amend(current=ret, reason="More", acting_user=clerk, gross_rents=D("11000.00"))
    numbers = _answers(
        charges_requested.send(sender=None, number=new.number, on=d(2026, 7, 20), acting_user=clerk)
    )
    assert numbers == [ret.number, new.number]
    assert (
        _answers(charges_requested.send(sender=None, number="NOPE", on=d(2026, 7, 20), acting_user=clerk))
        == []
    )


# --------------------------------------------------------------------------- 2. amendments that lower the tax


def test_an_amendment_down_takes_back_the_late_charges_on_tax_no_longer_owed(hotel, file_return, clerk):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))  # tax 1,000 due 07/31
    made = ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    assert [c.amount for c in made] == [D("100.00"), D("5.00")]
    new = ts.return_amend(
        current=ret,
        reason="Refunded stays",
        acting_user=clerk,
        received_on=d(2026, 8, 15),
        gross_rents=D("5000.00"),
    )
    assert _late_owed(new) == D("52.50")
    assert (new.penalties_taken_back, new.interest_taken_back) == (D("50.00"), D("2.50"))
    waived = [c for c in _late(new) if c.amount_adjusted]
    assert [c.amount_adjusted for c in waived] == [D("50.00"), D("2.50")]
    view = ts.late_view(new, d(2026, 8, 10))
    assert view.total == view.assessed == D("52.50") and view.to_add == 0
    assert ts.penalties_to_date(ret=new, on=d(2026, 8, 10), acting_user=clerk) == []
    # later, the second penalty and a second month of interest on the new tax only
    made = ts.penalties_to_date(ret=new, on=d(2026, 9, 2), acting_user=clerk)
    assert [c.amount for c in made] == [D("50.00"), D("2.50")]
    assert _late_owed(new) == D("105.00")  # 50 + 50 + 0.5% of 500 × 2
    assert hotel.party.credit_balance() == 0


def test_late_charges_already_paid_go_to_credit_on_account(hotel, file_return, clerk, pay, accounts):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    for charge in selectors.period_charges(ret):
        pay(charge, str(charge.balance), d(2026, 8, 10))
    new = ts.return_amend(current=ret, reason="Refunded stays", acting_user=clerk, gross_rents=D("5000.00"))
    assert hotel.party.credit_balance() == D("500.00") + D("50.00") + D("2.50")
    assert (new.penalties_taken_back, new.interest_taken_back) == (D("50.00"), D("2.50"))
    assert _late_owed(new) == 0
    (row,) = reports.tot_rows(2026)
    assert (row.tax, row.tax_collected, row.late_assessed, row.late_collected) == (
        D("500.00"),
        D("500.00"),
        D("52.50"),
        D("52.50"),
    )
    assert row.balance == 0
    # down again: only what is left beyond the new figure comes back, nothing twice
    newer = ts.return_amend(current=new, reason="Fewer still", acting_user=clerk, gross_rents=D("4000.00"))
    assert (newer.penalties_taken_back, newer.interest_taken_back) == (D("10.00"), D("0.50"))
    assert hotel.party.credit_balance() == D("600.00") + D("60.00") + D("3.00")


def test_an_approved_audit_adjustment_down_takes_back_late_charges(
    hotel, file_return, clerk, supervisor, other_supervisor
):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    pending = ts.audit_adjustment_request(
        current=ret, gross_rents=D("5000.00"), reason="Rent roll", acting_user=supervisor
    )
    assert _late_owed(ret) == D("105.00")  # nothing changes while it waits
    core.approval_decide(
        request=ApprovalRequest.objects.get(target_id=pending.pk), approve=True, acting_user=other_supervisor
    )
    assert _late_owed(pending) == D("52.50")


def test_an_amendment_back_up_assesses_again_what_was_taken_back(hotel, file_return, clerk):
    ret = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    ts.penalties_to_date(ret=ret, on=d(2026, 8, 10), acting_user=clerk)
    down = ts.return_amend(current=ret, reason="Down", acting_user=clerk, gross_rents=D("5000.00"))
    up = ts.return_amend(current=down, reason="Up again", acting_user=clerk, gross_rents=D("10000.00"))
    made = ts.penalties_to_date(ret=up, on=d(2026, 8, 10), acting_user=clerk)
    assert [c.amount for c in made] == [D("50.00"), D("2.50")]
    assert _late_owed(up) == D("105.00")


# --------------------------------------------------------------------------- 3. closed and suspended non-filers


def test_closed_and_suspended_operators_reach_the_nonfiler_list(hotel, file_return, admin_user, other_party):
    today = core.city_today()
    closed_on = add_months(today.replace(day=1), -3) + datetime.timedelta(days=9)
    common = {"party": other_party, "kind": "motel", "location": "1 Pier", "rooms": 3}
    closed = ts.operator_create(
        acting_user=admin_user, certificate_number="TOT-C1", name="Closed Inn", status="closed",
        opened_on=d(2025, 1, 1), closed_on=closed_on, **common,
    )  # fmt: skip
    suspended = ts.operator_create(
        acting_user=admin_user, certificate_number="TOT-S1", name="Suspended Lodge", status="suspended",
        opened_on=d(2025, 1, 1), **common,
    )  # fmt: skip
    rows = {m.operator: m.periods for m in selectors.nonfilers(today)}
    assert set(rows) == {hotel, closed, suspended}
    assert rows[closed] == selectors.missing_periods(closed, today) and rows[closed]
    assert max(rows[closed]) == closed_on.replace(day=1)
    assert rows[suspended] == rows[hotel]
    assert len(ts.nonfiler_notices_send(acting_user=admin_user)) == sum(len(p) for p in rows.values())


# --------------------------------------------------------------------------- 4. operator permissions


def test_operators_are_added_and_changed_only_with_the_permission(hotel, auditor, field_crew, other_party):
    for user in (auditor, field_crew):
        with pytest.raises(NotAllowed):
            ts.operator_create(
                acting_user=user, party=other_party, certificate_number="TOT-X", name="X", kind="hotel",
                location="x", rooms=1, opened_on=d(2025, 1, 1),
            )  # fmt: skip
        with pytest.raises(NotAllowed):
            ts.operator_update(operator=hotel, acting_user=user, rooms=41)
    hotel.refresh_from_db()
    assert hotel.rooms == 40 and Operator.objects.count() == 1


# --------------------------------------------------------------------------- 5, 6. the operator form


def _operator_form(party, **over):
    return {
        "token": str(uuid.uuid4()),
        "party_number": party.number,
        "certificate_number": "TOT-77",
        "name": "Gull Cottage",
        "kind": "str",
        "location": "3 Dune Rd",
        "rooms": "1",
        "status": "active",
        "opened_on": "2025-03-01",
        **over,
    }


@pytest.mark.parametrize("number", ["TÖT-1", "TOT 1", "TOT_1", "ＴＯＴ１", "TOT-1²"])
def test_a_certificate_number_is_plain_letters_digits_and_dashes(
    client, clerk, tot_policy, other_party, admin_user, number
):
    client.force_login(clerk)
    response = client.post(
        reverse("tot:operator_new"), _operator_form(other_party, certificate_number=number)
    )
    assert (
        response.status_code == 200
        and "letters A to Z, digits 0 to 9 and dashes" in response.content.decode()
    )
    assert not Operator.objects.exists()
    with pytest.raises(RevenueError, match="letters A to Z"):
        ts.operator_create(
            acting_user=admin_user, party=other_party, certificate_number=number, name="X", kind="hotel",
            location="x", rooms=1, opened_on=d(2025, 1, 1),
        )  # fmt: skip


def test_a_lowercase_certificate_number_is_uppercased(client, clerk, tot_policy, other_party):
    client.force_login(clerk)
    client.post(reverse("tot:operator_new"), _operator_form(other_party, certificate_number=" tot-9a "))
    assert Operator.objects.get().certificate_number == "TOT-9A"


def test_rooms_are_bounded(client, clerk, tot_policy, other_party, admin_user, hotel):
    client.force_login(clerk)
    response = client.post(reverse("tot:operator_new"), _operator_form(other_party, rooms="3000000000"))
    assert response.status_code == 200 and "At most 100,000 rooms" in response.content.decode()
    edit = {k: v for k, v in _operator_form(other_party).items() if k not in ("token", "certificate_number")}
    response = client.post(
        reverse("tot:operator_edit", args=[hotel.certificate_number]), {**edit, "rooms": "3000000000"}
    )
    assert response.status_code == 200 and "At most 100,000 rooms" in response.content.decode()
    with pytest.raises(RevenueError, match="at most 100,000"):
        ts.operator_update(operator=hotel, acting_user=admin_user, rooms=3_000_000_000)
    hotel.refresh_from_db()
    assert hotel.rooms == 40 and Operator.objects.count() == 1


# --------------------------------------------------------------------------- 7. non-filer queries


def _operators(n, party, user, start=0):
    for i in range(start, start + n):
        ts.operator_create(
            acting_user=user, party=party, certificate_number=f"TOT-Q{i}", name=f"Inn {i}", kind="motel",
            location="1 Pier", rooms=3, opened_on=d(2025, 1, 1),
        )  # fmt: skip


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["tot:nonfilers", "tot:nonfiler_notices_pdf"])
def test_the_nonfiler_pages_do_not_query_per_operator(
    client, senior_clerk, tot_policy, other_party, admin_user, name
):
    client.force_login(senior_clerk)
    url = reverse(name)
    _operators(1, other_party, admin_user)
    _queries(client, url)  # warm up (session, content types)
    one = _queries(client, url)
    _operators(9, other_party, admin_user, start=1)
    ten = _queries(client, url)
    assert ten - one < 5, (one, ten)


def test_due_dates_match_the_policy_in_force(tot_policy):
    periods = [d(2023, 12, 1), d(2026, 6, 1)]
    assert selectors.due_dates(periods) == {
        d(2023, 12, 1): None,
        d(2026, 6, 1): ts.period_terms((2026, 6)).due_on,
    }


# --------------------------------------------------------------------------- 8. the "paid on" date


@pytest.mark.parametrize(
    "on, message",
    [
        ("9999-12-31", "at most 5 years ahead"),
        ("2100-01-01", "at most 5 years ahead"),
        ("2026-05-31", "cannot be before the period (June 2026)"),
    ],
)
def test_the_paid_on_date_is_bounded(client, auditor, hotel, file_return, on, message):
    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    client.force_login(auditor)
    response = client.get(june.get_absolute_url() + f"?on={on}")
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "Shown for today" in body
    assert june.charges().count() == 1


def test_the_paid_on_date_within_bounds_still_works(client, auditor, hotel, file_return):
    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))
    client.force_login(auditor)
    latest = add_months(core.city_today(), 60)
    body = client.get(june.get_absolute_url() + f"?on={latest:%Y-%m-%d}").content.decode()
    assert "Interest 0.5%" in body and "at most 5 years" not in body


def test_an_unreachable_date_is_a_message_not_a_500(monkeypatch, auditor, hotel, file_return):
    from tot import views

    june = file_return(hotel, (2026, 6), "10000.00", d(2026, 7, 10))

    def boom(ret, on):
        raise ValueError("year 10000 is out of range")

    monkeypatch.setattr(views.services, "late_view", boom)
    late, error = views._late_for(june, d(9999, 12, 31))
    assert late is None and "cannot be worked out" in error


# --------------------------------------------------------------------------- 9. notices sent at once


def test_two_clerks_sending_notices_at_once_count_only_what_each_inserted(
    monkeypatch, hotel, senior_clerk, supervisor
):
    today = core.city_today()
    stale = selectors.nonfilers(today)  # what the second clerk saw before the first clerk's commit
    assert stale and all(m.new_periods for m in stale)
    first = ts.nonfiler_notices_send(acting_user=senior_clerk, on=today)
    assert first and len(first) == NonFilerNotice.objects.count()
    assert all(n.pk for n in first)
    monkeypatch.setattr(nonfiler_service, "nonfilers", lambda on=None: stale)
    assert ts.nonfiler_notices_send(acting_user=supervisor, on=today) == []
    assert NonFilerNotice.objects.count() == len(first)
    assert set(NonFilerNotice.objects.values_list("created_by", flat=True)) == {senior_clerk.pk}
