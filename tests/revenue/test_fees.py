"""The fee schedule: amounts picked by effective date, keyed amounts, pass-through shares."""

import datetime

import pytest

from revenue import services
from revenue.exceptions import InvalidAmount, NoRateInForce
from tests.conftest import D, balance_of


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (datetime.date(2024, 6, 30), None),  # before the first rate
        (datetime.date(2024, 7, 1), D("25.00")),
        (datetime.date(2026, 6, 30), D("25.00")),  # the day before the new rate
        (datetime.date(2026, 7, 1), D("35.00")),  # the new rate's first day
        (datetime.date(2030, 1, 1), D("35.00")),
    ],
)
def test_fee_amount_is_picked_by_effective_date(fees, on, expected):
    if expected is None:
        with pytest.raises(NoRateInForce):
            services.fee_rate_on(fee_type=fees["NSF"], on=on)
    else:
        assert services.fee_rate_on(fee_type=fees["NSF"], on=on).amount == expected


def test_fee_by_quantity_at_the_rate_of_the_day(fees, party, clerk):
    old = services.charge_assess_fee(
        party=party, fee_type=fees["COPY"], quantity=7, on=datetime.date(2026, 6, 30), acting_user=clerk
    )
    new = services.charge_assess_fee(
        party=party, fee_type=fees["COPY"], quantity=7, on=datetime.date(2026, 7, 1), acting_user=clerk
    )
    assert (old.amount, new.amount) == (D("1.05"), D("1.75"))
    assert new.description == "Copies (per page) × 7"


def test_a_keyed_fee_needs_its_amount_and_a_set_fee_refuses_another(fees, party, clerk):
    with pytest.raises(InvalidAmount, match="enter the amount"):
        services.charge_assess_fee(party=party, fee_type=fees["MISC"], acting_user=clerk)
    charge = services.charge_assess_fee(party=party, fee_type=fees["MISC"], amount="12.34", acting_user=clerk)
    assert charge.amount == D("12.34")
    with pytest.raises(InvalidAmount, match="set at 15.00"):
        services.charge_assess_fee(party=party, fee_type=fees["NOTARY"], amount="5.00", acting_user=clerk)


def test_pass_through_share_is_credited_to_the_agency_liability(fees, party, clerk, accounts):
    charge = services.charge_assess_fee(party=party, fee_type=fees["SB1186"], quantity=3, acting_user=clerk)
    assert charge.amount == D("12.00")
    assert balance_of(accounts["100-2210"]) == D("-1.20")  # the State's share
    assert balance_of(accounts["100-4180"]) == D("-10.80")  # the city's share
    assert balance_of(accounts["100-1210"]) == D("12.00")


def test_a_second_rate_on_the_same_date_is_refused(fees, admin_user):
    with pytest.raises(services.RevenueError, match="already has a rate"):
        services.fee_rate_set(
            fee_type=fees["NSF"],
            effective_from=datetime.date(2026, 7, 1),
            amount="40.00",
            acting_user=admin_user,
        )


def test_rates_are_audited_with_who_and_when(fees, admin_user):
    rate = services.fee_rate_set(
        fee_type=fees["NSF"], effective_from=datetime.date(2027, 7, 1), amount="40.00", acting_user=admin_user
    )
    event = services.audit_trail(rate).get()
    assert event.actor == admin_user and event.after["amount"] == "40.00"


def test_a_waiver_takes_back_the_other_agencys_share_pro_rata(fees, party, clerk, accounts):
    charge = services.charge_assess_fee(party=party, fee_type=fees["SB1186"], quantity=3, acting_user=clerk)
    services.charge_adjust(charge=charge, amount="4.00", kind="waiver", acting_user=clerk, reason="error")
    assert balance_of(accounts["100-2210"]) == D("-0.80")  # 1.20 less a third
    services.charge_adjust(charge=charge, amount="8.00", kind="waiver", acting_user=clerk, reason="error")
    assert balance_of(accounts["100-2210"]) == D("0.00")  # fully waived: exactly the whole share back
    assert balance_of(accounts["100-4180"]) == D("0.00")
    assert balance_of(accounts["100-1210"]) == D("0.00")


def test_a_share_needs_an_account_for_the_other_agency(fees, admin_user):
    from revenue.exceptions import AccountNotConfigured

    with pytest.raises(AccountNotConfigured):
        services.fee_rate_set(
            fee_type=fees["NOTARY"],
            effective_from=datetime.date(2027, 7, 1),
            amount="15.00",
            pass_through_amount="1.00",
            acting_user=admin_user,
        )
