"""TOT at the counter: a return picked from the operator's list of open charges brings what
paying today adds (penalty, interest), as typing its number does."""

import datetime
from decimal import Decimal

from django.urls import reverse

from revenue import services as core
from revenue.signals import charges_requested
from tot import selectors
from tot import services as ts

D = Decimal
d = datetime.date


def test_adding_a_late_return_from_the_operators_list_brings_its_penalty_and_interest(
    client, clerk, open_session, hotel, file_return
):
    today = core.city_today()
    start = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)  # due last month
    ret = file_return(hotel, (start.year, start.month), "10000.00", start + datetime.timedelta(days=35))
    (tax,) = list(ret.charges())
    client.force_login(clerk)
    client.post(reverse("cashiering:basket"), {"action": "find", "q": hotel.party.number})
    client.post(reverse("cashiering:basket"), {"action": "add_charge", "charge": tax.pk})
    page = client.get(reverse("cashiering:counter"))
    lines = [ln["description"] for ln, _f, _i in page.context["pay_rows"]]
    assert len(lines) >= 3 and any("Penalty" in d for d in lines) and any("Interest" in d for d in lines)
    assert page.context["due"] == sum((c.balance for c in ret.charges()), core.ZERO)


def test_typing_the_original_number_of_an_amended_period_brings_the_whole_period(
    client, clerk, open_session, hotel, file_return
):
    today = core.city_today()
    start = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=1)  # due last month
    ret = file_return(hotel, (start.year, start.month), "10000.00", start + datetime.timedelta(days=35))
    amended = ts.return_amend(
        current=ret,
        reason="Two more rooms were let",
        acting_user=clerk,
        received_on=start + datetime.timedelta(days=40),
        gross_rents=Decimal("11000.00"),
    )
    client.force_login(clerk)
    client.post(reverse("cashiering:basket"), {"action": "find", "q": ret.number.lower()})
    page = client.get(reverse("cashiering:counter"))
    numbers = {ln["number"] for ln, _f, _i in page.context["pay_rows"]}
    assert numbers == {ret.number, amended.number}
    period_owed = sum((c.balance for c in selectors.period_charges(amended) if not c.is_settled), core.ZERO)
    assert page.context["due"] == period_owed and period_owed > Decimal(
        "1100.00"
    )  # tax, extra tax, late lines


def _late(ret):
    policy = ts.policy_on(ret.period_start)
    late = (policy.penalty_revenue_account_id, policy.interest_revenue_account_id)
    return [c for c in selectors.period_charges(ret) if c.revenue_account_id in late]


def _answers(responses) -> list[str]:
    return [n for _receiver, answer in responses for n in (answer or [])]


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
