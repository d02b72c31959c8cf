"""Each fund balances on its own: entries that cross funds get due-to / due-from lines."""

import pytest

from revenue import selectors, services
from revenue.exceptions import AccountNotConfigured
from revenue.models import Account
from tests.conftest import D, balance_of


def _citation(party, accounts, clerk):
    """A parking citation: the parking fund's receivable and fine revenue."""
    return services.charge_assess(
        party=party,
        amount=D("50.00"),
        description="Citation",
        receivable_account=accounts["240-1210"],
        revenue_account=accounts["240-4520"],
        acting_user=clerk,
    )


def fund_totals(entry):
    totals = {}
    for line in entry.lines.select_related("account__fund"):
        code = line.account.fund.code
        totals[code] = totals.get(code, D("0")) + line.debit - line.credit
    return totals


def test_cash_taken_in_the_general_fund_for_a_parking_citation_balances_both_funds(
    party, accounts, undeposited, clerk
):
    citation = _citation(party, accounts, clerk)
    payment = services.payment_post(
        party=party,
        amount=D("50.00"),
        applications=[(citation, D("50.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    assert fund_totals(payment.journal_entry) == {"100": D("0.00"), "240": D("0.00")}
    assert balance_of(accounts["100-2310"]) == D("-50.00")  # general fund owes the parking fund
    assert balance_of(accounts["240-1310"]) == D("50.00")  # parking fund is owed by the general fund

    services.payment_reverse(payment=payment, acting_user=clerk, reason="Check returned")
    assert balance_of(accounts["100-2310"]) == balance_of(accounts["240-1310"]) == D("0.00")
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_a_payment_across_three_funds(party, accounts, undeposited, clerk):
    charges = [
        services.charge_assess(
            party=party,
            amount=D(amount),
            description=desc,
            receivable_account=accounts[rec],
            revenue_account=accounts[rev],
            acting_user=clerk,
        )
        for amount, desc, rec, rev in [
            ("30.00", "Water", "501-1210", "501-4310"),
            ("12.25", "Sewer", "502-1210", "502-4410"),
            ("5.00", "Copies", "100-1210", "100-4120"),
        ]
    ]
    payment = services.payment_post(
        party=party,
        amount=D("50.00"),
        applications=[(c, c.amount) for c in charges],
        debit_account=undeposited,
        acting_user=clerk,
    )
    assert set(fund_totals(payment.journal_entry).values()) == {D("0.00")}
    assert balance_of(accounts["100-2310"]) == D("-42.25")
    assert (balance_of(accounts["501-1310"]), balance_of(accounts["502-1310"])) == (D("30.00"), D("12.25"))


def test_an_entry_across_funds_needs_the_interfund_accounts(party, accounts, undeposited, clerk):
    Account.objects.filter(role=Account.Role.DUE_FROM_FUNDS, fund__code="240").update(active=False)
    citation = _citation(party, accounts, clerk)
    with pytest.raises(AccountNotConfigured, match="Due from other funds"):
        services.payment_post(
            party=party,
            amount=D("50.00"),
            applications=[(citation, D("50.00"))],
            debit_account=undeposited,
            acting_user=clerk,
        )


def test_the_trial_balance_shows_each_fund_balancing(client, supervisor, party, accounts, undeposited, clerk):
    from django.urls import reverse

    citation = _citation(party, accounts, clerk)
    services.payment_post(
        party=party,
        amount=D("30.00"),
        applications=[(citation, D("30.00"))],
        debit_account=undeposited,
        acting_user=clerk,
    )
    client.force_login(supervisor)
    tb = client.get(reverse("trial_balance")).context["tb"]
    funds = {g.fund.code: (g.debit, g.credit) for g in tb.by_fund}
    assert funds == {"100": (D("30.00"), D("30.00")), "240": (D("50.00"), D("50.00"))}
    assert all(g.in_balance for g in tb.by_fund)
