"""Core operations. Every change of money or status happens here, in one transaction, with an
audit row. Functions are keyword-only and named <entity>_<action>; they raise a RevenueError
(with a sentence for the clerk) and change nothing when they refuse."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from .exceptions import (
    AccountNotConfigured,
    AlreadyDecided,
    AlreadyReversed,
    DuplicateSubmission,
    InsufficientCredit,
    InvalidAmount,
    NoRateInForce,
    NotAllowed,
    OverApplied,
    OverpaymentRefused,
    RevenueError,
    Unbalanced,
)
from .models import (
    ZERO,
    Account,
    ApprovalRequest,
    AuditEvent,
    Charge,
    ExceptionLimit,
    FeeRate,
    FeeType,
    Fund,
    JournalEntry,
    JournalLine,
    Party,
    Payment,
    PaymentApplication,
    SubmissionToken,
)
from .signals import charge_reopened, charge_settled

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # 10 digits before the point: what a money column holds

# --------------------------------------------------------------------------- money and dates


def money(value, *, field: str = "Amount", allow_zero: bool = False) -> Decimal:
    """A valid amount of money: a Decimal with at most two places, positive, at most 10 digits."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidAmount(f"{field} must be a number of dollars and cents.") from exc
    if not amount.is_finite():
        raise InvalidAmount(f"{field} must be a number of dollars and cents.")
    if abs(amount) > MAX_AMOUNT:
        raise InvalidAmount(f"{field} is larger than the system accepts (over 10 digits).")
    if amount != amount.quantize(CENT):
        raise InvalidAmount(f"{field} has more than two decimal places: {value}.")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidAmount(f"{field} must be more than zero.")
    return amount.quantize(CENT)


def round_money(value: Decimal) -> Decimal:
    """Round half up to the cent: once, where a rate meets an amount."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def city_today() -> datetime.date:
    return timezone.localdate()


def fiscal_year_of(day: datetime.date) -> int:
    """The fiscal year a date falls in, named by the calendar year it ends in (FY2027 runs
    July 2026 to June 2027 when the year starts in July)."""
    start = settings.FISCAL_YEAR_START_MONTH
    if start == 1:
        return day.year
    return day.year + 1 if day.month >= start else day.year


def fiscal_year_bounds(fiscal_year: int) -> tuple[datetime.date, datetime.date]:
    start = settings.FISCAL_YEAR_START_MONTH
    first = datetime.date(fiscal_year if start == 1 else fiscal_year - 1, start, 1)
    last = datetime.date(first.year + 1, first.month, 1) - datetime.timedelta(days=1)
    return first, last


# --------------------------------------------------------------------------- numbering


def number_next(
    *, kind: str, on: datetime.date | None = None, per_year: bool = True, year: int | None = None
) -> str:
    """The next gapless number of a kind, e.g. R2027-000123 (per fiscal year) or P000123.

    One upsert statement takes and locks the sequence row until the surrounding transaction
    ends, so concurrent takers queue and a rollback returns the number."""
    if not connection.in_atomic_block:
        raise RuntimeError("number_next must run inside the posting transaction")
    if year is None:  # numbered by fiscal year unless a document has a year of its own (a tax year)
        year = fiscal_year_of(on or city_today()) if per_year else 0
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO revenue_documentsequence (kind, fiscal_year, last_number) VALUES (%s, %s, 1)
            ON CONFLICT (kind, fiscal_year)
            DO UPDATE SET last_number = revenue_documentsequence.last_number + 1
            RETURNING last_number
            """,
            [kind, year],
        )
        (n,) = cur.fetchone()
    return f"{kind}{year}-{n:06d}" if per_year else f"{kind}{n:06d}"


# --------------------------------------------------------------------------- audit


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def audit(*, actor, action: str, obj: models.Model, before=None, after=None, reason: str = "") -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:250],
        before=_jsonable_dict(before),
        after=_jsonable_dict(after),
        reason=reason,
    )


def _jsonable_dict(values: dict | None) -> dict | None:
    return None if values is None else {k: _jsonable(v) for k, v in values.items()}


def audit_trail(obj: models.Model):
    return AuditEvent.objects.filter(
        object_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("actor")


# --------------------------------------------------------------------------- double submits


def submission_claim(*, key, user, result_url: str = "") -> None:
    """Record that the form with token `key` is being done; raise DuplicateSubmission if it was.

    Call inside the transaction that does the work: if the work fails the claim is rolled back
    and the clerk may submit again; a concurrent second submit waits on the unique key and then
    finds it taken."""
    try:
        key = uuid.UUID(str(key))
    except ValueError as exc:
        raise RevenueError("This form has expired. Reload the page and enter it again.") from exc
    existing = SubmissionToken.objects.filter(key=key).first()
    if existing:
        raise DuplicateSubmission(
            "This form was already submitted; it was not posted twice.", existing.result_url
        )
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(key=key, user=user, result_url=result_url)
    except IntegrityError as exc:
        raise DuplicateSubmission("This form was already submitted; it was not posted twice.") from exc


def submission_result(*, key, result_url: str) -> None:
    SubmissionToken.objects.filter(key=key).update(result_url=result_url)


# --------------------------------------------------------------------------- parties

PARTY_FIELDS = [
    "kind",
    "name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "notes",
]


@transaction.atomic
def party_create(*, acting_user, **data) -> Party:
    party = Party(created_by=acting_user, **{k: v for k, v in data.items() if k in PARTY_FIELDS})
    party.number = number_next(kind="P", per_year=False)
    party.full_clean()
    party.save()
    audit(actor=acting_user, action="party.created", obj=party, after=snapshot(party, PARTY_FIELDS))
    return party


@transaction.atomic
def party_update(*, party: Party, acting_user, **data) -> Party:
    party = Party.objects.select_for_update(no_key=True).get(pk=party.pk)
    before = snapshot(party, PARTY_FIELDS)
    for k, v in data.items():
        if k in PARTY_FIELDS:
            setattr(party, k, v)
    party.full_clean()
    after = snapshot(party, PARTY_FIELDS)
    if before != after:
        party.save(update_fields=[k for k in PARTY_FIELDS if before[k] != after[k]])
        audit(actor=acting_user, action="party.updated", obj=party, before=before, after=after)
    return party


# --------------------------------------------------------------------------- chart of accounts


def account_for_role(role: str, *, fund: Fund | None = None) -> Account:
    """The active account that plays `role` in `fund` (default: the general fund)."""
    qs = Account.objects.filter(role=role, active=True)
    qs = qs.filter(fund=fund) if fund else qs.filter(fund__code=settings.GENERAL_FUND_CODE)
    account = qs.first()
    if account is None:
        raise AccountNotConfigured(f"No active account is set up for '{Account.Role(role).label}'.")
    return account


# --------------------------------------------------------------------------- ledger


@dataclass(frozen=True)
class Line:
    account: Account
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    party: Party | None = None
    memo: str = ""


def _source_fields(source: models.Model | None) -> dict:
    if source is None:
        return {"source_type": None, "source_id": None}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}


def _interfund_lines(lines: list[Line]) -> list[Line]:
    """Each fund is a self-balancing set of accounts. Where an entry moves value between funds
    (cash taken into the general fund for a parking citation, say), add a "due to other funds"
    credit in each fund left with more debits and a "due from other funds" debit in each fund
    left with more credits. The whole entry balances, so these lines balance each other."""
    net: dict[int, Decimal] = {}
    funds: dict[int, Fund] = {}
    for ln in lines:
        net[ln.account.fund_id] = net.get(ln.account.fund_id, ZERO) + ln.debit - ln.credit
    extra = []
    for fund_id, amount in sorted(net.items()):
        if amount == ZERO:
            continue
        fund = funds.setdefault(fund_id, Fund.objects.get(pk=fund_id))
        if amount > 0:
            extra.append(
                Line(
                    account=account_for_role(Account.Role.DUE_TO_FUNDS, fund=fund),
                    credit=amount,
                    memo="Interfund: due to other funds",
                )
            )
        else:
            extra.append(
                Line(
                    account=account_for_role(Account.Role.DUE_FROM_FUNDS, fund=fund),
                    debit=-amount,
                    memo="Interfund: due from other funds",
                )
            )
    return extra


@transaction.atomic
def journal_post(
    *,
    lines: list[Line],
    memo: str,
    acting_user,
    entry_date: datetime.date | None = None,
    source: models.Model | None = None,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced entry. Lines of zero are dropped; the database checks the balance again."""
    lines = [ln for ln in lines if ln.debit or ln.credit]
    for ln in lines:
        money(ln.debit, field="Debit", allow_zero=True)
        money(ln.credit, field="Credit", allow_zero=True)
        if ln.debit and ln.credit:
            raise Unbalanced("A journal line is either a debit or a credit, not both.")
    debits = sum((ln.debit for ln in lines), ZERO)
    credits = sum((ln.credit for ln in lines), ZERO)
    if len(lines) < 2 or debits != credits:
        raise Unbalanced(f"Entry does not balance: debits {debits} and credits {credits}.")
    lines += _interfund_lines(lines)
    entry_date = entry_date or city_today()
    entry = JournalEntry.objects.create(
        number=number_next(kind="J", on=entry_date),
        entry_date=entry_date,
        memo=memo[:250],
        reverses=reverses,
        posted_by=acting_user,
        **_source_fields(source),
    )
    JournalLine.objects.bulk_create(
        JournalLine(
            entry=entry,
            account=ln.account,
            party=ln.party,
            debit=ln.debit,
            credit=ln.credit,
            memo=ln.memo[:250],
        )
        for ln in lines
    )
    return entry


@transaction.atomic
def journal_reverse(
    *, entry: JournalEntry, acting_user, memo: str = "", entry_date: datetime.date | None = None
) -> JournalEntry:
    """Reverse a manual entry: a new entry with every line's sides swapped; the original stays as
    it was. An entry that records a charge or a payment is reversed through its own service
    (payment_reverse, charge_adjust), which keeps the charge's totals in step."""
    if (
        Charge.objects.filter(journal_entry=entry).exists()
        or Payment.objects.filter(journal_entry=entry).exists()
    ):
        raise RevenueError(
            f"Entry {entry.number} records a charge or a payment; void or adjust that instead."
        )
    return _journal_reverse(entry=entry, acting_user=acting_user, memo=memo, entry_date=entry_date)


def _journal_reverse(
    *,
    entry: JournalEntry,
    acting_user,
    memo: str = "",
    entry_date: datetime.date | None = None,
    account_map: dict[int, Account] | None = None,
) -> JournalEntry:
    """`account_map` (account id → account) reverses a line into another account: money that has
    moved on since (undeposited funds since taken to the bank) comes back from where it is now."""
    entry = JournalEntry.objects.select_for_update(no_key=True).get(pk=entry.pk)
    if JournalEntry.objects.filter(reverses=entry).exists():
        raise AlreadyReversed(f"Entry {entry.number} has already been reversed.")
    account_map = account_map or {}
    lines = [
        Line(
            account=account_map.get(ln.account_id, ln.account),
            party=ln.party,
            debit=ln.credit,
            credit=ln.debit,
            memo=ln.memo,
        )
        for ln in entry.lines.select_related("account", "party")
    ]
    reversal = journal_post(
        lines=lines,
        memo=memo or f"Reversal of {entry.number}: {entry.memo}",
        acting_user=acting_user,
        entry_date=entry_date,
        source=entry.source,
        reverses=entry,
    )
    audit(actor=acting_user, action="journal.reversed", obj=entry, after={"reversal": reversal.number})
    return reversal


# --------------------------------------------------------------------------- fee schedule


def in_force(queryset, on: datetime.date):
    """The row of an effective-dated table in force on a date: the latest effective on or before it."""
    return queryset.filter(effective_from__lte=on).order_by("-effective_from").first()


def fee_rate_on(*, fee_type: FeeType, on: datetime.date | None = None) -> FeeRate:
    """The rate of a fee in force on a date: the latest one effective on or before it."""
    on = on or city_today()
    rate = in_force(fee_type.rates.all(), on)
    if rate is None:
        raise NoRateInForce(f"{fee_type.name} has no rate in force on {on:%m/%d/%Y}.")
    return rate


@transaction.atomic
def fee_rate_set(
    *, fee_type: FeeType, effective_from: datetime.date, amount, pass_through_amount=ZERO, acting_user
) -> FeeRate:
    amount = None if amount in (None, "") else money(amount, field="Fee amount", allow_zero=True)
    pass_through_amount = money(pass_through_amount, field="Pass-through amount", allow_zero=True)
    if amount is not None and pass_through_amount > amount:
        raise InvalidAmount("The pass-through share cannot be more than the fee.")
    if pass_through_amount and fee_type.pass_through_account_id is None:
        raise AccountNotConfigured(
            f"{fee_type.name} has no pass-through account for the other agency's share."
        )
    if FeeRate.objects.filter(fee_type=fee_type, effective_from=effective_from).exists():
        raise RevenueError(f"{fee_type.name} already has a rate effective {effective_from:%m/%d/%Y}.")
    rate = FeeRate.objects.create(
        fee_type=fee_type,
        effective_from=effective_from,
        amount=amount,
        pass_through_amount=pass_through_amount,
        created_by=acting_user,
    )
    audit(
        actor=acting_user,
        action="fee_rate.created",
        obj=rate,
        after=snapshot(rate, ["effective_from", "amount", "pass_through_amount"]),
    )
    return rate


# --------------------------------------------------------------------------- charges


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


def fee_compute(*, fee_type: FeeType, quantity: int = 1, amount=None, on: datetime.date | None = None):
    """What a fee comes to on a date: (total, pass-through share, rate). A rate with no amount
    is keyed at the counter and needs `amount`."""
    if not isinstance(quantity, int) or quantity < 1 or quantity > 10_000:
        raise InvalidAmount("Quantity must be a whole number from 1 to 10,000.")
    rate = fee_rate_on(fee_type=fee_type, on=on)
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
) -> Charge:
    """Assess a fee from the schedule at the rate in force on `on` (default today)."""
    if not fee_type.active:
        raise RevenueError(f"{fee_type.name} is no longer offered.")
    on = on or city_today()
    total, share, _rate = fee_compute(fee_type=fee_type, quantity=quantity, amount=amount, on=on)
    description = fee_type.name if quantity == 1 else f"{fee_type.name} × {quantity}"
    return charge_assess(
        party=party,
        amount=total,
        description=description,
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


def charges_assess_set(
    *,
    rows_sql: str,
    params: dict,
    party: Party,
    receivable_account: Account,
    revenue_account: Account,
    source_model: type[models.Model],
    memo: str,
    acting_user,
    noun: str = "charges",
    entry_date: datetime.date | None = None,
    source: models.Model | None = None,
) -> tuple[JournalEntry | None, int, Decimal]:
    """Assess many charges at once (a citation import's chunk, a late-penalty run): ONE entry for
    their total (Dr receivable, Cr revenue) and one INSERT … SELECT of the charges sharing it.
    `rows_sql` selects, in the order wanted, source_id, source_number, description, amount,
    assessed_on and due_on; charges of `source_model`. Returns (entry, count, total); nothing is
    posted when the rows are none."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), COALESCE(sum(r.amount), 0) FROM ({rows_sql}) r", params)
        count, total = cur.fetchone()
        if not count:
            return None, 0, ZERO
        line_memo = f"{memo}: {count:,} {noun}"
        entry = journal_post(
            lines=[
                Line(account=receivable_account, debit=total, party=party, memo=line_memo),
                Line(account=revenue_account, credit=total, party=party, memo=line_memo),
            ],
            memo=line_memo[:250],
            acting_user=acting_user,
            entry_date=entry_date,
            source=source,
        )
        cur.execute(
            f"""
            INSERT INTO revenue_charge
                (party_id, fee_type_id, description, amount, amount_paid, amount_adjusted, assessed_on, due_on,
                 receivable_account_id, revenue_account_id, pass_through_account_id, pass_through_amount,
                 source_type_id, source_id, source_number, journal_entry_id, created_at, created_by_id)
            SELECT %(_party)s, NULL, left(r.description, 250), r.amount, 0, 0, r.assessed_on, r.due_on,
                   %(_receivable)s, %(_revenue)s, NULL, 0, %(_ctype)s, r.source_id, r.source_number,
                   %(_entry)s, now(), %(_user)s
              FROM ({rows_sql}) r
            """,
            {
                **params,
                "_party": party.pk,
                "_receivable": receivable_account.pk,
                "_revenue": revenue_account.pk,
                "_ctype": ContentType.objects.get_for_model(source_model).pk,
                "_entry": entry.pk,
                "_user": acting_user.pk,
            },
        )
    return entry, count, total


@dataclass(frozen=True)
class NewCharge:
    amount: Decimal
    due_on: datetime.date
    description: str
    source_number: str


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
    locked = lock_charges(c.pk for c in charges)
    for c in locked.values():
        # the new charges carry no other agency's share and credit `revenue_account` if waived
        # later: a charge that would leave either out of step with the ledger is not moved
        if c.balance and c.pass_through_amount:
            raise RevenueError(f"{c.source_number} includes another agency's share; it cannot be moved.")
        if c.balance and c.revenue_account_id != revenue_account.pk:
            raise RevenueError(
                f"{c.source_number} was credited to {c.revenue_account}, not {revenue_account}."
            )
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


# --------------------------------------------------------------------------- payments


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
    if debits is None:
        if debit_account is None:
            raise ValueError("payment_post needs debit_account or debits")
        debits = [(debit_account, amount)]
    debits = [(account, money(part, field=f"Amount to {account.name}")) for account, part in debits]
    if sum((part for _a, part in debits), ZERO) != amount:
        raise Unbalanced(
            f"The tenders come to {sum((p for _a, p in debits), ZERO)}, not the payment of {amount}."
        )
    wanted: dict[int, Decimal] = {}
    for charge, applied in applications:
        applied = money(applied, field=f"Amount applied to {charge.source_number}")
        wanted[charge.pk] = wanted.get(charge.pk, ZERO) + applied
    charges = lock_charges(wanted)
    applied_total = sum(wanted.values(), ZERO)
    for pk, applied in wanted.items():
        charge = charges[pk]
        if applied > charge.balance:
            raise OverApplied(
                f"{charge.source_number} has a balance of {charge.balance}; cannot apply {applied}."
            )
    if applied_total > amount:
        raise OverApplied(f"Applied {applied_total} is more than the payment of {amount}.")
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


# --------------------------------------------------------------------------- approvals

ApprovalHandler = Callable[[ApprovalRequest, object], None]
_APPROVAL_HANDLERS: dict[tuple[str, str], ApprovalHandler] = {}


def approval_handler(kind: str, model: type[models.Model]):
    """Register the operation that runs when a request of `kind` on a `model` is approved.
    Duty apps register theirs (a receipt void, a refund) in their AppConfig.ready()."""

    def register(fn: ApprovalHandler) -> ApprovalHandler:
        _APPROVAL_HANDLERS[(kind, model._meta.label_lower)] = fn
        return fn

    return register


@approval_handler(ApprovalRequest.Kind.WAIVER, Charge)
def _approve_waiver(request: ApprovalRequest, acting_user) -> None:
    charge_adjust(
        charge=request.target,
        amount=request.amount,
        kind=request.kind,
        acting_user=acting_user,
        reason=request.reason,
    )


@approval_handler(ApprovalRequest.Kind.WRITE_OFF, Charge)
def _approve_write_off(request: ApprovalRequest, acting_user) -> None:
    charge_adjust(
        charge=request.target,
        amount=request.amount,
        kind=request.kind,
        acting_user=acting_user,
        reason=request.reason,
    )


@approval_handler(ApprovalRequest.Kind.REFUND, Party)
def _approve_refund(request: ApprovalRequest, acting_user) -> None:
    """A refund of credit on account: Dr customer credit, Cr refunds payable (paid by payables)."""
    party = Party.objects.select_for_update(no_key=True).get(pk=request.target_id)
    available = party.credit_balance()
    if request.amount > available:
        raise InsufficientCredit(
            f"{party.name} has {available} on account now; cannot refund {request.amount}."
        )
    memo = f"Refund of credit on account: {request.reason}"[:250]
    journal_post(
        lines=[
            Line(
                account=account_for_role(Account.Role.CUSTOMER_CREDIT),
                debit=request.amount,
                party=party,
                memo=memo,
            ),
            Line(
                account=account_for_role(Account.Role.REFUNDS_PAYABLE),
                credit=request.amount,
                party=party,
                memo=memo,
            ),
        ],
        memo=f"Refund to {party.name}",
        acting_user=acting_user,
        source=request,
    )
    audit(
        actor=acting_user,
        action="party.refunded",
        obj=party,
        after={"amount": str(request.amount)},
        reason=request.reason,
    )


@transaction.atomic
def approval_request(
    *, kind: str, target: models.Model, reason: str, acting_user, amount=None
) -> ApprovalRequest:
    """Ask for an exception. Within a limit the requester's role holds for this kind (set in
    configuration, e.g. an Account Services Representative II's waivers up to $50) it is done at
    once and recorded as "done within own limit"; otherwise it waits for a supervisor."""
    if not acting_user.has_perm("revenue.request_exception"):
        raise NotAllowed("Your role cannot request exceptions.")
    if (kind, target._meta.label_lower) not in _APPROVAL_HANDLERS:
        raise RevenueError(f"A {kind} cannot be requested for a {target._meta.verbose_name}.")
    if not reason or not reason.strip():
        raise RevenueError("A reason is required.")
    from .extensions import exception_guards

    for guard in exception_guards:
        refusal = guard(kind, target)
        if refusal:
            raise NotAllowed(refusal)
    if amount is not None:
        amount = money(amount)
        if isinstance(target, Party):
            target = Party.objects.select_for_update(no_key=True).get(pk=target.pk)
            if amount > target.credit_balance():
                raise InsufficientCredit(
                    f"{target.name} has {target.credit_balance()} on account; cannot refund {amount}."
                )
        if isinstance(target, Charge):
            target = lock_charges([target.pk])[target.pk]
            if amount > target.balance:
                raise OverApplied(
                    f"{target.source_number} has a balance of {target.balance}; "
                    f"cannot {ApprovalRequest.Kind(kind).label.lower()} {amount}."
                )
    target_type = ContentType.objects.get_for_model(target)
    if ApprovalRequest.objects.filter(
        kind=kind, target_type=target_type, target_id=target.pk, status=ApprovalRequest.Status.PENDING
    ).exists():
        raise RevenueError(
            f"A {ApprovalRequest.Kind(kind).label.lower()} of {target} is already waiting for a supervisor."
        )
    limit = exception_limit(user=acting_user, kind=kind)
    # a limit holds for a target in total: asking again for the same charge adds up
    done_before = (
        ApprovalRequest.objects.filter(
            kind=kind, target_type=target_type, target_id=target.pk, status=ApprovalRequest.Status.PERFORMED
        ).aggregate(total=models.Sum("amount"))["total"]
        or ZERO
    )
    own_authority = amount is not None and limit is not None and amount + done_before <= limit
    request = ApprovalRequest.objects.create(
        kind=kind,
        target_type=target_type,
        target_id=target.pk,
        target_repr=str(target)[:250],
        amount=amount,
        reason=reason.strip(),
        requested_by=acting_user,
        status=ApprovalRequest.Status.PERFORMED if own_authority else ApprovalRequest.Status.PENDING,
        decided_at=timezone.now() if own_authority else None,
        decision_note=f"Within the requester's limit of {limit}" if own_authority else "",
    )
    audit(
        actor=acting_user,
        action="approval.performed" if own_authority else "approval.requested",
        obj=request,
        after={"kind": kind, "amount": _jsonable(amount), "target": str(target), "limit": _jsonable(limit)},
        reason=reason,
    )
    if own_authority:
        _APPROVAL_HANDLERS[(kind, target._meta.label_lower)](request, acting_user)
    return request


def exception_limit(*, user, kind: str, on: datetime.date | None = None) -> Decimal | None:
    """The highest amount any of the user's roles may do an exception of `kind` for on its own,
    by the limits in force on `on`; None when no role of theirs has one."""
    on = on or city_today()
    best = None
    for group_id in user.groups.values_list("pk", flat=True):
        row = in_force(ExceptionLimit.objects.filter(role_id=group_id, kind=kind), on)
        limit = row.max_amount if row else None
        if limit is not None and (best is None or limit > best):
            best = limit
    return best if best else None


@transaction.atomic
def approval_decide(
    *, request: ApprovalRequest, approve: bool, acting_user, note: str = ""
) -> ApprovalRequest:
    """A supervisor approves (the operation runs now, in this transaction) or denies."""
    if not acting_user.has_perm("revenue.approve_exception"):
        raise NotAllowed("Only a Revenue Supervisor can approve or deny requests.")
    request = ApprovalRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    if request.status != ApprovalRequest.Status.PENDING:
        raise AlreadyDecided(f"This request was already {request.get_status_display().lower()}.")
    if request.requested_by_id == acting_user.pk:
        raise NotAllowed("You cannot decide your own request; another supervisor must.")
    if not approve and not note.strip():
        raise RevenueError("Say why the request is denied.")
    request.status = ApprovalRequest.Status.APPROVED if approve else ApprovalRequest.Status.DENIED
    request.decided_by = acting_user
    request.decided_at = timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if approve:
        handler = _APPROVAL_HANDLERS[(request.kind, request.target_type.model_class()._meta.label_lower)]
        handler(request, acting_user)
    audit(
        actor=acting_user,
        action=f"approval.{request.status}",
        obj=request,
        before={"status": "pending"},
        after={"status": request.status},
        reason=note,
    )
    return request
