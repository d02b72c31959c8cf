"""Payments: posted, applied from credit, reversed."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import models, transaction

from ..dates import city_today
from ..exceptions import (
    AlreadyReversed,
    InsufficientCredit,
    OverApplied,
    OverpaymentRefused,
    RevenueError,
    Unbalanced,
)
from ..models import (
    ZERO,
    Account,
    Charge,
    Party,
    Payment,
    PaymentApplication,
)
from ..money import money
from ..signals import charge_reopened, charge_settled
from .audit import audit
from .charges import _add_paid, _notify, lock_charges
from .ledger import Line, _journal_reverse, _source_fields, account_for_role, journal_post


@transaction.atomic
def payment_post(
    *,
    party: Party,
    amount,
    applications: list[tuple[Charge, Decimal]],
    acting_user,
    debit_account: Account | None = None,
    debits: list[tuple[Account, Decimal]] | None = None,
    received_on: datetime.date | None = None,
    source: models.Model | None = None,
    reference: str = "",
    allow_credit: bool = True,
) -> Payment:
    """Apply money received to charges (in full or in part); any excess goes to the payer's
    credit on account, or is refused when `allow_credit` is off.
    Dr `debit_account`, or each of `debits` (undeposited funds by tender: cash, checks, cards),
    Cr each charge's receivable, Cr customer credit."""
    amount = money(amount, field="Payment")
    debits = _checked_debits(amount, debits, debit_account)
    wanted, charges = _checked_applications(applications, amount)
    applied_total = sum(wanted.values(), ZERO)
    excess = amount - applied_total
    if excess and not allow_credit:
        raise OverpaymentRefused(f"The payment is {excess} more than what is owed.")
    credit_account = account_for_role(Account.Role.CUSTOMER_CREDIT) if excess else None
    received_on = received_on or city_today()
    lines = [Line(account=account, debit=part, party=party, memo=reference) for account, part in debits]
    lines += [
        Line(
            account=charges[pk].receivable_account,
            credit=applied,
            party=charges[pk].party,
            memo=f"Payment {reference} on {charges[pk].source_number}".replace("  ", " "),
        )
        for pk, applied in wanted.items()
    ]
    if excess:
        lines.append(Line(account=credit_account, credit=excess, party=party, memo="Credit on account"))
    entry = journal_post(
        lines=lines,
        memo=f"Payment {reference}".strip(),
        acting_user=acting_user,
        entry_date=received_on,
        source=source,
    )
    payment = Payment.objects.create(
        party=party,
        received_on=received_on,
        amount=amount,
        credit_amount=excess,
        reference=reference,
        journal_entry=entry,
        created_by=acting_user,
        **_source_fields(source),
    )
    PaymentApplication.objects.bulk_create(
        PaymentApplication(payment=payment, charge_id=pk, amount=applied) for pk, applied in wanted.items()
    )
    _add_paid(wanted)
    settled = [c for c in Charge.objects.filter(pk__in=wanted).order_by("pk") if c.is_settled]
    audit(
        actor=acting_user,
        action="payment.posted",
        obj=payment,
        after={
            "amount": str(amount),
            "applied": str(applied_total),
            "credit": str(excess),
            "charges": [charges[pk].source_number for pk in wanted],
        },
    )
    _notify(charge_settled, settled, acting_user)
    return payment


def _checked_debits(amount: Decimal, debits, debit_account) -> list[tuple[Account, Decimal]]:
    """What the payment debits: one account, or one per tender kind adding up to the payment."""
    if debits is None:
        if debit_account is None:
            raise ValueError("payment_post needs debit_account or debits")
        debits = [(debit_account, amount)]
    debits = [(account, money(part, field=f"Amount to {account.name}")) for account, part in debits]
    if sum((part for _a, part in debits), ZERO) != amount:
        raise Unbalanced(
            f"The tenders come to {sum((p for _a, p in debits), ZERO)}, not the payment of {amount}."
        )
    return debits


def _checked_applications(applications, amount: Decimal) -> tuple[dict[int, Decimal], dict[int, Charge]]:
    """The amounts applied per charge, each within its balance under the charge's lock (taken in
    primary-key order), and together within the payment."""
    wanted: dict[int, Decimal] = {}
    for charge, applied in applications:
        applied = money(applied, field=f"Amount applied to {charge.source_number}")
        wanted[charge.pk] = wanted.get(charge.pk, ZERO) + applied
    charges = lock_charges(wanted)
    for pk, applied in wanted.items():
        charge = charges[pk]
        if applied > charge.balance:
            raise OverApplied(
                f"{charge.source_number} has a balance of {charge.balance}; cannot apply {applied}."
            )
    applied_total = sum(wanted.values(), ZERO)
    if applied_total > amount:
        raise OverApplied(f"Applied {applied_total} is more than the payment of {amount}.")
    return wanted, charges


@transaction.atomic
def credit_apply(*, party: Party, applications: list[tuple[Charge, Decimal]], acting_user) -> Payment:
    """Pay charges out of the party's credit on account (Dr customer credit, Cr receivable)."""
    Party.objects.select_for_update(no_key=True).get(pk=party.pk)  # one use of a party's credit at a time
    total = sum((money(a) for _c, a in applications), ZERO)
    available = party.credit_balance()
    if total > available:
        raise InsufficientCredit(f"{party.name} has {available} on account; {total} was asked for.")
    return payment_post(
        party=party,
        amount=total,
        applications=applications,
        debit_account=account_for_role(Account.Role.CUSTOMER_CREDIT),
        acting_user=acting_user,
        reference="Credit on account",
        allow_credit=False,
    )


@transaction.atomic
def payment_reverse(
    *,
    payment: Payment,
    acting_user,
    reason: str,
    on: datetime.date | None = None,
    account_map: dict[int, Account] | None = None,
) -> Payment:
    """Undo a payment (a void, a returned check): reversing entry, charges re-opened, source
    objects told. The credit it left on account must still be there to take back."""
    if not reason.strip():
        raise RevenueError("A reason is required.")
    Party.objects.select_for_update(no_key=True).get(pk=payment.party_id)
    payment = Payment.objects.select_for_update(no_key=True).get(pk=payment.pk)
    if payment.status == Payment.Status.REVERSED:
        raise AlreadyReversed(f"Payment {payment.reference or payment.pk} has already been reversed.")
    if payment.credit_amount and payment.party.credit_balance() < payment.credit_amount:
        raise InsufficientCredit(
            "The credit this payment left on account has since been used; reverse that use first."
        )
    apps = list(payment.applications.all())
    charges = lock_charges(a.charge_id for a in apps)
    were_settled = {pk for pk, c in charges.items() if c.is_settled}
    reversal = _journal_reverse(
        entry=payment.journal_entry,
        acting_user=acting_user,
        entry_date=on,
        memo=f"Reversal of payment {payment.reference}: {reason}".strip(),
        account_map=account_map,
    )
    _add_paid({a.charge_id: -a.amount for a in apps})
    payment.status = Payment.Status.REVERSED
    payment.reversal_entry = reversal
    payment.save(update_fields=["status", "reversal_entry"])
    audit(
        actor=acting_user,
        action="payment.reversed",
        obj=payment,
        before={"status": "posted"},
        after={"status": "reversed", "entry": reversal.number},
        reason=reason,
    )
    reopened = [c for c in Charge.objects.filter(pk__in=were_settled).order_by("pk")]
    _notify(charge_reopened, reopened, acting_user)
    return payment
