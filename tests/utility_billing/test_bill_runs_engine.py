"""A bill run over the demo city through the rate engine (ub-rates' calculate), as the job
worker runs it: every active account of the cycle billed once, posted, a second run of the period
billing nothing; and the final bill of an account moving out."""

import datetime

import pytest

from revenue.exceptions import RevenueError
from revenue.models import Charge
from revenue.services.jobs import job_execute
from utility_billing import demo, services
from utility_billing.models import Bill, BillRun, ServiceAccount
from utility_billing.services import bills as bill_service


@pytest.fixture
def city(accounts, admin_user, field_crew, senior_clerk, supervisor):
    return demo.load_utility(acting_user=admin_user)


def _run(city, user) -> BillRun:
    cycle = city["cycles"]["monthly"]
    return services.bill_run_start(
        cycle=cycle,
        period_start=demo.month_end(2) + datetime.timedelta(days=1),
        period_end=demo.month_end(1),
        bill_date=demo.month_end(1) + datetime.timedelta(days=1),
        acting_user=user,
    )


def test_a_run_through_the_engine_bills_each_account_once(city, senior_clerk, supervisor):
    run = _run(city, senior_clerk)
    assert job_execute(run.job_id).status == "done"
    run.refresh_from_db()
    active = ServiceAccount.objects.filter(premise__cycle=run.cycle, status="active").count()
    assert run.status == BillRun.Status.CALCULATED and run.bill_count == active > 0
    assert run.total > 0
    assert Bill.objects.filter(run=run, lines__isnull=True).count() == 0  # every bill has its lines
    services.bill_run_approve(run=run, acting_user=supervisor)
    run = services.bill_run_post_start(run=run, acting_user=supervisor)
    assert job_execute(run.job_id).status == "done"
    charged = sum(c.amount for c in Charge.objects.filter(source_number__in=run.bills.values("number")))
    assert charged >= run.total  # a service netting below zero goes to credit on account instead
    # a second run of the period bills nothing: refused while the first lives, nobody left to bill
    with pytest.raises(RevenueError, match="already bills"):
        _run(city, senior_clerk)
    assert bill_service.candidates(run) == []


def test_the_final_bill_is_posted_at_once_from_the_last_bill_to_the_day(city, senior_clerk, supervisor):
    run = _run(city, senior_clerk)
    job_execute(run.job_id)
    account = run.bills.order_by("number").first().account
    through = run.period_end + datetime.timedelta(days=10)
    bill = services.bill_final(account=account, through=through, acting_user=supervisor)
    assert bill.kind == Bill.Kind.FINAL and bill.status == Bill.Status.POSTED and bill.run is None
    assert (bill.period_start, bill.period_end) == (run.period_end + datetime.timedelta(days=1), through)
    assert sum(c.amount for c in Charge.objects.filter(source_number=bill.number)) >= bill.current_charges
    assert bill.lines.exists()
    with pytest.raises(RevenueError, match="final bill"):
        services.bill_final(account=account, through=through, acting_user=supervisor)


def test_a_chunk_takes_a_fixed_number_of_queries_and_stores_what_each_account_gives_alone(
    city, senior_clerk, django_assert_max_num_queries
):
    from django.db import transaction

    from utility_billing.services.calc import calculate

    run = _run(city, senior_clerk)
    ids = bill_service.candidates(run)
    assert len(ids) > 100
    alone = {
        pk: calculate(account=ServiceAccount(pk=pk), period_start=run.period_start, period_end=run.period_end)
        for pk in ids
    }
    # 47 for the demo's ~150 accounts: the chunk's prefetch, one read of schedules per service,
    # rate class and first day billed, numbers, balances and the two INSERTs; not one per account
    with django_assert_max_num_queries(60), transaction.atomic():
        made = bill_service._calculate_chunk(bill_service._locked_run(run), ids)
    assert made == len(ids)
    for bill in run.bills.prefetch_related("lines"):
        calc = alone[bill.account_id]
        assert (bill.current_charges, bill.usage) == (calc.total, calc.usage)
        assert [
            (ln.description, ln.quantity, ln.rate, ln.amount) for ln in bill.lines.order_by("sort_order")
        ] == [(ln.description[:200], ln.quantity, ln.rate, ln.amount) for ln in calc.lines]
