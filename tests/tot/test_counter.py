"""TOT at the counter: a return picked from the operator's list of open charges brings what
paying today adds (penalty, interest), as typing its number does."""

import datetime
from decimal import Decimal

from django.urls import reverse

from revenue import services as core
from tot import selectors
from tot import services as ts


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
