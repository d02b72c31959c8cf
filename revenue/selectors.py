"""Reads: search, the party page, ledger reports. No writes here."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce, Greatest, Upper
from django.urls import reverse

from .models import ZERO, Account, Charge, JournalEntry, JournalLine, Party, Payment
from .models.ledger import PHONE_DIGITS

SEARCH_LIMIT = 50


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _party_condition(query: str) -> Q:
    """Every word in the name or address (or the postal code), or the whole query as the party's
    number, its e-mail address, or (7 digits or more, any punctuation) part of its phone number.

    Each way is an index lookup (the indexes are on Party): a word of three letters or more by
    trigram anywhere in the name or address; a shorter word, which a trigram index cannot serve,
    only as the start of a word: as the start of the name or address when it is the query's only
    kind of word (a prefix index), else as a filter on the rows the longer words found."""
    words = query.split(" ")
    long_words = [w for w in words if len(w) >= 3]
    condition = Q()
    for word in long_words:
        condition &= Q(name__icontains=word) | Q(address_line1__icontains=word) | Q(postal_code=word)
    for i, word in enumerate(w for w in words if len(w) < 3):
        if not long_words and i == 0:
            condition &= Q(name__istartswith=word) | Q(address_line1__istartswith=word)
        else:
            start = r"\m" + re.escape(word)
            condition &= Q(name__iregex=start) | Q(address_line1__iregex=start)
    condition |= Q(number__iexact=query)
    if "@" in query:
        condition |= Q(email__iexact=query)
    digits = _digits(query)
    if len(digits) >= 7 and set(query) <= set("0123456789()+-. "):
        condition |= Q(phone_digits__contains=digits)
    return condition


def party_search(query: str, *, limit: int = SEARCH_LIMIT):
    """Parties the query names (see `_party_condition`); best trigram matches first."""
    query = " ".join(query.split())
    if not query:
        return Party.objects.none()
    return (
        Party.objects.annotate(phone_digits=PHONE_DIGITS)
        .filter(_party_condition(query))
        .annotate(
            rank=Greatest(
                TrigramSimilarity(Upper("name"), query.upper()),
                TrigramSimilarity(Upper("address_line1"), query.upper()),
            )
        )
        .order_by("-rank", "name", "pk")[:limit]
    )


@dataclass
class DocumentHit:
    kind: str
    number: str
    description: str
    party: Party | None
    url: str


@dataclass
class SearchResult:
    """What a search found: parties, and documents (each with its party where it has one)."""

    query: str
    parties: list[Party] = field(default_factory=list)
    documents: list[DocumentHit] = field(default_factory=list)

    def payers(self, limit: int) -> list[Party]:
        """The parties found and the parties of the documents found, once each, in that order:
        who may be paying (the counter offers their open charges)."""
        out = {p.pk: p for p in self.parties}
        for hit in self.documents:
            if hit.party is not None:
                out.setdefault(hit.party.pk, hit.party)
        return list(out.values())[:limit]


def search(query: str, *, user, limit: int = SEARCH_LIMIT) -> SearchResult:
    """The one search, behind the header's box and the counter's find box: parties by name,
    address, number, e-mail or phone; documents by number (and what the duty apps find: a
    receipt, a license by number or location, a plate's citations)."""
    query = " ".join((query or "").split())
    if not query:
        return SearchResult(query)
    return SearchResult(query, list(party_search(query, limit=limit)), document_search(query, user=user))


def document_search(query: str, *, user) -> list[DocumentHit]:
    """Documents the query names, of the kinds the user may open: each duty app's finders first
    (a document's own page), then charges by their document's number (to the party's page),
    payments by reference and journal entries by number; one hit per document number."""
    from .extensions import search_finders

    query = query.strip()
    if len(query) < 3:
        return []
    hits: list[DocumentHit] = [
        hit for finder in search_finders for hit in finder(query, user=user, limit=SEARCH_LIMIT)
    ]
    number = query.upper()
    for charge in Charge.objects.filter(source_number__iexact=number).select_related("party")[:SEARCH_LIMIT]:
        hits.append(
            DocumentHit(
                "Charge",
                charge.source_number,
                f"{charge.description} — balance {charge.balance}",
                charge.party,
                charge.party.get_absolute_url(),
            )
        )
    for payment in Payment.objects.filter(reference__iexact=number).select_related("party")[:SEARCH_LIMIT]:
        hits.append(
            DocumentHit(
                "Payment",
                payment.reference,
                f"{payment.amount} on {payment.received_on}",
                payment.party,
                payment.party.get_absolute_url(),
            )
        )
    if user.has_perm("revenue.view_journalentry"):
        for entry in JournalEntry.objects.filter(number__iexact=number)[:SEARCH_LIMIT]:
            hits.append(
                DocumentHit(
                    "Journal entry",
                    entry.number,
                    entry.memo,
                    None,
                    reverse("journal_entry", args=[entry.number]),
                )
            )
    return _one_per_number(hits)


def _one_per_number(hits: list[DocumentHit]) -> list[DocumentHit]:
    """A document named by several hits (a license's page and its charges) is listed once, by its
    first (its own page); hits without a number to share (a plate's citations) all stay."""
    seen: set[str] = set()
    out = []
    for hit in hits:
        key = hit.number.upper()
        if key in seen:
            continue
        seen.add(key)
        out.append(hit)
    return out


def party_alerts(party: Party | None) -> list[str]:
    """What the clerk must see about a payer before choosing a tender: the party's notes when
    marked as an alert, then each duty app's (a returned check's ban on checks)."""
    from .extensions import party_alert_sources

    if party is None:
        return []
    alerts = [party.notes.strip()] if party.notes_alert and party.notes.strip() else []
    return alerts + [text for source in party_alert_sources for text in source(party)]


def open_charges(party: Party):
    return Charge.objects.filter(party=party).open().select_related("fee_type").order_by("due_on", "pk")


def open_charges_summary(party: Party) -> tuple[int, Decimal]:
    """How many open charges the party has and what they come to, from one aggregate."""
    from django.db.models import Count

    row = (
        Charge.objects.filter(party=party)
        .open()
        .aggregate(n=Count("pk"), total=Sum(F("amount") - F("amount_paid") - F("amount_adjusted")))
    )
    return row["n"], row["total"] if row["total"] is not None else ZERO


def payment_history(party: Party, *, limit: int = 50):
    return (
        Payment.objects.filter(party=party)
        .select_related("journal_entry", "reversal_entry")
        .prefetch_related("applications__charge")
        .order_by("-received_on", "-pk")[:limit]
    )


@dataclass
class TrialBalanceRow:
    account: Account
    debits: Decimal
    credits: Decimal

    @property
    def debit_balance(self) -> Decimal:
        return max(self.debits - self.credits, ZERO)

    @property
    def credit_balance(self) -> Decimal:
        return max(self.credits - self.debits, ZERO)


@dataclass
class TrialBalance:
    as_of: datetime.date
    rows: list[TrialBalanceRow] = field(default_factory=list)

    @property
    def total_debit(self) -> Decimal:
        return sum((r.debit_balance for r in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((r.credit_balance for r in self.rows), ZERO)

    @property
    def in_balance(self) -> bool:
        return self.total_debit == self.total_credit

    @property
    def by_fund(self) -> list[FundTotals]:
        """The rows grouped by fund with each fund's totals: every fund balances on its own."""
        groups: dict[int, FundTotals] = {}
        for row in self.rows:
            fund = row.account.fund
            group = groups.setdefault(fund.pk, FundTotals(fund=fund))
            group.rows.append(row)
            group.debit += row.debit_balance
            group.credit += row.credit_balance
        return sorted(groups.values(), key=lambda g: g.fund.code)


@dataclass
class FundTotals:
    fund: object
    rows: list[TrialBalanceRow] = field(default_factory=list)
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def in_balance(self) -> bool:
        return self.debit == self.credit


def trial_balance(*, as_of: datetime.date) -> TrialBalance:
    """Every account with activity up to and including `as_of`, with its debit or credit balance.
    One grouped query over the ledger."""
    upto = Q(lines__entry__entry_date__lte=as_of)
    accounts = (
        Account.objects.select_related("fund")
        .annotate(
            dr=Coalesce(Sum("lines__debit", filter=upto), ZERO),
            cr=Coalesce(Sum("lines__credit", filter=upto), ZERO),
        )
        .filter(Q(dr__gt=0) | Q(cr__gt=0))
        .order_by("fund__code", "number")
    )
    return TrialBalance(as_of=as_of, rows=[TrialBalanceRow(a, a.dr, a.cr) for a in accounts])


@dataclass
class ActivityRow:
    line: JournalLine
    balance: Decimal


@dataclass
class AccountActivity:
    account: Account
    start: datetime.date
    end: datetime.date
    opening: Decimal
    closing: Decimal
    total_debit: Decimal
    total_credit: Decimal
    rows: list[ActivityRow]
    truncated: bool


def account_activity(
    *, account: Account, start: datetime.date, end: datetime.date, limit: int | None = None
) -> AccountActivity:
    """An account's lines between two dates with a running balance, shown on the account's
    normal side (debit for assets and expenses, credit for the rest)."""
    sign = 1 if account.normal_debit else -1
    lines = account.lines.filter(entry__entry_date__range=(start, end))
    before = account.lines.filter(entry__entry_date__lt=start).aggregate(
        dr=Coalesce(Sum("debit"), ZERO), cr=Coalesce(Sum("credit"), ZERO)
    )
    totals = lines.aggregate(dr=Coalesce(Sum("debit"), ZERO), cr=Coalesce(Sum("credit"), ZERO))
    opening = sign * (before["dr"] - before["cr"])
    closing = opening + sign * (totals["dr"] - totals["cr"])
    ordered = lines.select_related("entry", "party").order_by("entry__entry_date", "entry_id", "pk")
    if limit is not None:
        ordered = ordered[: limit + 1]
    rows, balance = [], opening
    for line in ordered:
        balance += sign * (line.debit - line.credit)
        rows.append(ActivityRow(line, balance))
    truncated = limit is not None and len(rows) > limit
    return AccountActivity(
        account=account,
        start=start,
        end=end,
        opening=opening,
        closing=closing,
        total_debit=totals["dr"],
        total_credit=totals["cr"],
        rows=rows[:limit] if truncated else rows,
        truncated=truncated,
    )
