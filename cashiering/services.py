"""Counter operations: open a drawer, issue a receipt, void it, close out, sign off.

Every function runs in one transaction and locks in a fixed order: the cashier session first
(FOR NO KEY UPDATE for work in the session, FOR UPDATE to close it, so a close waits for any
receipt under way and no receipt can slip in after), then the core's party and charges."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import AccountNotConfigured, InvalidAmount, NotAllowed, RevenueError
from revenue.models import ZERO, Account, ApprovalRequest, Charge, FeeType, Party

from .models import (
    DENOMINATION_BY_KEY,
    CashieringPolicy,
    CashierSession,
    CheckRestriction,
    Deposit,
    Drawer,
    MailBatch,
    Receipt,
    ReceiptLine,
    Remittance,
    ReturnedCheck,
    Tender,
    counts_total,
)


class SessionClosed(RevenueError):
    pass


class TenderShort(RevenueError):
    pass


class ChecksRefused(RevenueError):
    pass


# --------------------------------------------------------------------------- configuration


def policy_on(day: datetime.date | None = None) -> CashieringPolicy:
    day = day or core.city_today()
    policy = core.in_force(CashieringPolicy.objects.all(), day)
    if policy is None:
        raise RevenueError("No counter policy is in force; a supervisor must set one in Configuration.")
    return policy


def clean_counts(counts: dict) -> dict[str, int]:
    """Denomination counts: known denominations, whole numbers from 0 to 100,000."""
    cleaned = {}
    for key, n in (counts or {}).items():
        if key not in DENOMINATION_BY_KEY:
            raise InvalidAmount(f"Unknown denomination: {key}.")
        try:
            n = int(n or 0)
        except (TypeError, ValueError) as exc:
            raise InvalidAmount(f"{DENOMINATION_BY_KEY[key].label}: enter a whole number.") from exc
        if n < 0 or n > 100_000:
            raise InvalidAmount(f"{DENOMINATION_BY_KEY[key].label}: a count from 0 to 100,000.")
        if n:
            cleaned[key] = n
    return cleaned


# --------------------------------------------------------------------------- sessions


@transaction.atomic
def session_open(*, drawer: Drawer, clerk, opening_counts: dict) -> CashierSession:
    if not clerk.has_perm("cashiering.take_payment"):
        raise NotAllowed("Your role does not take payments.")
    if not drawer.active:
        raise RevenueError(f"Drawer {drawer.code} is not in use.")
    if CashierSession.objects.filter(clerk=clerk, status=CashierSession.Status.OPEN).exists():
        raise RevenueError("You already have an open session; close it out first.")
    if CashierSession.objects.filter(drawer=drawer, status=CashierSession.Status.OPEN).exists():
        raise RevenueError(f"Drawer {drawer.code} is in use by another clerk.")
    counts = clean_counts(opening_counts)
    try:
        with transaction.atomic():
            session = CashierSession.objects.create(
                drawer=drawer,
                clerk=clerk,
                business_date=core.city_today(),
                opening_counts=counts,
                opening_float=counts_total(counts),
            )
    except IntegrityError as exc:
        raise RevenueError("A session was opened on this drawer or by you a moment ago.") from exc
    core.audit(
        actor=clerk,
        action="session.opened",
        obj=session,
        after={"drawer": drawer.code, "float": str(session.opening_float)},
    )
    return session


def session_for(user) -> CashierSession | None:
    return (
        CashierSession.objects.filter(clerk=user, status=CashierSession.Status.OPEN)
        .select_related("drawer")
        .first()
    )


def _lock_session(session: CashierSession, *, for_close: bool = False) -> CashierSession:
    qs = CashierSession.objects.select_related("drawer")
    qs = qs.select_for_update(of=("self",)) if for_close else qs.select_for_update(no_key=True, of=("self",))
    return qs.get(pk=session.pk)


# --------------------------------------------------------------------------- receipts


@dataclass(frozen=True)
class Item:
    """A line of the basket: a charge to pay (amount), or a counter fee to assess and pay."""

    amount: Decimal | None = None
    charge: Charge | None = None
    fee_type: FeeType | None = None
    quantity: int = 1


@dataclass(frozen=True)
class TenderIn:
    kind: str
    amount: Decimal  # for cash: what was handed over
    reference: str = ""
    name_on_check: str = ""
    card_last4: str = ""


NONCASH = (Tender.Kind.CHECK, Tender.Kind.CARD, Tender.Kind.MONEY_ORDER)


def _clean_tenders(tenders: list[TenderIn], payer: Party) -> list[TenderIn]:
    if not tenders:
        raise TenderShort("Enter how the payer is paying.")
    cleaned = []
    for t in tenders:
        if t.kind not in Tender.Kind.values:
            raise RevenueError(f"Unknown tender: {t.kind}.")
        label = Tender.Kind(t.kind).label
        amount = core.money(t.amount, field=f"{label} amount")
        reference = (t.reference or "").strip()
        if t.kind in (Tender.Kind.CHECK, Tender.Kind.MONEY_ORDER) and not reference:
            raise RevenueError(f"{label}: enter its number.")
        if t.kind == Tender.Kind.CHECK and not t.name_on_check.strip():
            raise RevenueError("Check: enter the name printed on the check.")
        if t.kind == Tender.Kind.CARD:
            digits = (t.card_last4 or "").strip()
            if len(digits) != 4 or not digits.isdigit():
                raise RevenueError("Card: enter only the last 4 digits of the card, never the whole number.")
            if not reference:
                raise RevenueError("Card: enter the authorization code from the terminal.")
        cleaned.append(
            TenderIn(
                t.kind, amount, reference[:40], t.name_on_check.strip()[:120], (t.card_last4 or "").strip()
            )
        )
    if any(t.kind == Tender.Kind.CHECK for t in cleaned):
        barred = payer.check_restrictions.filter(until__gte=core.city_today()).order_by("-until").first()
        if barred:
            raise ChecksRefused(
                f"No checks are accepted from {payer.name} until {barred.until:%m/%d/%Y} ({barred.reason})."
            )
    return cleaned


@transaction.atomic
def receipt_issue(
    *, session: CashierSession, payer: Party, items: list[Item], tenders: list[TenderIn], acting_user
) -> Receipt:
    """Take money for a basket: assess its counter fees, apply the money to its charges, keep
    any cash change, put a check or card overpayment on account (or refuse it, by policy), and
    post one receipt with its gapless number, ledger entry and tenders, all together."""
    session = _lock_session(session)
    if not session.is_open:
        raise SessionClosed("This session is closed; open a new one to take payments.")
    if session.clerk_id != acting_user.pk:
        raise NotAllowed("Only the clerk who opened this session takes payments in it.")
    if not items:
        raise RevenueError("The basket is empty.")
    tenders = _clean_tenders(tenders, payer)
    policy = policy_on()

    # What is due, worked out before anything is written: counter fees from the schedule, the
    # rest as keyed. Existing charges are locked now (by primary key), before any number is
    # taken, so every posting takes its row locks first and the journal counter last.
    fee_totals = [
        core.fee_compute(fee_type=item.fee_type, quantity=item.quantity, amount=item.amount)[0]
        for item in items
        if item.fee_type is not None
    ]
    paying = [
        (item.charge, core.money(item.amount, field=f"Payment on {item.charge.source_number}"))
        for item in items
        if item.fee_type is None
    ]
    core.lock_charges([c.pk for c, _a in paying])
    applications: list[tuple[Charge, Decimal]] = list(paying)
    due = sum((a for _c, a in applications), ZERO) + sum(fee_totals, ZERO)
    core.money(due, field="The total")

    by_kind = {k: sum((t.amount for t in tenders if t.kind == k), ZERO) for k in Tender.Kind.values}
    noncash = sum((by_kind[k] for k in NONCASH), ZERO)
    cash_tendered = by_kind[Tender.Kind.CASH]
    if noncash + cash_tendered < due:
        raise TenderShort(
            f"The tenders come to {noncash + cash_tendered:,.2f}; {due:,.2f} is due "
            f"(short {due - noncash - cash_tendered:,.2f})."
        )
    cash_needed = max(due - noncash, ZERO)
    if cash_tendered and not cash_needed:
        raise RevenueError("The other tenders already cover the total: no cash is needed.")
    change = cash_tendered - cash_needed if cash_tendered else ZERO
    credit = max(noncash - due, ZERO)
    if credit:
        refusing = [
            Tender.Kind(k).label.lower()
            for k, rule in (
                (Tender.Kind.CHECK, policy.check_overpayment),
                (Tender.Kind.MONEY_ORDER, policy.check_overpayment),
                (Tender.Kind.CARD, policy.card_overpayment),
            )
            if by_kind[k] and rule == CashieringPolicy.Overpayment.REFUSE
        ]
        if refusing:
            raise RevenueError(
                f"The {' and '.join(refusing)} tender is {credit:,.2f} more than is due; "
                "the city does not keep the difference as credit. Correct the amount."
            )
    total = core.money(due + credit, field="The total")

    receipt = Receipt.objects.create(
        number=core.number_next(kind="R"),
        session=session,
        party=payer,
        payer_name=payer.name[:200],
        total=total,
        change_given=change,
        created_by=acting_user,
    )
    assessed: set[int] = set()
    for item in items:
        if item.fee_type is not None:
            charge = core.charge_assess_fee(
                party=payer,
                fee_type=item.fee_type,
                quantity=item.quantity,
                amount=item.amount,
                acting_user=acting_user,
            )
            assessed.add(charge.pk)
            applications.append((charge, charge.amount))
    debits = [
        (core.account_for_role(Account.Role.UNDEPOSITED), cash_tendered - change),
        (
            core.account_for_role(Account.Role.UNDEPOSITED_CHECKS),
            by_kind[Tender.Kind.CHECK] + by_kind[Tender.Kind.MONEY_ORDER],
        ),
        (core.account_for_role(Account.Role.CARD_CLEARING), by_kind[Tender.Kind.CARD]),
    ]
    payment = core.payment_post(
        party=payer,
        amount=total,
        applications=applications,
        debits=[d for d in debits if d[1]],
        acting_user=acting_user,
        source=receipt,
        reference=receipt.number,
    )
    receipt.payment = payment
    receipt.save(update_fields=["payment"])
    fresh = {c.pk: c for c in Charge.objects.filter(pk__in=[c.pk for c, _a in applications])}
    ReceiptLine.objects.bulk_create(
        ReceiptLine(
            receipt=receipt,
            charge_id=c.pk,
            assessed_here=c.pk in assessed,
            amount=a,
            balance_after=fresh[c.pk].balance,
        )
        for c, a in applications
    )
    tender_rows = []
    if cash_tendered:
        tender_rows.append(
            Tender(
                receipt=receipt, kind=Tender.Kind.CASH, amount=cash_tendered - change, tendered=cash_tendered
            )
        )
    tender_rows += [
        Tender(
            receipt=receipt,
            kind=t.kind,
            amount=t.amount,
            tendered=t.amount,
            reference=t.reference,
            name_on_check=t.name_on_check,
            card_last4=t.card_last4,
        )
        for t in tenders
        if t.kind != Tender.Kind.CASH
    ]
    Tender.objects.bulk_create(tender_rows)
    core.audit(
        actor=acting_user,
        action="receipt.issued",
        obj=receipt,
        after={
            "total": str(total),
            "change": str(change),
            "credit": str(credit),
            "tenders": {k: str(v) for k, v in by_kind.items() if v},
        },
    )
    return receipt


@transaction.atomic
def receipt_printed(*, receipt: Receipt, acting_user) -> int:
    """Count a print; the first is the original, every later one is marked DUPLICATE (copy n)."""
    receipt = Receipt.objects.select_for_update(no_key=True).get(pk=receipt.pk)
    receipt.prints += 1
    receipt.save(update_fields=["prints"])
    core.audit(actor=acting_user, action="receipt.printed", obj=receipt, after={"prints": receipt.prints})
    return receipt.prints


# --------------------------------------------------------------------------- voids


def void_precheck(receipt: Receipt) -> None:
    if receipt.status != Receipt.Status.POSTED:
        raise RevenueError(f"Receipt {receipt.number} is already void.")
    if not receipt.session.is_open:
        raise SessionClosed(
            f"Receipt {receipt.number} is in a session already closed out; "
            "it can no longer be voided (a refund or a returned check applies)."
        )


@core.approval_handler(ApprovalRequest.Kind.VOID, Receipt)
def _void_receipt(request: ApprovalRequest, acting_user) -> None:
    receipt = Receipt.objects.select_related("session", "payment").get(pk=request.target_id)
    _lock_session(receipt.session)
    receipt.refresh_from_db()
    void_precheck(receipt)
    if acting_user.pk == receipt.created_by_id and request.status != ApprovalRequest.Status.PERFORMED:
        raise NotAllowed("You took this payment: another supervisor must approve its void.")
    core.payment_reverse(payment=receipt.payment, acting_user=acting_user, reason=f"Void: {request.reason}")
    for line in receipt.lines.filter(assessed_here=True).select_related("charge"):
        line.charge.refresh_from_db()
        if line.charge.balance:
            core.charge_adjust(
                charge=line.charge,
                amount=line.charge.balance,
                kind=ApprovalRequest.Kind.WAIVER,
                acting_user=acting_user,
                reason=f"Receipt {receipt.number} voided",
            )
    receipt.status = Receipt.Status.VOIDED
    receipt.voided_at = timezone.now()
    receipt.void_reason = request.reason
    receipt.save(update_fields=["status", "voided_at", "void_reason"])
    core.audit(
        actor=acting_user,
        action="receipt.voided",
        obj=receipt,
        reason=request.reason,
        before={"status": "posted"},
        after={"status": "voided", "request": request.pk},
    )


@transaction.atomic
def receipt_void_request(*, receipt: Receipt, reason: str, acting_user) -> ApprovalRequest:
    """Ask to void a receipt of the open session. Within the clerk's void limit it is done at
    once; otherwise a supervisor decides."""
    receipt = Receipt.objects.select_related("session").get(pk=receipt.pk)
    void_precheck(receipt)
    if receipt.session.clerk_id != acting_user.pk and not acting_user.has_perm("revenue.approve_exception"):
        raise NotAllowed("Only the clerk whose session took the payment (or a supervisor) asks to void it.")
    return core.approval_request(
        kind=ApprovalRequest.Kind.VOID,
        target=receipt,
        amount=receipt.total,
        reason=reason,
        acting_user=acting_user,
    )


# --------------------------------------------------------------------------- close-out


def session_expected(session: CashierSession) -> dict[str, Decimal]:
    """What the drawer should hold, per tender, from the posted receipts (voids excluded)."""
    from django.db.models import Sum
    from django.db.models.functions import Coalesce

    totals = dict(
        Tender.objects.filter(receipt__session=session, receipt__status=Receipt.Status.POSTED)
        .values("kind")
        .annotate(total=Coalesce(Sum("amount"), ZERO))
        .values_list("kind", "total")
    )
    return {
        "cash": session.opening_float + totals.get(Tender.Kind.CASH, ZERO),
        "checks": totals.get(Tender.Kind.CHECK, ZERO) + totals.get(Tender.Kind.MONEY_ORDER, ZERO),
        "cards": totals.get(Tender.Kind.CARD, ZERO),
    }


def session_checks(session: CashierSession):
    return (
        Tender.objects.filter(
            receipt__session=session,
            receipt__status=Receipt.Status.POSTED,
            kind__in=[Tender.Kind.CHECK, Tender.Kind.MONEY_ORDER],
        )
        .select_related("receipt")
        .order_by("pk")
    )


@transaction.atomic
def session_close(
    *,
    session: CashierSession,
    counted_counts: dict,
    confirmed_check_ids: list[int],
    card_batch_total,
    explanation: str,
    acting_user,
) -> CashierSession:
    """Close out: the drawer is counted, checks confirmed one by one, the card batch total typed
    from the terminal. Locks the session against new receipts first, so every receipt is either
    in these totals or refused."""
    session = _lock_session(session, for_close=True)
    if not session.is_open:
        raise SessionClosed("This session is already closed.")
    if session.clerk_id != acting_user.pk:
        raise NotAllowed("Only the clerk who opened the session closes it out.")
    counts = clean_counts(counted_counts)
    cards = core.money(card_batch_total, field="Card batch total", allow_zero=True)
    checks = list(session_checks(session))
    known = {t.pk for t in checks}
    if not set(confirmed_check_ids) <= known:
        raise RevenueError("A confirmed check is not one of this session's checks.")
    expected = session_expected(session)
    session.counted_counts = counts
    session.counted_cash = counts_total(counts)
    session.counted_checks = sum((t.amount for t in checks if t.pk in set(confirmed_check_ids)), ZERO)
    session.counted_cards = cards
    session.expected_cash, session.expected_checks, session.expected_cards = (
        expected["cash"],
        expected["checks"],
        expected["cards"],
    )
    limit = policy_on(session.business_date).over_short_explain_over
    if any(abs(v) > limit for v in session.over_short().values()) and not explanation.strip():
        raise RevenueError(f"The drawer is over or short by more than {limit:,.2f}: write what happened.")
    session.explanation = explanation.strip()
    Tender.objects.filter(pk__in=set(confirmed_check_ids)).update(confirmed=True)
    session.status = CashierSession.Status.CLOSED
    session.closed_at = timezone.now()
    session.save()
    core.audit(
        actor=acting_user,
        action="session.closed",
        obj=session,
        reason=session.explanation,
        after={k: str(v) for k, v in session.over_short().items()},
    )
    return session


@transaction.atomic
def session_sign_off(*, session: CashierSession, acting_user) -> CashierSession:
    """A supervisor (never the session's clerk) accepts the close-out; the over/short posts."""
    if not acting_user.has_perm("cashiering.sign_off_session"):
        raise NotAllowed("Only a Revenue Supervisor signs off sessions.")
    session = _lock_session(session, for_close=True)
    if session.status != CashierSession.Status.CLOSED:
        raise RevenueError("Only a closed session waiting for sign-off can be signed off.")
    if session.clerk_id == acting_user.pk:
        raise NotAllowed("You cannot sign off your own session.")
    accounts = {
        "cash": core.account_for_role(Account.Role.UNDEPOSITED),
        "checks": core.account_for_role(Account.Role.UNDEPOSITED_CHECKS),
        "cards": core.account_for_role(Account.Role.CARD_CLEARING),
    }
    over_short_account = core.account_for_role(Account.Role.OVER_SHORT)
    lines = []
    for tender, diff in session.over_short().items():
        memo = f"{tender} {'over' if diff > 0 else 'short'} {session}"
        if diff > 0:
            lines += [
                core.Line(account=accounts[tender], debit=diff, memo=memo),
                core.Line(account=over_short_account, credit=diff, memo=memo),
            ]
        elif diff < 0:
            short = -diff
            # a drawer short by more than the cash it took in has lost part of its float: that part
            # comes out of the change fund, so undeposited cash never goes below zero
            from_float = ZERO
            if tender == "cash":
                from_float = max(short - max(session.expected_cash - session.opening_float, ZERO), ZERO)
            lines += [
                core.Line(account=over_short_account, debit=short, memo=memo),
                core.Line(account=accounts[tender], credit=short - from_float, memo=memo),
            ]
            if from_float:
                lines.append(
                    core.Line(
                        account=core.account_for_role(Account.Role.CHANGE_FUND),
                        credit=from_float,
                        memo=f"float short {session}",
                    )
                )
    if lines:
        session.over_short_entry = core.journal_post(
            lines=lines,
            memo=f"Over/short {session}",
            acting_user=acting_user,
            source=session,
            entry_date=session.business_date,
        )
    session.status = CashierSession.Status.SIGNED_OFF
    session.signed_off_by = acting_user
    session.signed_off_at = timezone.now()
    session.save(update_fields=["status", "signed_off_by", "signed_off_at", "over_short_entry"])
    core.audit(
        actor=acting_user,
        action="session.signed_off",
        obj=session,
        after={"over_short": str(session.over_short_total)},
    )
    return session


# --------------------------------------------------------------------------- bank deposits


def deposit_split(counts: dict, amount: Decimal) -> dict[str, int]:
    """Which of the counted notes and coins make up `amount` exactly, the rest (the float)
    staying in the drawer: as many large notes as possible, so the drawer keeps its small change.
    A depth-first search from the largest denomination down, remembering dead ends."""
    denominations = sorted(DENOMINATION_BY_KEY.values(), key=lambda d: (-d.value, d.key))
    cents = [int(d.value * 100) for d in denominations]
    have = [int(counts.get(d.key, 0)) for d in denominations]
    reach = [sum(c * n for c, n in zip(cents[i:], have[i:], strict=True)) for i in range(len(cents))] + [0]
    dead: set[tuple[int, int]] = set()

    def search(i: int, remaining: int) -> dict[str, int] | None:
        if remaining == 0:
            return {}
        if i == len(cents) or remaining > reach[i] or (i, remaining) in dead:
            return None
        for n in range(min(have[i], remaining // cents[i]), -1, -1):
            rest = search(i + 1, remaining - n * cents[i])
            if rest is not None:
                return {denominations[i].key: n, **rest} if n else rest
        dead.add((i, remaining))
        return None

    found = search(0, int(amount * 100))
    if found is None:
        raise RevenueError("The counted notes and coins cannot make the deposit exactly; recount the drawer.")
    return found


def deposit_checks(deposit_or_sessions):
    """The checks and money orders that go to the bank: those ticked at close-out (one not ticked
    was posted short at sign-off)."""
    sessions = (
        deposit_or_sessions.sessions.all()
        if hasattr(deposit_or_sessions, "sessions")
        else deposit_or_sessions
    )
    return (
        Tender.objects.filter(
            receipt__session__in=sessions,
            receipt__status=Receipt.Status.POSTED,
            confirmed=True,
            kind__in=[Tender.Kind.CHECK, Tender.Kind.MONEY_ORDER],
        )
        .select_related("receipt")
        .order_by("receipt__number", "pk")
    )


@transaction.atomic
def deposit_prepare(*, sessions: list[CashierSession], acting_user) -> Deposit:
    """Gather signed-off sessions into a deposit: their cash less each drawer's float, and
    their checks. Nothing posts until the deposit is marked deposited."""
    if not acting_user.has_perm("cashiering.make_deposit"):
        raise NotAllowed("Only a Revenue Supervisor prepares deposits.")
    if not sessions:
        raise RevenueError("Choose the sessions to deposit.")
    locked = list(
        CashierSession.objects.select_for_update(no_key=True)
        .filter(pk__in=[s.pk for s in sessions])
        .order_by("pk")
    )
    for s in locked:
        if s.clerk_id == acting_user.pk:
            raise NotAllowed(f"Session {s} is yours: another supervisor deposits its money.")
        if s.status != CashierSession.Status.SIGNED_OFF:
            raise RevenueError(f"Session {s} is not signed off yet.")
        if s.deposit_id:
            raise RevenueError(f"Session {s} is already in deposit {s.deposit.number}.")
    cash_counts: dict[str, int] = {}
    cash_total = ZERO
    for s in locked:
        # the float stays in the drawer; a drawer counted below its float keeps all its cash
        amount = max(s.counted_cash - s.opening_float, ZERO)
        for key, n in deposit_split(s.counted_counts, amount).items():
            cash_counts[key] = cash_counts.get(key, 0) + n
        cash_total += amount
    checks_total = sum((t.amount for t in deposit_checks(locked)), ZERO)
    if not cash_total and not checks_total:
        raise RevenueError("These sessions have no cash or checks to take to the bank.")
    deposit = Deposit.objects.create(
        number=core.number_next(kind="DEP"),
        cash_counts=cash_counts,
        cash_total=cash_total,
        checks_total=checks_total,
        prepared_by=acting_user,
    )
    CashierSession.objects.filter(pk__in=[s.pk for s in locked]).update(deposit=deposit)
    core.audit(
        actor=acting_user,
        action="deposit.prepared",
        obj=deposit,
        after={"cash": str(cash_total), "checks": str(checks_total), "sessions": [s.pk for s in locked]},
    )
    return deposit


@transaction.atomic
def deposit_confirm(*, deposit, bank_reference: str, deposited_on: datetime.date | None = None, acting_user):
    """The bank took it: Dr cash in bank, Cr undeposited cash and checks."""
    if not acting_user.has_perm("cashiering.make_deposit"):
        raise NotAllowed("Only a Revenue Supervisor marks deposits.")
    deposit = Deposit.objects.select_for_update(no_key=True).get(pk=deposit.pk)
    if deposit.sessions.filter(clerk=acting_user).exists():
        raise NotAllowed("This deposit holds money you took: another supervisor marks it deposited.")
    if deposit.status != Deposit.Status.PREPARED:
        raise RevenueError(f"Deposit {deposit.number} is already marked deposited.")
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise RevenueError("Enter the bank's reference from the deposit receipt.")
    deposited_on = deposited_on or core.city_today()
    memo = f"Deposit {deposit.number} ref {bank_reference}"
    deposit.entry = core.journal_post(
        lines=[
            core.Line(
                account=core.account_for_role(Account.Role.CASH_IN_BANK), debit=deposit.total, memo=memo
            ),
            core.Line(
                account=core.account_for_role(Account.Role.UNDEPOSITED), credit=deposit.cash_total, memo=memo
            ),
            core.Line(
                account=core.account_for_role(Account.Role.UNDEPOSITED_CHECKS),
                credit=deposit.checks_total,
                memo=memo,
            ),
        ],
        memo=memo,
        acting_user=acting_user,
        source=deposit,
        entry_date=deposited_on,
    )
    deposit.status = Deposit.Status.DEPOSITED
    deposit.bank_reference = bank_reference[:40]
    deposit.deposited_on = deposited_on
    deposit.deposited_by = acting_user
    deposit.save(update_fields=["entry", "status", "bank_reference", "deposited_on", "deposited_by"])
    core.audit(
        actor=acting_user, action="deposit.deposited", obj=deposit, after={"bank_reference": bank_reference}
    )
    return deposit


# --------------------------------------------------------------------------- returned checks


@transaction.atomic
def check_return(*, tender: Tender, reason: str, acting_user, returned_on: datetime.date | None = None):
    """The bank returned a deposited check. The receipt's whole payment is reversed out of the
    bank (it was deposited), its other tenders are applied again to the same charges in order, so
    only what the check paid opens again; the returned-check fee is assessed; the payer may not
    pay by check for the policy's number of days; the charges' source objects are told."""
    if not acting_user.has_perm("cashiering.return_check"):
        raise NotAllowed("Your role cannot record returned checks.")
    reason = (reason or "").strip()
    if not reason:
        raise RevenueError("Enter the bank's reason for returning the check.")
    tender = Tender.objects.select_related(
        "receipt__session__deposit", "receipt__payment", "receipt__party"
    ).get(pk=tender.pk)
    receipt = tender.receipt
    if tender.kind != Tender.Kind.CHECK:
        raise RevenueError("Only a check can be returned by the bank.")
    if receipt.status != Receipt.Status.POSTED:
        raise RevenueError(f"Receipt {receipt.number} is void; its check was never deposited.")
    deposit = receipt.session.deposit
    if deposit is None or deposit.status != Deposit.Status.DEPOSITED:
        raise RevenueError("This check has not been deposited yet: it cannot have come back from the bank.")
    if not tender.confirmed:
        raise RevenueError(
            f"Check {tender.reference} was not in the drawer at close-out and never went to the "
            "bank (it was booked short at sign-off)."
        )
    if ReturnedCheck.objects.filter(tender=tender).exists():
        raise RevenueError(f"Check {tender.reference} is already recorded as returned.")
    returned_on = returned_on or core.city_today()
    if returned_on > core.city_today() or (deposit.deposited_on and returned_on < deposit.deposited_on):
        raise RevenueError(
            f"The return date must be between the deposit ({deposit.deposited_on:%m/%d/%Y}) and today."
        )
    policy = policy_on(returned_on)
    bank = core.account_for_role(Account.Role.CASH_IN_BANK)
    cards = core.account_for_role(Account.Role.CARD_CLEARING)
    payment = receipt.payment
    applications = list(payment.applications.select_related("charge").order_by("pk"))
    # Credit this check left on account may since have been refunded or spent: what is gone is
    # owed back, as a charge on the payer's account, so the payment can be reversed whole.
    core.lock_party(payment.party)
    spent = payment.credit_amount - min(payment.credit_amount, payment.party.credit_balance())
    owed_back = None
    if spent > 0:
        owed_back = core.charge_assess(
            party=payment.party,
            amount=spent,
            acting_user=acting_user,
            assessed_on=returned_on,
            description=f"Credit from check {tender.reference} (returned) already refunded or used",
            receivable_account=core.account_for_role(Account.Role.RECEIVABLE),
            revenue_account=core.account_for_role(Account.Role.CUSTOMER_CREDIT),
        )

    core.payment_reverse(
        payment=payment,
        acting_user=acting_user,
        on=returned_on,
        reason=f"Check {tender.reference} returned: {reason}",
        account_map={
            core.account_for_role(Account.Role.UNDEPOSITED).pk: bank,
            core.account_for_role(Account.Role.UNDEPOSITED_CHECKS).pk: bank,
        },
    )
    # the receipt's other tenders stand: cash and other checks are in the bank, cards still due
    # from the card processor
    others = [t for t in receipt.tenders.all() if t.pk != tender.pk]
    in_bank = sum((t.amount for t in others if t.kind != Tender.Kind.CARD), ZERO)
    by_card = sum((t.amount for t in others if t.kind == Tender.Kind.CARD), ZERO)
    kept = in_bank + by_card
    reposted = None
    if kept > 0:
        left, again = kept, []
        for app in applications:
            part = min(app.amount, left)
            if part > 0:
                again.append((app.charge, part))
                left -= part
        reposted = core.payment_post(
            party=payment.party,
            amount=kept,
            applications=again,
            debits=[(account, part) for account, part in ((bank, in_bank), (cards, by_card)) if part],
            acting_user=acting_user,
            received_on=returned_on,
            reference=f"{receipt.number} less returned check",
            source=receipt,
        )
    returned = ReturnedCheck(
        number=core.number_next(kind="RC", on=returned_on),
        tender=tender,
        receipt=receipt,
        deposit=deposit,
        reason=reason[:120],
        returned_on=returned_on,
        reposted_payment=reposted,
        credit_charge=owed_back,
        created_by=acting_user,
    )
    returned.restriction = CheckRestriction.objects.create(
        party=receipt.party,
        until=returned_on + datetime.timedelta(days=policy.no_checks_days),
        reason=f"check {tender.reference} returned {returned_on:%m/%d/%Y}",
        created_by=acting_user,
    )
    returned.save()
    if policy.returned_check_fee_id:
        returned.fee_charge = core.charge_assess_fee(
            party=receipt.party,
            fee_type=policy.returned_check_fee,
            acting_user=acting_user,
            on=returned_on,
            source=returned,
            source_number=returned.number,
        )
        returned.save(update_fields=["fee_charge"])
    core.audit(
        actor=acting_user,
        action="check.returned",
        obj=returned,
        reason=reason,
        after={
            "receipt": receipt.number,
            "check": tender.reference,
            "amount": str(tender.amount),
            "deposit": deposit.number,
        },
    )
    return returned


# --------------------------------------------------------------------------- mail payments


@transaction.atomic
def batch_create(*, control_count, control_total, acting_user) -> MailBatch:
    if not acting_user.has_perm("cashiering.take_payment"):
        raise NotAllowed("Your role does not take payments.")
    try:
        count = int(control_count)
    except (TypeError, ValueError) as exc:
        raise InvalidAmount("Enter how many envelopes there are.") from exc
    if count < 1 or count > 10_000:
        raise InvalidAmount("The control count is from 1 to 10,000 envelopes.")
    total = core.money(control_total, field="Control total")
    batch = MailBatch.objects.create(
        number=core.number_next(kind="MB"), control_count=count, control_total=total, created_by=acting_user
    )
    core.audit(
        actor=acting_user, action="batch.created", obj=batch, after={"count": count, "total": str(total)}
    )
    return batch


def _resolve_stub(stub: str, amount: Decimal) -> tuple[Party | None, Charge | None, str]:
    """What a stub number pays, and why it cannot be posted if it cannot."""
    charge = Charge.objects.select_related("party").filter(source_number__iexact=stub).first()
    if charge is not None:
        if charge.is_settled:
            return charge.party, charge, f"{charge.source_number} is already paid."
        if amount != charge.balance:
            return (
                charge.party,
                charge,
                f"Amount {amount:,.2f} does not match the balance of {charge.balance:,.2f}.",
            )
        return charge.party, charge, ""
    party = Party.objects.filter(number__iexact=stub).first()
    if party is not None:
        from revenue.selectors import open_charges

        due = sum((c.balance for c in open_charges(party)), ZERO)
        if not due:
            return party, None, f"{party.name} owes nothing."
        if amount > due:
            return party, None, f"Amount {amount:,.2f} is more than the {due:,.2f} {party.name} owes."
        return party, None, ""
    return None, None, f"Unknown number: {stub}."


@transaction.atomic
def remittance_add(
    *, batch: MailBatch, stub_number: str, amount, check_number: str, name_on_check: str, acting_user
) -> Remittance:
    batch = MailBatch.objects.select_for_update(no_key=True).get(pk=batch.pk)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    amount = core.money(amount, field="Remittance amount")
    stub_number, check_number = (stub_number or "").strip(), (check_number or "").strip()
    if not stub_number or not check_number or not (name_on_check or "").strip():
        raise RevenueError("Key the stub's number, the check number and the name on the check.")
    party, charge, problem = _resolve_stub(stub_number, amount)
    remittance = Remittance.objects.create(
        batch=batch,
        stub_number=stub_number[:40],
        amount=amount,
        check_number=check_number[:40],
        name_on_check=name_on_check.strip()[:120],
        party=party,
        charge=charge,
        status=Remittance.Status.EXCEPTION if problem else Remittance.Status.READY,
        exception_reason=problem,
        keyed_by=acting_user,
    )
    return remittance


def batch_totals(batch: MailBatch) -> tuple[int, Decimal]:
    rows = list(batch.remittances.values_list("amount", flat=True))
    return len(rows), sum(rows, ZERO)


@transaction.atomic
def batch_post(*, batch: MailBatch, acting_user) -> MailBatch:
    """Post every ready remittance as a receipt (a check tender) in the clerk's open session.
    Refused unless the keyed count and total equal the batch's controls. A remittance that can no
    longer post (the charge was paid meanwhile) becomes an exception; the rest post."""
    session = session_for(acting_user)
    if session is None:
        raise SessionClosed("Open a drawer (the mail room's) first: mail receipts go into your session.")
    session = _lock_session(session)  # session first, as every receipt does; a close-out waits for this
    policy_on()  # no policy, no posting at all (not one exception per remittance)
    batch = MailBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    count, total = batch_totals(batch)
    if (count, total) != (batch.control_count, batch.control_total):
        raise RevenueError(
            f"The batch does not balance: keyed {count} for {total:,.2f}, control "
            f"{batch.control_count} for {batch.control_total:,.2f}."
        )
    from revenue.selectors import open_charges

    for remittance in batch.remittances.filter(status=Remittance.Status.READY).select_related(
        "party", "charge"
    ):
        try:
            with transaction.atomic():
                if remittance.charge is not None:
                    items = [Item(charge=remittance.charge, amount=remittance.amount)]
                else:
                    left, items = remittance.amount, []
                    for charge in open_charges(remittance.party):
                        part = min(charge.balance, left)
                        if part > 0:
                            items.append(Item(charge=charge, amount=part))
                            left -= part
                receipt = receipt_issue(
                    session=session,
                    payer=remittance.party,
                    items=items,
                    acting_user=acting_user,
                    tenders=[
                        TenderIn(
                            Tender.Kind.CHECK,
                            remittance.amount,
                            remittance.check_number,
                            remittance.name_on_check,
                        )
                    ],
                )
        except (SessionClosed, NotAllowed, AccountNotConfigured):
            raise  # about the batch or the set-up, not this remittance: nothing posts
        except RevenueError as exc:
            remittance.status = Remittance.Status.EXCEPTION
            remittance.exception_reason = str(exc)[:250]
            remittance.save(update_fields=["status", "exception_reason"])
        else:
            remittance.status = Remittance.Status.POSTED
            remittance.receipt = receipt
            remittance.save(update_fields=["status", "receipt"])
    batch.status = MailBatch.Status.POSTED
    batch.posted_at = timezone.now()
    batch.posted_by = acting_user
    batch.save(update_fields=["status", "posted_at", "posted_by"])
    core.audit(
        actor=acting_user,
        action="batch.posted",
        obj=batch,
        after={
            "posted": batch.remittances.filter(status=Remittance.Status.POSTED).count(),
            "exceptions": batch.remittances.filter(status=Remittance.Status.EXCEPTION).count(),
        },
    )
    return batch


@transaction.atomic
def remittance_remove(*, remittance: Remittance, acting_user) -> None:
    """Take back a keying mistake while the batch is open (audited)."""
    batch = MailBatch.objects.select_for_update().get(pk=remittance.batch_id)
    if batch.status != MailBatch.Status.OPEN:
        raise RevenueError(f"{batch} is already posted.")
    core.audit(
        actor=acting_user,
        action="batch.remittance_removed",
        obj=batch,
        before={
            "stub": remittance.stub_number,
            "amount": str(remittance.amount),
            "check": remittance.check_number,
        },
    )
    remittance.delete()
