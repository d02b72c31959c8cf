"""Customer deposits: how much an account must hold, charging it, crediting interest, and at the
final bill applying it to what the account owes and refunding the rest.

The ledger, through the core's posting functions only:
- charged: `charge_assess` with the deposit liability as the charge's "revenue" account
  (Dr utility receivable, Cr customer deposits); the customer pays it like any charge, so the
  money ends in the liability;
- interest: Dr interest expense, Cr customer deposits (added to what is held), or, paid yearly,
  Cr the customer's credit on account;
- applied: a payment out of the liability (`payment_post` with the deposit account as its
  debit) to the final bill's open charges, oldest first; what is left goes to the customer's
  credit on account (the payment's excess), or, when the policy says so, Dr customer deposits,
  Cr refunds payable for payables to pay;
- never paid: the deposit charge is waived (Dr customer deposits, Cr receivable), so nothing
  unpaid is applied."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Sum

from revenue import services as core
from revenue.dates import add_months
from revenue.models import Account, Charge, Payment, PaymentApplication

from .. import deposit_rules as rules
from ..models import Bill, BillLine, Deposit, DepositPolicy, ServiceAccount, ServiceOrder, UtilityPolicy

ZERO = Decimal("0.00")


class DepositError(core.RevenueError):
    """A deposit cannot be charged or applied as asked."""


def deposit_policy(on: datetime.date | None = None) -> DepositPolicy:
    return core.policy_on(DepositPolicy, on, related=("interest_account",))


def _utility(on: datetime.date | None = None) -> UtilityPolicy:
    return core.policy_on(UtilityPolicy, on, related=("receivable_account", "deposit_account"))


def good_credit(*, account: ServiceAccount, on: datetime.date, months: int) -> bool:
    """A good payment history: the customer has had another utility account for at least
    `months` months, and in those months no utility charge was paid after its due date (or is
    unpaid past it), no payment of theirs was returned, and no account of theirs was
    disconnected for non-payment."""
    since = add_months(on, -months)
    party = account.party
    if not ServiceAccount.objects.filter(party=party, move_in__lte=since).exclude(pk=account.pk).exists():
        return False
    receivable = _utility(on).receivable_account
    late_payment = PaymentApplication.objects.filter(
        charge=OuterRef("pk"),
        payment__status=Payment.Status.POSTED,
        payment__received_on__gt=OuterRef("due_on"),
    )
    late = Charge.objects.filter(
        party=party, receivable_account=receivable, due_on__gte=since, due_on__lt=on
    ).filter(Q(amount__gt=F("amount_paid") + F("amount_adjusted")) | Exists(late_payment))
    returned = Payment.objects.filter(
        party=party, status=Payment.Status.REVERSED, reversal_entry__entry_date__gte=since
    )
    return not (late.exists() or returned.exists() or _disconnected(party=party, since=since))


def _disconnected(*, party, since: datetime.date) -> bool:
    return ServiceOrder.objects.filter(
        account__party=party,
        kind=ServiceOrder.Kind.DISCONNECT,
        status=ServiceOrder.Status.COMPLETED,
        completed_at__date__gte=since,
    ).exists()


def deposit_held(*, account: ServiceAccount) -> Decimal:
    """What the account's live deposits come to (charged, paid or still to be paid)."""
    held = Deposit.objects.filter(account=account, status=Deposit.Status.HELD).aggregate(t=Sum("amount"))
    return held["t"] or ZERO


def deposit_required(*, account: ServiceAccount, on: datetime.date | None = None) -> Decimal:
    """How much more deposit the account must be charged now (zero when it holds enough)."""
    on = on or core.city_today()
    policy = deposit_policy(on)
    row = policy.amounts.filter(rate_class_id=account.premise.rate_class_id).first()
    since = add_months(on, -policy.lookback_months)
    largest = Bill.objects.filter(
        account__party=account.party, status=Bill.Status.POSTED, bill_date__gte=since
    ).aggregate(m=Max("current_charges"))["m"]
    target = rules.deposit_target(
        base=row.amount if row else ZERO,
        good_credit=good_credit(account=account, on=on, months=policy.good_credit_months),
        waive_with_good_credit=policy.waive_with_good_credit,
        disconnected=_disconnected(party=account.party, since=since),
        largest_bill=largest or ZERO,
        multiple=policy.reconnect_multiple,
    )
    return max(ZERO, target - deposit_held(account=account))


@transaction.atomic
def deposit_charge(
    *, account: ServiceAccount, amount, acting_user, reason: str = "", on: datetime.date | None = None
) -> Deposit:
    """Charge a deposit to the account (on a date, default today): held in the liability once the
    customer pays it."""
    amount = core.money(amount, field="Deposit")
    account = ServiceAccount.objects.select_for_update(no_key=True).select_related("party").get(pk=account.pk)
    if account.status == ServiceAccount.Status.CLOSED:
        raise DepositError(f"Account {account.number} is closed; it cannot be charged a deposit.")
    today = on or core.city_today()
    utility = _utility(today)
    deposit = Deposit.objects.create(
        number=core.number_next(kind="UD", on=today),
        account=account,
        amount=amount,
        reason=reason[:200],
        charged_on=today,
        created_by=acting_user,
    )
    deposit.charge = core.charge_assess(
        party=account.party,
        amount=amount,
        description=f"Deposit, account {account.number}"[:250],
        receivable_account=utility.receivable_account,
        revenue_account=utility.deposit_account,
        source=deposit,
        source_number=deposit.number,
        assessed_on=today,
        acting_user=acting_user,
    )
    deposit.save(update_fields=["charge"])
    core.audit(
        actor=acting_user,
        action="utility.deposit_charged",
        obj=deposit,
        after={"account": account.number, "amount": str(amount), "reason": reason},
    )
    return deposit


def _paid_on(charge: Charge) -> datetime.date | None:
    """When the deposit was paid (the last payment on it): interest runs from then."""
    return PaymentApplication.objects.filter(charge=charge, payment__status=Payment.Status.POSTED).aggregate(
        d=Max("payment__received_on")
    )["d"]


def _interest_due(deposit: Deposit, policy: DepositPolicy, on: datetime.date) -> Decimal:
    paid = deposit.charge.amount_paid
    start = deposit.interest_through or _paid_on(deposit.charge)
    if not paid or start is None:
        return ZERO
    return rules.deposit_interest(
        principal=paid, percent_per_year=policy.interest_percent, start=start, end=on
    )


def _owed_charges(account: ServiceAccount, bill: Bill) -> list[Charge]:
    """What the deposit pays, in order: the final bill's charges, then the account's earlier
    bills' and its orders' fees still open, oldest first (never a deposit itself)."""
    final = list(
        Charge.objects.filter(pk__in=BillLine.objects.filter(bill=bill).values("charge_id")).order_by("pk")
    )
    earlier = Charge.objects.filter(
        Q(pk__in=BillLine.objects.filter(bill__account=account).exclude(bill=bill).values("charge_id"))
        | Q(
            pk__in=ServiceOrder.fee_charges.through.objects.filter(serviceorder__account=account).values(
                "charge_id"
            )
        )
    ).order_by("due_on", "pk")
    return [c for c in final + list(earlier) if c.balance > 0]


def _credit_interest(deposits, policy: DepositPolicy, utility: UtilityPolicy, on, acting_user) -> dict:
    """Interest on each deposit up to `on`, credited to the deposit (Dr interest expense, Cr
    customer deposits) in one entry. Returns {deposit id: interest}."""
    interest = {d.pk: _interest_due(d, policy, on) for d in deposits} if policy.interest_percent else {}
    interest = {pk: amount for pk, amount in interest.items() if amount}
    if interest:
        total = sum(interest.values(), ZERO)
        party = deposits[0].account.party
        core.journal_post(
            lines=[
                core.Line(account=policy.interest_account, debit=total, party=party, memo="Deposit interest"),
                core.Line(
                    account=utility.deposit_account, credit=total, party=party, memo="Deposit interest"
                ),
            ],
            memo=f"Interest on deposit {', '.join(d.number for d in deposits if d.pk in interest)}",
            acting_user=acting_user,
            entry_date=on,
            source=deposits[0],
        )
    return interest


@transaction.atomic
def deposit_apply_final(*, account: ServiceAccount, bill: Bill, acting_user) -> tuple[Decimal, Decimal]:
    """At the final bill: interest credited, the deposits paid applied to what the account owes
    (the final bill first), the rest refunded to the customer's credit on account or as a refund
    to be paid; a deposit never paid is cancelled. Returns (applied, refunded)."""
    if bill.account_id != account.pk or bill.kind != Bill.Kind.FINAL or bill.status != Bill.Status.POSTED:
        raise DepositError(f"Bill {bill.number} is not a posted final bill of account {account.number}.")
    deposits = list(
        Deposit.objects.select_for_update(no_key=True, of=("self",))
        .filter(account=account, status=Deposit.Status.HELD)
        .select_related("charge", "account__party")
        .order_by("pk")
    )
    if not deposits:
        return ZERO, ZERO
    today = core.city_today()
    policy, utility = deposit_policy(today), _utility(today)
    party = deposits[0].account.party
    for d in deposits:
        if d.charge.balance:
            core.charge_adjust(
                charge=d.charge,
                amount=d.charge.balance,
                kind="waiver",
                reason=f"Deposit {d.number} not paid; cancelled at final bill {bill.number}",
                acting_user=acting_user,
            )
    interest = _credit_interest(deposits, policy, utility, today, acting_user)
    available = [d.charge.amount_paid + interest.get(d.pk, ZERO) for d in deposits]
    owed = _owed_charges(account, bill)
    parts, refund = rules.apply_oldest_first(sum(available, ZERO), [c.balance for c in owed])
    applications = [(c, part) for c, part in zip(owed, parts, strict=True) if part]
    applied = sum(parts, ZERO)
    reference = f"Deposit {', '.join(d.number for d in deposits)}"[:60]
    to_credit = policy.refund_to == DepositPolicy.Refund.CREDIT
    paid_out = applied + (refund if to_credit else ZERO)
    if paid_out:
        core.payment_post(
            party=party,
            amount=paid_out,
            applications=applications,
            debit_account=utility.deposit_account,
            acting_user=acting_user,
            received_on=today,
            source=deposits[0],
            reference=reference,
        )
    if refund and not to_credit:
        core.journal_post(
            lines=[
                core.Line(account=utility.deposit_account, debit=refund, party=party, memo=reference),
                core.Line(
                    account=core.account_for_role(Account.Role.REFUNDS_PAYABLE),
                    credit=refund,
                    party=party,
                    memo=f"{reference}: refund to be paid",
                ),
            ],
            memo=f"{reference} refunded after final bill {bill.number}",
            acting_user=acting_user,
            entry_date=today,
            source=deposits[0],
        )
    _close(deposits, available, applied, interest, bill, today, acting_user)
    return applied, refund


def _close(deposits, available, applied, interest, bill, today, acting_user) -> None:
    """Each deposit's share of what was applied (in order) and refunded, recorded and audited."""
    shares, _ = rules.apply_oldest_first(applied, available)
    for d, held, share in zip(deposits, available, shares, strict=True):
        before = {"status": d.status}
        d.status = Deposit.Status.APPLIED
        d.applied, d.refunded = share, held - share
        d.interest_paid += interest.get(d.pk, ZERO)
        d.interest_through, d.final_bill, d.closed_on = today, bill, today
        d.save(
            update_fields=[
                "status",
                "applied",
                "refunded",
                "interest_paid",
                "interest_through",
                "final_bill",
                "closed_on",
            ]
        )
        core.audit(
            actor=acting_user,
            action="utility.deposit_applied",
            obj=d,
            before=before,
            after={"status": d.status, "applied": d.applied, "refunded": d.refunded, "bill": bill.number},
        )


@transaction.atomic
def deposits_interest_pay(*, through: datetime.date, acting_user) -> int:
    """The yearly interest (a policy that pays it yearly): for every deposit held and paid, the
    interest since it was last paid (or since it was paid in) up to `through`, to the customer's
    credit on account, in one entry (Dr interest expense, Cr customer credit per customer).
    Running it again for the same date pays nothing twice. Returns how many deposits earned."""
    policy = deposit_policy(through)
    if not policy.interest_percent or policy.interest_paid != DepositPolicy.InterestPaid.YEARLY:
        return 0
    held = (
        Deposit.objects.select_for_update(no_key=True, of=("self",))
        .filter(status=Deposit.Status.HELD, charge__amount_paid__gt=0)
        .filter(Q(interest_through__isnull=True) | Q(interest_through__lt=through))
        .select_related("charge", "account__party")
        .order_by("pk")
    )
    earned = [(d, _interest_due(d, policy, through)) for d in held]
    earned = [(d, amount) for d, amount in earned if amount]
    if not earned:
        return 0
    total = sum((amount for _d, amount in earned), ZERO)
    credit = core.account_for_role(Account.Role.CUSTOMER_CREDIT)
    memo = f"Deposit interest through {through:%m/%d/%Y}"
    core.journal_post(
        lines=[core.Line(account=policy.interest_account, debit=total, memo=memo)]
        + [
            core.Line(account=credit, credit=amount, party=d.account.party, memo=d.number)
            for d, amount in earned
        ],
        memo=memo,
        acting_user=acting_user,
        entry_date=through,
    )
    for d, amount in earned:
        Deposit.objects.filter(pk=d.pk).update(
            interest_paid=F("interest_paid") + amount, interest_through=through
        )
    core.audit(
        actor=acting_user,
        action="utility.deposit_interest_paid",
        obj=policy,
        after={"through": through, "deposits": len(earned), "total": str(total)},
    )
    return len(earned)
