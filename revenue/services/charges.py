"""Charges: assessed, adjusted, assessed in sets, transferred."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.db.models import Case, F, Value, When

from ..dates import city_today
from ..exceptions import (
    AccountNotConfigured,
    InsufficientCredit,
    InvalidAmount,
    OverApplied,
    RevenueError,
    Unbalanced,
)
from ..models import (
    ZERO,
    Account,
    ApprovalRequest,
    Charge,
    FeeType,
    JournalEntry,
    Party,
)
from ..money import money, round_money
from ..signals import charge_settled
from .audit import audit, snapshot
from .fees import fee_rate_on
from .ledger import Line, _journal_reverse, _source_fields, account_for_role, journal_post
from .numbers import number_next


@transaction.atomic
def charge_assess(
    *,
    party: Party,
    amount,
    description: str,
    receivable_account: Account,
    revenue_account: Account,
    acting_user,
    pass_through: tuple[Account, Decimal] | None = None,
    fee_type: FeeType | None = None,
    source: models.Model | None = None,
    source_number: str = "",
    assessed_on: datetime.date | None = None,
    due_on: datetime.date | None = None,
) -> Charge:
    """Assess a charge: Dr receivable, Cr revenue (and Cr the pass-through liability for another
    agency's share)."""
    amount = money(amount)
    assessed_on = assessed_on or city_today()
    share = ZERO
    if pass_through is not None:
        share = money(pass_through[1], field="Pass-through share", allow_zero=True)
        if share > amount:
            raise InvalidAmount("The pass-through share cannot be more than the charge.")
        if share and pass_through[0] is None:
            raise AccountNotConfigured("No account is set up for the other agency's share of this fee.")
    source_number = source_number or number_next(kind="C", on=assessed_on)
    lines = [
        Line(account=receivable_account, debit=amount, party=party, memo=description),
        Line(account=revenue_account, credit=amount - share, party=party, memo=description),
    ]
    if share:
        lines.append(
            Line(account=pass_through[0], credit=share, party=party, memo=f"{description} (pass-through)")
        )
    entry = journal_post(
        lines=lines,
        memo=f"{source_number} {description}",
        acting_user=acting_user,
        entry_date=assessed_on,
        source=source,
    )
    charge = Charge.objects.create(
        party=party,
        fee_type=fee_type,
        description=description[:250],
        amount=amount,
        assessed_on=assessed_on,
        due_on=due_on or assessed_on,
        receivable_account=receivable_account,
        revenue_account=revenue_account,
        pass_through_account=pass_through[0] if share else None,
        pass_through_amount=share,
        source_number=source_number,
        journal_entry=entry,
        created_by=acting_user,
        **_source_fields(source),
    )
    audit(
        actor=acting_user,
        action="charge.assessed",
        obj=charge,
        after={"amount": str(amount), "description": description, "number": source_number},
    )
    return charge


def fee_compute(
    *,
    fee_type: FeeType,
    quantity: int = 1,
    amount=None,
    on: datetime.date | None = None,
    allow_zero: bool = False,
):
    """What a fee comes to on a date: (total, pass-through share, rate). A rate with no amount
    is keyed at the counter and needs `amount`. A rate of 0.00 means the fee is not charged: it
    is refused with that sentence, or comes to zero with `allow_zero` (a caller that skips it)."""
    if not isinstance(quantity, int) or quantity < 1 or quantity > 10_000:
        raise InvalidAmount("Quantity must be a whole number from 1 to 10,000.")
    rate = fee_rate_on(fee_type=fee_type, on=on)
    if rate.amount == ZERO:
        if not allow_zero:
            raise InvalidAmount(
                f"{fee_type.name} is not charged from {rate.effective_from:%m/%d/%Y} (its rate is 0.00)."
            )
        return ZERO, ZERO, rate
    if rate.amount is None:
        if amount in (None, ""):
            raise InvalidAmount(f"{fee_type.name} has no set amount: enter the amount.")
        unit = money(amount)
    else:
        if amount not in (None, "") and money(amount) != rate.amount:
            raise InvalidAmount(f"{fee_type.name} is set at {rate.amount} by the fee schedule.")
        unit = rate.amount
    total = money(unit * quantity, field="Total")
    return total, rate.pass_through_amount * quantity, rate


@transaction.atomic
def charge_assess_fee(
    *,
    party: Party,
    fee_type: FeeType,
    acting_user,
    quantity: int = 1,
    amount=None,
    on: datetime.date | None = None,
    source: models.Model | None = None,
    source_number: str = "",
    description: str = "",
) -> Charge:
    """Assess a fee from the schedule at the rate in force on `on` (default today). A keyed fee
    (miscellaneous revenue) carries what it was for in `description`, after the fee's name."""
    if not fee_type.active:
        raise RevenueError(f"{fee_type.name} is no longer offered.")
    on = on or city_today()
    total, share, _rate = fee_compute(fee_type=fee_type, quantity=quantity, amount=amount, on=on)
    description = (fee_type.name if quantity == 1 else f"{fee_type.name} × {quantity}") + (
        f": {description.strip()}" if description.strip() else ""
    )
    return charge_assess(
        party=party,
        amount=total,
        description=description[:250],
        receivable_account=fee_type.receivable_account,
        revenue_account=fee_type.revenue_account,
        pass_through=(fee_type.pass_through_account, share) if share else None,
        fee_type=fee_type,
        source=source,
        source_number=source_number,
        assessed_on=on,
        acting_user=acting_user,
    )


def _notify(signal, charges: Iterable[Charge], acting_user) -> None:
    for charge in charges:
        sender = charge.source_type.model_class() if charge.source_type_id else Charge
        signal.send(sender=sender, charge=charge, acting_user=acting_user)


def _add_paid(amounts: dict[int, Decimal]) -> None:
    """Add to (or, negative, take from) the charges' paid totals in one UPDATE statement."""
    if amounts:
        Charge.objects.filter(pk__in=amounts).update(
            amount_paid=F("amount_paid")
            + Case(
                *[When(pk=pk, then=Value(amount)) for pk, amount in amounts.items()],
                output_field=models.DecimalField(max_digits=12, decimal_places=2),
            )
        )


def lock_party(party: Party) -> Party:
    """Lock a party's row: one use of its credit on account at a time."""
    return Party.objects.select_for_update(no_key=True).get(pk=party.pk)


def lock_charges(ids: Iterable[int]) -> dict[int, Charge]:
    """Lock charges in primary-key order, so two postings never deadlock."""
    return {
        c.pk: c for c in Charge.objects.select_for_update(no_key=True).filter(pk__in=set(ids)).order_by("pk")
    }


@transaction.atomic
def charge_adjust(*, charge: Charge, amount, kind: str, acting_user, reason: str) -> JournalEntry:
    """Reduce a charge's balance without money: a waiver (Dr revenue) or a write-off (Dr bad debt)."""
    if not reason.strip():
        raise RevenueError("A reason is required.")
    amount = money(amount)
    charge = lock_charges([charge.pk])[charge.pk]
    if amount > charge.balance:
        raise OverApplied(f"{charge} has a balance of {charge.balance}; cannot adjust {amount}.")
    if kind == ApprovalRequest.Kind.WAIVER:
        debit_account = charge.revenue_account
    elif kind == ApprovalRequest.Kind.WRITE_OFF:
        debit_account = account_for_role(Account.Role.BAD_DEBT, fund=charge.receivable_account.fund)
    else:
        raise RevenueError(f"Unknown adjustment: {kind}.")
    label = ApprovalRequest.Kind(kind).label
    memo = f"{label}: {reason}"[:250]
    # Another agency's share is not owed on what is not collected: take back its part, pro rata,
    # counted on the running total so that a fully adjusted charge takes back exactly the share.
    share = ZERO
    if charge.pass_through_amount:

        def share_of(adjusted):
            return round_money(charge.pass_through_amount * adjusted / charge.amount)

        share = share_of(charge.amount_adjusted + amount) - share_of(charge.amount_adjusted)
    lines = [
        Line(account=debit_account, debit=amount - share, party=charge.party, memo=memo),
        Line(account=charge.receivable_account, credit=amount, party=charge.party, memo=memo),
    ]
    if share:
        lines.append(Line(account=charge.pass_through_account, debit=share, party=charge.party, memo=memo))
    entry = journal_post(
        lines=lines,
        memo=f"{label} of {charge.source_number}",
        acting_user=acting_user,
        source=charge,
    )
    before = snapshot(charge, ["amount_adjusted"])
    Charge.objects.filter(pk=charge.pk).update(amount_adjusted=F("amount_adjusted") + amount)
    charge.refresh_from_db()
    audit(
        actor=acting_user,
        action=f"charge.{kind}",
        obj=charge,
        before=before,
        after=snapshot(charge, ["amount_adjusted"]),
        reason=reason,
    )
    if charge.is_settled:
        _notify(charge_settled, [charge], acting_user)
    return entry


@transaction.atomic
def charges_assess_set(
    *,
    rows_sql: str,
    params: dict,
    party: Party | None,
    receivable_account: Account,
    revenue_account: Account | None,
    source_model: type[models.Model],
    memo: str,
    acting_user,
    noun: str = "charges",
    entry_date: datetime.date | None = None,
    source: models.Model | None = None,
    extra_lines: Iterable[Line] = (),
) -> tuple[JournalEntry | None, int, Decimal]:
    """Assess many charges at once (a citation import's chunk, a late-penalty run, a bill run's
    chunk): ONE entry for their total (Dr receivable, Cr revenue) and one INSERT … SELECT of the
    charges sharing it. `rows_sql` selects, in the order wanted, source_id, source_number,
    description, amount, assessed_on and due_on; charges of `source_model`.

    - `party=None`: each row names its own `party_id` (a bill run's customers); the receivable
      line then carries no party (the charges do).
    - `revenue_account=None`: each row names its own `revenue_account_id`; the entry credits each
      revenue account its rows' total (water and sewer revenue in one entry).
    - `extra_lines`: more lines of the same entry, balanced among themselves (a bill's credit
      moved to the customer's credit on account).

    Returns (entry, count, total); nothing is posted when there are no rows and no extra lines."""
    extra_lines = list(extra_lines)
    if sum((ln.debit - ln.credit for ln in extra_lines), ZERO) != ZERO:
        raise Unbalanced("The extra lines of a set of charges must balance among themselves.")
    party_sql = "%(_party)s" if party is not None else "r.party_id"
    revenue_sql = "%(_revenue)s" if revenue_account is not None else "r.revenue_account_id"
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {revenue_sql}, count(*), COALESCE(sum(r.amount), 0) FROM ({rows_sql}) r GROUP BY 1 ORDER BY 1",
            {**params, "_revenue": revenue_account.pk if revenue_account else None},
        )
        per_account = cur.fetchall()
        count = sum(n for _a, n, _t in per_account)
        total = sum((t for _a, _n, t in per_account), ZERO)
        if not count and not extra_lines:
            return None, 0, ZERO
        line_memo = f"{memo}: {count:,} {noun}"
        accounts = Account.objects.in_bulk([a for a, _n, _t in per_account])
        lines = [Line(account=receivable_account, debit=total, party=party, memo=line_memo)] if count else []
        lines += [
            Line(account=accounts[a], credit=t, party=party, memo=line_memo) for a, _n, t in per_account
        ]
        entry = journal_post(
            lines=lines + extra_lines,
            memo=line_memo[:250],
            acting_user=acting_user,
            entry_date=entry_date,
            source=source,
        )
        if not count:
            return entry, 0, ZERO
        cur.execute(
            f"""
            INSERT INTO revenue_charge
                (party_id, fee_type_id, description, amount, amount_paid, amount_adjusted, assessed_on, due_on,
                 receivable_account_id, revenue_account_id, pass_through_account_id, pass_through_amount,
                 source_type_id, source_id, source_number, journal_entry_id, created_at, created_by_id)
            SELECT {party_sql}, NULL, left(r.description, 250), r.amount, 0, 0, r.assessed_on, r.due_on,
                   %(_receivable)s, {revenue_sql}, NULL, 0, %(_ctype)s, r.source_id, r.source_number,
                   %(_entry)s, now(), %(_user)s
              FROM ({rows_sql}) r
            """,
            {
                **params,
                "_party": party.pk if party is not None else None,
                "_receivable": receivable_account.pk,
                "_revenue": revenue_account.pk if revenue_account is not None else None,
                "_ctype": ContentType.objects.get_for_model(source_model).pk,
                "_entry": entry.pk,
                "_user": acting_user.pk,
            },
        )
        if cur.rowcount != count:  # the rows changed between the two statements: post nothing
            raise Unbalanced(f"{count} charges were counted but {cur.rowcount} made.")
    return entry, count, total


@transaction.atomic
def charges_withdraw_set(*, entry: JournalEntry, acting_user, reason: str) -> JournalEntry:
    """Take back a set of charges assessed together (a bill run's chunk) before anyone was told
    of them: the entry is reversed whole (its extra lines too) and each charge is closed as
    adjusted by its full amount, so the ledger per account is as before. Refused when any charge
    of the entry has been paid or adjusted, or when a customer's credit the entry created has
    been used since."""
    if not reason.strip():
        raise RevenueError("A reason is required.")
    entry = JournalEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    charges = Charge.objects.select_for_update(no_key=True).filter(journal_entry=entry).order_by("pk")
    touched = charges.filter(models.Q(amount_paid__gt=0) | models.Q(amount_adjusted__gt=0)).first()
    if touched is not None:
        raise RevenueError(
            f"{touched.source_number} has been paid or adjusted since it was assessed; it cannot be taken back."
        )
    for ln in entry.lines.filter(account__role=Account.Role.CUSTOMER_CREDIT, credit__gt=0).select_related(
        "party"
    ):
        if ln.party is not None and ln.party.credit_balance() < ln.credit:
            raise InsufficientCredit(
                f"{ln.party} has used the credit of {ln.credit} this entry gave; it cannot be taken back."
            )
    reversal = _journal_reverse(entry=entry, acting_user=acting_user, memo=f"Taken back: {reason}"[:250])
    count = charges.update(amount_adjusted=F("amount"))
    audit(
        actor=acting_user,
        action="charges.withdrawn",
        obj=entry,
        after={"reversal": reversal.number, "charges": count},
        reason=reason,
    )
    return reversal


@dataclass(frozen=True)
class NewCharge:
    amount: Decimal
    due_on: datetime.date
    description: str
    source_number: str


def _transferable(charges: list[Charge], revenue_account: Account) -> dict[int, Charge]:
    """The charges locked (primary-key order) and checked: the new charges carry no other
    agency's share and credit `revenue_account` if waived later, so a charge that would leave
    either out of step with the ledger is not moved."""
    locked = lock_charges(c.pk for c in charges)
    for c in locked.values():
        if c.balance and c.pass_through_amount:
            raise RevenueError(f"{c.source_number} includes another agency's share; it cannot be moved.")
        if c.balance and c.revenue_account_id != revenue_account.pk:
            raise RevenueError(
                f"{c.source_number} was credited to {c.revenue_account}, not {revenue_account}."
            )
    return locked


@transaction.atomic
def charges_transfer(
    *,
    charges: list[Charge],
    into: list[NewCharge],
    party: Party,
    receivable_account: Account,
    revenue_account: Account,
    acting_user,
    reason: str,
    source: models.Model | None = None,
) -> list[Charge]:
    """Move what is owed on some charges into new ones (a payment plan's installments): one entry,
    Dr the new charges' receivable, Cr the old charges' receivable, no revenue touched. The old
    charges are settled by the transfer (counted in amount_adjusted, audited as a transfer)."""
    if not reason.strip():
        raise RevenueError("A reason is required.")
    locked = _transferable(charges, revenue_account)
    owed = sum((c.balance for c in locked.values()), ZERO)
    total = sum((money(n.amount, field=n.description) for n in into), ZERO)
    if not locked or owed == ZERO:
        raise RevenueError("Nothing is owed on those charges.")
    if total != owed:
        raise Unbalanced(f"The new charges come to {total}, not the {owed} owed.")
    lines = [
        Line(account=c.receivable_account, credit=c.balance, party=c.party, memo=f"Transfer: {reason}"[:250])
        for c in locked.values()
        if c.balance
    ]
    lines += [
        Line(
            account=receivable_account, debit=n.amount, party=party, memo=f"{n.source_number} {n.description}"
        )
        for n in into
    ]
    entry = journal_post(
        lines=lines,
        memo=f"Transfer to {into[0].source_number}: {reason}"[:250],
        acting_user=acting_user,
        source=source,
    )
    today = city_today()
    new = Charge.objects.bulk_create(
        Charge(
            party=party,
            description=n.description[:250],
            amount=n.amount,
            assessed_on=today,
            due_on=n.due_on,
            receivable_account=receivable_account,
            revenue_account=revenue_account,
            source_number=n.source_number,
            journal_entry=entry,
            created_by=acting_user,
            **_source_fields(source),
        )
        for n in into
    )
    moved = [c for c in locked.values() if c.balance]
    for c in moved:
        before = snapshot(c, ["amount_adjusted"])
        Charge.objects.filter(pk=c.pk).update(amount_adjusted=F("amount_adjusted") + c.balance)
        c.refresh_from_db()
        audit(
            actor=acting_user,
            action="charge.transferred",
            obj=c,
            before=before,
            after={**snapshot(c, ["amount_adjusted"]), "to": [n.source_number for n in into]},
            reason=reason,
        )
    _notify(charge_settled, moved, acting_user)
    return new


def charge_details(charges: Iterable[Charge]) -> dict[int, str]:
    """What each charge paid for, in the words of the app that owns it (a plate, a license
    period, a service address), for receipts; charges no app describes are left out."""
    from ..extensions import charge_describers

    charges = list(charges)
    details: dict[int, str] = {}
    for describe in charge_describers:
        details.update({pk: text for pk, text in describe(charges).items() if text and pk not in details})
    return details
