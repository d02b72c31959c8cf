"""The engine on the demo city: every monthly account calculates last month with the schedules
the demo sets (tiered water with a rate change, sewer on the winter average and by share, refuse
by cart), and the lines add up to the total."""

import datetime
from decimal import Decimal

import pytest

from utility_billing import demo
from utility_billing.models import ServiceAccount
from utility_billing.services.calc import calc_batch, calculate


@pytest.fixture
def utility(accounts, admin_user, field_crew):
    return demo.load_utility(acting_user=admin_user)


def test_every_monthly_account_calculates_last_month(utility, django_assert_max_num_queries):
    start, end = demo.month_end(2) + datetime.timedelta(days=1), demo.month_end(1)
    accounts = ServiceAccount.objects.filter(premise__cycle__code="monthly", move_in__lte=end).exclude(
        move_out__lt=start
    )
    assert accounts.count() > 100
    flagged = 0
    for account in accounts:
        with django_assert_max_num_queries(30):
            calc = calculate(account=account, period_start=start, period_end=end)
        assert calc.total == sum((ln.amount for ln in calc.lines), Decimal("0"))
        assert calc.total >= 0 or "negative" in calc.exceptions, (account.number, calc.lines)
        services = {ln.service.code for ln in calc.lines}
        assert "water" in services or "no_read" in calc.exceptions, (account.number, calc.exceptions)
        flagged += bool(calc.exceptions)
    assert flagged < accounts.count() / 4


def test_a_batch_reads_the_schedules_once_and_calculates_the_same(utility, django_assert_max_num_queries):
    start, end = demo.month_end(2) + datetime.timedelta(days=1), demo.month_end(1)
    accounts = list(ServiceAccount.objects.filter(premise__cycle__code="monthly", move_in__lte=start)[:40])
    alone = [calculate(account=a, period_start=start, period_end=end) for a in accounts]
    with calc_batch():
        calculate(account=accounts[0], period_start=start, period_end=end)
        with django_assert_max_num_queries(12 * (len(accounts) - 1)):
            batch = [calculate(account=a, period_start=start, period_end=end) for a in accounts[1:]]
    assert [c.total for c in batch] == [c.total for c in alone[1:]]
    assert [[ln.description for ln in c.lines] for c in batch] == [
        [ln.description for ln in c.lines] for c in alone[1:]
    ]


def _lines(calc):
    return [
        (ln.service.pk, getattr(ln.schedule, "pk", None), ln.description, ln.quantity, ln.rate, ln.amount)
        for ln in calc.lines
    ]


def _monthly(start, end):
    return list(
        ServiceAccount.objects.filter(premise__cycle__code="monthly", move_in__lte=end)
        .exclude(move_out__lt=start)
        .order_by("pk")
    )


@pytest.mark.parametrize("months_back", [1, 2])
def test_a_prefetched_batch_reads_a_fixed_number_of_queries_and_bills_exactly_the_same(
    utility, django_assert_max_num_queries, months_back
):
    """A bill run's chunk: every account of the demo's monthly cycle (movers in and out, meter
    changes, the winter average, a rate change) calculated in one batch gives line for line what
    each account gives alone, in a number of queries that does not grow with the accounts."""
    start = demo.month_end(months_back + 1) + datetime.timedelta(days=1)
    end = demo.month_end(months_back)
    accounts = _monthly(start, end)
    assert len(accounts) > 100
    alone = [calculate(account=a, period_start=start, period_end=end) for a in accounts]
    for few in (accounts[:10], accounts):
        with django_assert_max_num_queries(40), calc_batch(few, through=end):
            batch = [calculate(account=a, period_start=start, period_end=end) for a in few]
        assert [_lines(c) for c in batch] == [_lines(c) for c in alone[: len(few)]]
        assert [(c.usage, c.estimated, c.exceptions, c.winter_note) for c in batch] == [
            (c.usage, c.estimated, c.exceptions, c.winter_note) for c in alone[: len(few)]
        ]
    assert any(c.winter_note for c in alone)  # the sewer on the winter average is in the batch


def test_calculate_alone_still_reads_an_account_missing_from_the_batch(utility):
    start, end = demo.month_end(2) + datetime.timedelta(days=1), demo.month_end(1)
    first, second = _monthly(start, end)[:2]
    alone = calculate(account=second, period_start=start, period_end=end)
    with calc_batch([first], through=end):
        inside = calculate(account=second, period_start=start, period_end=end)
    assert _lines(inside) == _lines(alone) and alone.lines
