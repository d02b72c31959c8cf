"""Bill runs: calculated into bills (stored set-based), the proof register with every exception,
approval by another supervisor, posting one entry per chunk, take-back leaving the ledger as it
was, a period billed once, release and e-mail."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.models import Charge, JournalEntry, JournalLine
from revenue.services.jobs import job_execute
from tests.utility_billing.bills_setup import BILL_DATE, PERIOD, D, make_utility
from utility_billing import bill_selectors, services
from utility_billing.models import Bill, BillRun
from utility_billing.services import bills as bill_service
from utility_billing.services.bills import store_bills


def trial_balance() -> dict[str, D]:
    rows = JournalLine.objects.values("account__number").annotate(
        dr=Coalesce(Sum("debit"), D(0)), cr=Coalesce(Sum("credit"), D(0))
    )
    return {r["account__number"]: r["dr"] - r["cr"] for r in rows if r["dr"] != r["cr"]}


def calculated(run, calcs: dict, user) -> BillRun:
    """The run's bills stored from these calculations (account: calc), then the run finished by
    its own calculation step (which finds every account billed and calculates nothing more)."""
    accounts = sorted(calcs, key=lambda a: a.pk)
    with transaction.atomic():
        block = core.numbers_reserve(kind="B", count=len(accounts), on=run.bill_date)
        store_bills(
            accounts=accounts, calcs=[calcs[a] for a in accounts], numbers=block.numbers, run=run,
            kind=Bill.Kind.REGULAR, period_start=run.period_start, period_end=run.period_end,
            bill_date=run.bill_date, due_on=run.due_on,
        )  # fmt: skip
    job = job_execute(run.job_id)  # the run's own job, as the worker runs it
    assert job.status == "done", job.message
    return BillRun.objects.get(pk=run.pk)


def posted(run, user) -> BillRun:
    run = services.bill_run_post_start(run=run, acting_user=user)
    job = job_execute(run.job_id)
    assert job.status == "done", job.message
    return BillRun.objects.get(pk=run.pk)


def start(utility, user) -> BillRun:
    return services.bill_run_start(
        cycle=utility.cycle,
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        bill_date=BILL_DATE,
        acting_user=user,
    )


@pytest.fixture
def utility(accounts, admin_user, role_groups):
    return make_utility(accounts=accounts, acting_user=admin_user, count=5)


@pytest.fixture
def run(utility, senior_clerk):
    run = start(utility, senior_clerk)
    u = utility
    return calculated(
        run,
        {
            u.accounts[0]: u.calc("35.00", "20.00"),
            u.accounts[1]: u.calc("0", "0", usage="0", exceptions=["zero", "no_read"]),
            u.accounts[2]: u.calc("52.50", "30.00", usage="15", estimated=True, exceptions=["estimate"]),
            u.accounts[3]: u.calc("350.00", "200.00", usage="100", exceptions=["high"]),
            u.accounts[4]: u.calc("-17.50", "12.00", usage="-5", exceptions=["negative"]),
        },
        senior_clerk,
    )


def test_a_run_is_calculated_into_draft_bills_with_their_lines_and_totals(run):
    assert run.status == BillRun.Status.CALCULATED
    assert run.bill_count == 5
    assert run.total == D("682.00")  # 55 + 0 + 82.50 + 550 - 5.50
    assert Bill.objects.filter(run=run, status=Bill.Status.DRAFT).count() == 5
    first = run.bills.order_by("number").first()
    assert [ln.description for ln in first.lines.all()] == ["Water usage", "Sewer service"]
    assert run.bills.order_by("number").first().number.startswith("B2027-")
    assert run.number.startswith("BR2027-")


def test_the_proof_register_holds_every_exception_kind(run, client, supervisor):
    totals = bill_selectors.register_totals(run)
    counts = {code: n for code, _label, n in totals["by_exception"]}
    # the negative bill (-5.50) leaves its customer owing less than nothing: a credit balance
    assert counts == {"no_read": 1, "estimate": 1, "high": 1, "zero": 1, "negative": 1, "credit": 1}
    client.force_login(supervisor)
    for code in counts:
        page = client.get(f"/utility/runs/{run.number}/register/?kind={code}")
        assert page.status_code == 200
        assert len(page.context["page"].object_list) == 1, code
    whole = client.get(f"/utility/runs/{run.number}/register/")
    assert "682.00" in whole.content.decode()  # the totals row, from SQL
    xlsx = client.get(f"/utility/runs/{run.number}/register/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_nobody_approves_a_run_they_started_and_a_representative_never(
    run, senior_clerk, clerk, supervisor, client
):
    with pytest.raises(NotAllowed):
        services.bill_run_approve(run=run, acting_user=senior_clerk)
    client.force_login(clerk)
    assert client.post(f"/utility/runs/{run.number}/approve/").status_code == 403
    client.force_login(senior_clerk)
    assert client.post(f"/utility/runs/{run.number}/approve/").status_code == 403
    run.refresh_from_db()
    assert run.status == BillRun.Status.CALCULATED
    client.force_login(supervisor)
    assert client.post(f"/utility/runs/{run.number}/approve/").status_code == 302
    run.refresh_from_db()
    assert run.status == BillRun.Status.APPROVED and run.approved_by == supervisor


def test_the_starter_cannot_approve_even_as_a_supervisor(utility, supervisor, other_supervisor):
    run = calculated(
        start(utility, supervisor), {a: utility.calc("10.00") for a in utility.accounts}, supervisor
    )
    with pytest.raises(NotAllowed, match="another supervisor"):
        services.bill_run_approve(run=run, acting_user=supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database agrees
        BillRun.objects.filter(pk=run.pk).update(approved_by=supervisor)
    assert services.bill_run_approve(run=run, acting_user=other_supervisor).status == BillRun.Status.APPROVED


def test_posting_makes_a_charge_per_service_of_each_bill_in_one_entry_per_chunk(run, supervisor, monkeypatch):
    monkeypatch.setattr(bill_service, "RUN_CHUNK", 2)
    services.bill_run_approve(run=run, acting_user=supervisor)
    run = posted(run, supervisor)
    assert run.status == BillRun.Status.POSTED
    charges = Charge.objects.filter(source_number__startswith="B2027-")
    # 2 + 0 + 2 + 2 + 1 (sewer 12.00; the water credit of -17.50 goes to credit on account)
    assert charges.count() == 7
    assert charges.filter(revenue_account__number="502-4410").count() == 4
    assert len({c.journal_entry_id for c in charges}) == 3  # five bills in chunks of two
    assert JournalEntry.objects.filter(memo__startswith=f"Bill run {run.number}").count() == 3
    credit_bill = run.bills.get(account=run.bills.get(current_charges=D("-5.50")).account)
    assert credit_bill.account.party.credit_balance() == D("17.50")
    assert all(
        ln.charge_id for b in run.bills.exclude(current_charges__lte=0) for ln in b.lines.filter(amount__gt=0)
    )
    assert trial_balance()["501-1210"] == D("699.50")  # 682.00 + the 17.50 credit moved to credit on account


def test_a_run_taken_back_leaves_the_ledger_as_before_and_the_period_may_run_again(
    run, utility, supervisor, senior_clerk
):
    before = trial_balance()
    services.bill_run_approve(run=run, acting_user=supervisor)
    posted(run, supervisor)
    assert trial_balance() != before
    with pytest.raises(RevenueError, match="already bills"):
        start(utility, senior_clerk)  # a second run of the period is refused while this one lives
    services.bill_run_take_back(run=run, acting_user=supervisor, reason="Wrong sewer rate")
    assert trial_balance() == before
    assert not Charge.objects.open().filter(source_number__startswith="B2027-").exists()
    assert run.bills.exclude(status=Bill.Status.TAKEN_BACK).count() == 0
    assert utility.accounts[4].party.credit_balance() == D("0")
    again = start(utility, senior_clerk)  # the period is free again
    assert set(bill_service.candidates(again)) == {a.pk for a in utility.accounts}


def test_a_second_run_bills_nothing(run, utility, senior_clerk):
    # every account of the period has its live bill: the run would calculate nobody
    assert bill_service.candidates(run) == []
    with pytest.raises(IntegrityError), transaction.atomic():  # and the constraint refuses a second bill
        Bill.objects.create(
            number="B2027-999999", account=utility.accounts[0], period_start=PERIOD[0], period_end=PERIOD[1],
            bill_date=BILL_DATE, due_on=BILL_DATE,
        )  # fmt: skip
    with pytest.raises(RevenueError, match="already bills"):
        start(utility, senior_clerk)


def test_a_released_run_cannot_be_taken_back_and_its_bills_are_emailed(
    accounts, admin_user, role_groups, senior_clerk, supervisor, mailoutbox, office
):
    u = make_utility(accounts=accounts, acting_user=admin_user, count=2, emails=True)
    u.accounts[1].bill_by_email = False
    u.accounts[1].save()
    run = calculated(start(u, senior_clerk), {a: u.calc("20.00", "10.00") for a in u.accounts}, senior_clerk)
    services.bill_run_approve(run=run, acting_user=supervisor)
    posted(run, supervisor)
    run = services.bill_run_release(run=run, acting_user=supervisor)
    with pytest.raises(RevenueError, match="cannot be taken back"):
        services.bill_run_take_back(run=run, acting_user=supervisor, reason="too late")
    from utility_billing.services.bill_posting import bill_run_email

    assert bill_run_email(run=run, acting_user=supervisor) == 1
    assert bill_run_email(run=run, acting_user=supervisor) == 0  # once each
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["customer1@example.com"]
    assert mailoutbox[0].attachments[0][2] == "application/pdf"
    bill = run.bills.get(account=u.accounts[0])
    assert bill.emailed_to == "customer1@example.com"
    assert core.audit_trail(bill).filter(action="utility.bill_emailed").exists()
