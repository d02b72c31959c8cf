"""Deposits: charged by rate class (waived for a good payment history), required again after a
disconnection, interest, and at the final bill applied with the rest refunded. Each test checks
the ledger: the deposit liability, the customer's credit, refunds payable."""

import datetime
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.utils import timezone

from revenue import services as core
from revenue.models import Account, Charge, JournalEntry, JournalLine
from utility_billing import demo
from utility_billing import deposit_rules as rules
from utility_billing.models import (
    Bill,
    BillLine,
    Deposit,
    DepositPolicy,
    Service,
    ServiceAccount,
    ServiceOrder,
)
from utility_billing.services import deposits
from utility_billing.services.orders import order_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def utility(accounts, admin_user):
    return demo.load_utility(acting_user=admin_user)


def _balance(number, party=None, side="credit"):
    lines = JournalLine.objects.filter(account__number=number)
    if party is not None:
        lines = lines.filter(party=party)
    t = lines.aggregate(dr=Sum("debit"), cr=Sum("credit"))
    dr, cr = t["dr"] or D("0"), t["cr"] or D("0")
    return cr - dr if side == "credit" else dr - cr


def _pay(charge, user, on=None):
    return core.payment_post(
        party=charge.party,
        amount=charge.balance,
        applications=[(charge, charge.balance)],
        debit_account=core.account_for_role("undeposited"),
        received_on=on,
        acting_user=user,
        reference="TEST",
    )


def _bill(account, user, amounts, kind=Bill.Kind.FINAL, bill_date=None, n=[0]):  # noqa: B006 - a counter
    """A posted bill with one charge per line (as ub-bills posts them: Dr utility receivable,
    Cr the service's revenue)."""
    n[0] += 1
    bill_date = bill_date or core.city_today()
    total = sum((D(a) for a in amounts), D("0"))
    bill = Bill.objects.create(
        number=f"BT-{n[0]:05d}",
        account=account,
        kind=kind,
        status=Bill.Status.POSTED,
        period_start=bill_date - datetime.timedelta(days=30),
        period_end=bill_date,
        bill_date=bill_date,
        due_on=bill_date + datetime.timedelta(days=21),
        current_charges=total,
    )
    water = Service.objects.get(code="water")
    for i, amount in enumerate(amounts):
        charge = core.charge_assess(
            party=account.party,
            amount=D(amount),
            description=f"Water, bill {bill.number}",
            receivable_account=Account.objects.get(number="501-1210"),
            revenue_account=water.revenue_account,
            source=bill,
            assessed_on=bill_date,
            due_on=bill.due_on,
            acting_user=user,
        )
        BillLine.objects.create(
            bill=bill, service=water, description="Water", amount=D(amount), charge=charge, sort_order=i
        )
    return bill


def _new_policy(user, **changes):
    """A new deposit policy from today, like the demo's but with `changes`."""
    old = deposits.deposit_policy()
    policy = DepositPolicy.objects.create(
        effective_from=core.city_today(),
        interest_percent=changes.get("interest_percent", old.interest_percent),
        interest_account=old.interest_account,
        interest_paid=changes.get("interest_paid", old.interest_paid),
        refund_to=changes.get("refund_to", old.refund_to),
        reconnect_multiple=old.reconnect_multiple,
        created_by=user,
    )
    for row in old.amounts.all():
        policy.amounts.create(rate_class=row.rate_class, amount=row.amount)
    return policy


def test_final_bill_takes_the_deposit_and_the_rest_goes_to_the_customers_credit(utility, admin_user):
    _new_policy(admin_user, interest_percent=D("0"))
    account = utility["final_account"]
    party = account.party
    assert _balance("501-2300", party) == D("100.00")  # the demo's deposit, paid a year ago
    bill = _bill(account, admin_user, ["41.20", "21.20"])
    credit_before = party.credit_balance()

    applied, refunded = deposits.deposit_apply_final(account=account, bill=bill, acting_user=admin_user)

    assert (applied, refunded) == (D("62.40"), D("37.60"))
    assert all(line.charge.balance == 0 for line in bill.lines.select_related("charge"))
    assert _balance("501-2300", party) == 0  # nothing held any more
    assert party.credit_balance() - credit_before == D("37.60")
    deposit = Deposit.objects.get(account=account)
    assert (deposit.status, deposit.applied, deposit.refunded, deposit.final_bill) == (
        "applied",
        D("62.40"),
        D("37.60"),
        bill,
    )
    # a second call finds nothing held: nothing is applied twice
    assert deposits.deposit_apply_final(account=account, bill=bill, acting_user=admin_user) == (0, 0)
    assert _balance("501-2300", party) == 0


def test_a_bill_larger_than_the_deposit_is_paid_in_part_and_nothing_refunded(utility, admin_user):
    _new_policy(admin_user, interest_percent=D("0"))
    account = utility["final_account"]
    earlier = _bill(
        account,
        admin_user,
        ["30.00"],
        kind=Bill.Kind.REGULAR,
        bill_date=core.city_today() - datetime.timedelta(days=40),
    )
    bill = _bill(account, admin_user, ["90.00"])
    applied, refunded = deposits.deposit_apply_final(account=account, bill=bill, acting_user=admin_user)
    assert (applied, refunded) == (D("100.00"), D("0"))
    # the final bill first, then the earlier bill still open
    assert bill.lines.get().charge.balance == 0
    assert earlier.lines.get().charge.balance == D("20.00")


def test_the_rest_as_a_refund_to_be_paid_when_the_policy_says_so(utility, admin_user):
    _new_policy(admin_user, interest_percent=D("0"), refund_to=DepositPolicy.Refund.PAYABLE)
    account = utility["final_account"]
    party = account.party
    bill = _bill(account, admin_user, ["25.00"])
    credit_before = party.credit_balance()
    applied, refunded = deposits.deposit_apply_final(account=account, bill=bill, acting_user=admin_user)
    assert (applied, refunded) == (D("25.00"), D("75.00"))
    assert _balance("100-2160", party) == D("75.00")  # refunds payable, for payables to pay
    assert party.credit_balance() == credit_before
    assert _balance("501-2300", party) == 0


def test_a_deposit_never_paid_is_cancelled_not_applied(utility, admin_user):
    account = utility["accounts"][20]
    deposit = deposits.deposit_charge(account=account, amount="100.00", acting_user=admin_user)
    assert _balance("501-2300", account.party) == D("100.00")  # billed: Dr receivable, Cr liability
    ServiceAccount.objects.filter(pk=account.pk).update(status="final", move_out=core.city_today())
    bill = _bill(account, admin_user, ["40.00"])
    applied, refunded = deposits.deposit_apply_final(account=account, bill=bill, acting_user=admin_user)
    assert (applied, refunded) == (0, 0)
    assert Charge.objects.get(pk=deposit.charge_id).balance == 0  # waived: Dr liability, Cr receivable
    assert _balance("501-2300", account.party) == 0
    assert bill.lines.get().charge.balance == D("40.00")  # still owed


def test_interest_at_refund(utility, admin_user):
    _new_policy(admin_user, interest_percent=D("2.000"))
    account = utility["final_account"]  # its $100 was paid 365 days ago
    bill = _bill(account, admin_user, ["50.00"])
    applied, refunded = deposits.deposit_apply_final(account=account, bill=bill, acting_user=admin_user)
    assert (applied, refunded) == (D("50.00"), D("52.00"))  # 2% of 100 for a year
    assert _balance("501-7920", side="debit") == D("2.00")
    assert _balance("501-2300", account.party) == 0
    assert Deposit.objects.get(account=account).interest_paid == D("2.00")


def test_interest_paid_yearly_to_credit_and_not_twice(utility, admin_user):
    _new_policy(admin_user, interest_percent=D("1.500"), interest_paid=DepositPolicy.InterestPaid.YEARLY)
    today = core.city_today()
    paid = Deposit.objects.filter(charge__amount_paid__gt=0)
    assert deposits.deposits_interest_pay(through=today, acting_user=admin_user) == paid.count()
    party = utility["final_account"].party
    assert party.credit_balance() >= D("1.50")
    assert _balance("501-7920", side="debit") == sum(
        (
            rules.deposit_interest(
                principal=d.amount,
                percent_per_year=D("1.5"),
                start=today - datetime.timedelta(365),
                end=today,
            )
            for d in paid
        ),
        D("0"),
    )
    assert deposits.deposits_interest_pay(through=today, acting_user=admin_user) == 0  # nothing twice


def test_deposit_by_class_waived_for_good_credit(utility, admin_user):
    good = utility["accounts"][30]  # moved in 14 months ago, nothing late
    premise = utility["final_account"].premise
    moving = ServiceAccount.objects.create(
        number="U999001", party=good.party, premise=premise, move_in=core.city_today(), created_by=admin_user
    )
    assert deposits.deposit_required(account=moving) == 0
    late = _bill(
        good,
        admin_user,
        ["45.00"],
        kind=Bill.Kind.REGULAR,
        bill_date=core.city_today() - datetime.timedelta(days=60),
    )
    assert late.lines.get().charge.balance  # unpaid past its due date
    assert deposits.deposit_required(account=moving) == D("100.00")


def test_a_new_customer_pays_the_class_amount(utility, admin_user):
    commercial = next(a for a in utility["accounts"][14:] if a.premise.rate_class.code == "commercial")
    assert deposits.deposit_required(account=commercial) == D("250.00")  # no earlier account
    deposits.deposit_charge(account=commercial, amount="250.00", acting_user=admin_user)
    assert deposits.deposit_required(account=commercial) == 0  # held now


@pytest.mark.parametrize(
    ("months_ago", "required"),
    [(0, D("191.00")), (11, D("191.00")), (13, D("0"))],
    ids=["just now", "within the 12 months", "before the 12 months"],
)
def test_deposit_required_again_after_a_disconnection(utility, admin_user, months_ago, required):
    account = next(d.account for d in utility["deposits"][1:] if d.amount == D("100.00"))  # holds $100, paid
    today = core.city_today()
    _bill(
        account, admin_user, ["80.00"], kind=Bill.Kind.REGULAR, bill_date=today - datetime.timedelta(days=90)
    )
    _bill(
        account, admin_user, ["145.50"], kind=Bill.Kind.REGULAR, bill_date=today - datetime.timedelta(days=60)
    )
    order = order_open(kind="disconnect", premise=account.premise, account=account, acting_user=admin_user)
    done = timezone.now() - datetime.timedelta(days=months_ago * 31)
    ServiceOrder.objects.filter(pk=order.pk).update(status="completed", completed_at=done)
    # twice the largest bill of the last 12 months, less the $100 held
    assert deposits.deposit_required(account=account) == required


@pytest.mark.parametrize(
    ("good", "disconnected", "largest", "expected"),
    [
        (False, False, "0", "100.00"),
        (True, False, "0", "0.00"),
        (True, True, "20.00", "100.00"),  # twice 20 is less than the class's amount
        (True, True, "75.00", "150.00"),
        (False, True, "50.005", "100.01"),
    ],
)
def test_deposit_target_rule(good, disconnected, largest, expected):
    assert rules.deposit_target(
        base=D("100.00"),
        good_credit=good,
        waive_with_good_credit=True,
        disconnected=disconnected,
        largest_bill=D(largest),
        multiple=D("2"),
    ) == D(expected)


@pytest.mark.parametrize(
    ("days", "percent", "expected"),
    [(0, "2", "0.00"), (1, "2", "0.01"), (182, "2", "1.00"), (365, "2", "2.00"), (365, "0", "0.00")],
)
def test_interest_rule(days, percent, expected):
    start = datetime.date(2026, 1, 1)
    got = rules.deposit_interest(
        principal=D("100.00"), percent_per_year=D(percent), start=start, end=start + datetime.timedelta(days)
    )
    assert got == D(expected)


def test_bad_requests_change_nothing(utility, admin_user):
    account = utility["accounts"][40]
    entries = JournalEntry.objects.count()
    for amount in ("abc", "-5", "0"):
        with pytest.raises(core.RevenueError):
            deposits.deposit_charge(account=account, amount=amount, acting_user=admin_user)
    closed = utility["closed_account"]
    with pytest.raises(deposits.DepositError, match="closed"):
        deposits.deposit_charge(account=closed, amount="100", acting_user=admin_user)
    regular = _bill(account, admin_user, ["10.00"], kind=Bill.Kind.REGULAR)
    with pytest.raises(deposits.DepositError, match="not a posted final bill"):
        deposits.deposit_apply_final(account=account, bill=regular, acting_user=admin_user)
    assert JournalEntry.objects.count() == entries + 1  # only the bill's own charge
    assert not Deposit.objects.filter(account__in=[account, closed]).exists()
