"""The invoice audit's rules: duplicate keys, the match line by line, terms and discounts.
Pure functions: no database, no "today" (the caller says which day).

Rules chosen (docs/architecture.md, Payables, Invoice audit):

* **Invoice numbers** are compared by their letters and digits only, in upper case: "INV-0042",
  "inv 0042" and "Inv.0042" are one number. Leading zeros are kept ("INV-42" is another number:
  vendors do issue both). A number with no letter or digit is refused.
* **Quantity**: a line may bill at most what is still billable on its order line: received net
  of returns (three-way) or ordered (two-way), less what other live invoices already billed.
  A quantity allowance (a percent, zero by default) is its own figure: over-billing quantity and
  over-billing price are separate checks, never mixed into one allowance. A line received by
  amount (a service) is checked on amounts the same way.
* **Price** (per unit) and **line total** take a percentage and an amount, and **a check
  passes only when the variance is within both** (the stricter binds: 5% of a $10.00 price is
  $0.50, of a $2,000.00 price $100.00, and a $25.00 amount limit caps the second). Variance is
  what was billed above what was expected; billing less always passes. No rounding: within
  means variance <= the exact limit (5% of $3.33 is $0.1665: $0.16 over passes, $0.17 fails).
  The line total's limits are the percent of the line and the amount times its quantity.
* **Invoice total**: the invoice's total against its lines at the order's prices plus freight
  and tax may be over by at most the total amount, so lines each within their limit can still
  fail together.
* The line's amount must also be its quantity times its unit price to the cent ("extension"),
  and the invoice's stated total its lines plus freight plus tax ("footing").
* **Terms** are checked against the order's, or the vendor's when the order has none: the
  invoice fails when its terms are less favourable (a smaller discount, fewer discount days or
  fewer net days). Terms the invoice does not state are the expected ones.
* **Discount taken** may not exceed the discount the expected terms allow on the lines (freight
  and tax carry no discount).
* **Terms dates**: "2/10 net 30" from a basis date (the invoice date) gives the discount date
  basis + 10 and the net due date basis + 30; the discount is earned by a payment dated on or
  before the discount date, not the day after.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from revenue.money import ZERO, percent_of, round_money

# --- duplicates -------------------------------------------------------------------------------


def invoice_number_key(number: str) -> str:
    """The key two invoice numbers are compared by: letters and digits only, upper case."""
    return "".join(ch for ch in (number or "").upper() if ch.isalnum())


# --- terms ------------------------------------------------------------------------------------

_TERMS = re.compile(
    r"^\s*(?:(?P<pct>\d+(?:\.\d+)?)\s*%?\s*/\s*(?P<days>\d+)\s*,?\s*)?"
    r"(?:net|n)\s*/?\s*(?P<net>\d+)\s*$",
    re.IGNORECASE,
)


class TermsError(ValueError):
    """Terms written in a way the rules cannot read."""


@dataclass(frozen=True)
class Terms:
    """Payment terms: `discount_percent` off if paid within `discount_days`, the whole due in
    `net_days` (net 30 has no discount)."""

    net_days: int
    discount_percent: Decimal = ZERO
    discount_days: int = 0

    def __post_init__(self):
        if self.net_days < 0 or self.discount_days < 0:
            raise TermsError("Days in terms cannot be negative.")
        if not ZERO <= self.discount_percent < 100:
            raise TermsError("A discount must be from 0 to under 100 percent.")
        if self.discount_percent and self.discount_days > self.net_days:
            raise TermsError("The discount days cannot be after the net days.")

    @classmethod
    def of(cls, row) -> Terms:
        """The terms of a PaymentTerms row (anything with the three figures)."""
        return cls(
            net_days=row.net_days, discount_percent=row.discount_percent, discount_days=row.discount_days
        )

    @classmethod
    def parse(cls, text: str) -> Terms:
        """ "2/10 net 30", "2/10 n/30", "1.5%/15, net 45", "net 30", "due on receipt"."""
        cleaned = (text or "").strip()
        if cleaned.lower() in {"due on receipt", "on receipt", "cod", "net 0"}:
            return cls(net_days=0)
        match = _TERMS.match(cleaned)
        if not match:
            raise TermsError(f'"{text}" is not terms the system reads (like "2/10 net 30").')
        pct = Decimal(match["pct"]) if match["pct"] else ZERO
        return cls(
            net_days=int(match["net"]),
            discount_percent=pct,
            discount_days=int(match["days"]) if pct else 0,
        )

    @property
    def has_discount(self) -> bool:
        return self.discount_percent > 0

    def label(self) -> str:
        if not self.has_discount:
            return "due on receipt" if self.net_days == 0 else f"net {self.net_days}"
        return f"{self.discount_percent.normalize():f}/{self.discount_days} net {self.net_days}"

    def discount_date(self, basis: datetime.date) -> datetime.date | None:
        """The last day a payment earns the discount (None when there is no discount)."""
        if not self.has_discount:
            return None
        return basis + datetime.timedelta(days=self.discount_days)

    def net_due(self, basis: datetime.date) -> datetime.date:
        return basis + datetime.timedelta(days=self.net_days)

    def discount_on(self, amount: Decimal, *, basis: datetime.date, paid_on: datetime.date):
        """The discount earned on `amount` by a payment dated `paid_on`: the percent, rounded
        half up once, on or before the discount date; nothing after it."""
        last = self.discount_date(basis)
        if last is None or paid_on > last:
            return ZERO
        return percent_of(amount, self.discount_percent)

    def less_favourable_than(self, other: Terms) -> list[str]:
        """How these terms are worse for the city than `other` (empty when they are not)."""
        worse = []
        if self.discount_percent < other.discount_percent:
            worse.append(
                f"a discount of {self.discount_percent.normalize():f}% instead of "
                f"{other.discount_percent.normalize():f}%"
            )
        elif other.has_discount and self.discount_days < other.discount_days:
            worse.append(f"{self.discount_days} discount days instead of {other.discount_days}")
        if self.net_days < other.net_days:
            worse.append(f"net {self.net_days} instead of net {other.net_days}")
        return worse


# --- the match --------------------------------------------------------------------------------

THREE_WAY = "three_way"
TWO_WAY = "two_way"

# The checks by name, in the order a result lists them, with what the clerk reads.
CHECKS = {
    "quantity": "Quantity billed",
    "price": "Unit price",
    "extension": "Line arithmetic",
    "line_total": "Line total",
    "invoice_total": "Invoice total",
    "footing": "Invoice footing",
    "freight": "Freight",
    "terms": "Terms",
    "discount": "Discount taken",
}


@dataclass(frozen=True)
class Tolerances:
    """How far above the order a bill may go (the payables policy's figures).

    * price: a unit price may exceed the order's by `price_percent` of it AND by no more than
      `price_amount` (per unit): both must hold, so the smaller limit binds. Zeros mean exact.
    * line total: the line's amount over its quantity at the order's price, by the same two
      limits on the line (the percent of the line, the amount times the quantity).
    * quantity: billed may exceed what is billable by `quantity_percent` (zero: not at all).
      Kept apart from price: an allowance on one never widens the other.
    * invoice total: the invoice's total may exceed its lines at the order's prices plus freight
      and tax by `total_amount`, so lines each within their limit may fail together.
    """

    price_percent: Decimal = ZERO
    price_amount: Decimal = ZERO
    quantity_percent: Decimal = ZERO
    total_amount: Decimal = ZERO

    def price_limit(self, order_price: Decimal) -> Decimal:
        """The allowed variance on one unit: the smaller of the two limits, unrounded."""
        return min(order_price * self.price_percent / 100, self.price_amount)

    def line_limit(self, expected: Decimal, quantity: Decimal) -> Decimal:
        return min(expected * self.price_percent / 100, self.price_amount * quantity)

    def quantity_limit(self, billable: Decimal) -> Decimal:
        return billable + billable * self.quantity_percent / 100

    def price_text(self) -> str:
        return f"{self.price_percent.normalize():f}% and ${self.price_amount:,.2f} a unit"


@dataclass(frozen=True)
class LineFacts:
    """One invoice line beside its order line. `received` is what was accepted net of returns
    (three-way; None for two-way); `billed_before` what other live invoices billed on the same
    order line. For an order line received by amount (a service), `ordered`, `received` and
    `billed_before` are amounts and the line's amount is what is compared with them."""

    key: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    ordered: Decimal
    order_price: Decimal
    received: Decimal | None = None
    billed_before: Decimal = ZERO
    by_amount: bool = False


@dataclass(frozen=True)
class Failure:
    check: str
    message: str

    @property
    def label(self) -> str:
        return CHECKS[self.check]


@dataclass(frozen=True)
class LineResult:
    key: str
    billable: Decimal
    expected_amount: Decimal
    variance: Decimal
    failures: tuple[Failure, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def failed_checks(self) -> list[str]:
        return [f.check for f in self.failures]


@dataclass(frozen=True)
class InvoiceFacts:
    """The invoice as a whole. `terms` None: the invoice states none (the expected ones apply).
    `freight_allowed` None: freight is not checked."""

    total: Decimal
    freight: Decimal = ZERO
    tax: Decimal = ZERO
    discount_taken: Decimal = ZERO
    terms: Terms | None = None
    freight_allowed: Decimal | None = None


@dataclass(frozen=True)
class MatchResult:
    method: str
    lines: tuple[LineResult, ...]
    failures: tuple[Failure, ...] = field(default=())  # the invoice-level checks

    @property
    def passed(self) -> bool:
        return not self.failures and all(line.passed for line in self.lines)

    def all_failures(self) -> list[tuple[str | None, Failure]]:
        """Every failure with the line key it belongs to (None for the invoice's own)."""
        out: list[tuple[str | None, Failure]] = [(line.key, f) for line in self.lines for f in line.failures]
        out.extend((None, f) for f in self.failures)
        return out


def _qty(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _quantity_failure(facts: LineFacts, method: str, tolerances: Tolerances):
    base = facts.received if method == THREE_WAY else facts.ordered
    billable = max(base - facts.billed_before, ZERO)
    billed = facts.amount if facts.by_amount else facts.quantity
    if billed <= tolerances.quantity_limit(billable):
        return billable, None
    what = "received net of returns" if method == THREE_WAY else "ordered"
    if facts.by_amount:
        text = (
            f"Billed ${billed:,.2f}; ${base:,.2f} {what}, ${facts.billed_before:,.2f} billed "
            f"before: ${billable:,.2f} may be billed."
        )
    else:
        text = (
            f"Billed {_qty(billed)}; {_qty(base)} {what}, {_qty(facts.billed_before)} billed "
            f"before: {_qty(billable)} may be billed."
        )
    if tolerances.quantity_percent:
        text += f" (Allowance {tolerances.quantity_percent.normalize():f}%.)"
    return billable, Failure("quantity", text)


def match_line(facts: LineFacts, *, method: str, tolerances: Tolerances) -> LineResult:
    """The checks of one line: quantity, price, extension, line total."""
    if method == THREE_WAY and facts.received is None:
        raise ValueError("A three-way match needs what was received.")
    billable, quantity_failure = _quantity_failure(facts, method, tolerances)
    failures = [quantity_failure] if quantity_failure else []
    over = facts.unit_price - facts.order_price
    if over > 0 and over > tolerances.price_limit(facts.order_price):
        failures.append(
            Failure(
                "price",
                f"Unit price ${facts.unit_price:,.2f} against the order's "
                f"${facts.order_price:,.2f}: over by ${over:,.2f}, more than the tolerance "
                f"({tolerances.price_text()}).",
            )
        )
    extended = round_money(facts.quantity * facts.unit_price)
    if extended != facts.amount:
        failures.append(
            Failure(
                "extension",
                f"Line amount ${facts.amount:,.2f} is not {_qty(facts.quantity)} x "
                f"${facts.unit_price:,.2f} = ${extended:,.2f}.",
            )
        )
    expected = round_money(facts.quantity * facts.order_price)
    line_over = facts.amount - expected
    if line_over > 0 and line_over > tolerances.line_limit(expected, facts.quantity):
        failures.append(
            Failure(
                "line_total",
                f"Line amount ${facts.amount:,.2f} against ${expected:,.2f} at the order's price: "
                f"over by ${line_over:,.2f}, more than the tolerance ({tolerances.price_text()}).",
            )
        )
    return LineResult(
        key=facts.key,
        billable=billable,
        expected_amount=expected,
        variance=line_over,
        failures=tuple(failures),
    )


def match_invoice(
    lines: Sequence[LineFacts],
    invoice: InvoiceFacts,
    *,
    method: str,
    tolerances: Tolerances,
    expected_terms: Terms,
) -> MatchResult:
    """The whole match: each line's checks, then the invoice's own (total, footing, freight,
    terms, discount). Failing checks are named; nothing is decided here about holds."""
    if method not in (THREE_WAY, TWO_WAY):
        raise ValueError(f"Unknown match method {method!r}.")
    results = tuple(match_line(f, method=method, tolerances=tolerances) for f in lines)
    expected = sum((r.expected_amount for r in results), ZERO) + invoice.freight + invoice.tax
    failures = []
    if invoice.total - expected > tolerances.total_amount:
        failures.append(
            Failure(
                "invoice_total",
                f"Invoice total ${invoice.total:,.2f} against ${expected:,.2f} (the lines at the "
                f"order's prices, freight and tax): over by ${invoice.total - expected:,.2f}, "
                f"more than the ${tolerances.total_amount:,.2f} allowed.",
            )
        )
    failures.extend(_footing(lines, invoice))
    failures.extend(_terms_and_discount(lines, invoice, expected_terms))
    return MatchResult(method=method, lines=results, failures=tuple(failures))


def _footing(lines, invoice: InvoiceFacts) -> Iterable[Failure]:
    lines_total = sum((f.amount for f in lines), ZERO)
    footed = lines_total + invoice.freight + invoice.tax
    if footed != invoice.total:
        yield Failure(
            "footing",
            f"Invoice total ${invoice.total:,.2f} is not its lines ${lines_total:,.2f} + freight "
            f"${invoice.freight:,.2f} + tax ${invoice.tax:,.2f} = ${footed:,.2f}.",
        )
    if invoice.freight_allowed is not None and invoice.freight > invoice.freight_allowed:
        yield Failure(
            "freight",
            f"Freight ${invoice.freight:,.2f} is more than the ${invoice.freight_allowed:,.2f} "
            "the order allows.",
        )


def _terms_and_discount(lines, invoice: InvoiceFacts, expected: Terms) -> Iterable[Failure]:
    if invoice.terms is not None:
        worse = invoice.terms.less_favourable_than(expected)
        if worse:
            yield Failure(
                "terms",
                f"Terms {invoice.terms.label()} against {expected.label()}: " + "; ".join(worse),
            )
    allowed = discount_allowed(lines, expected)
    if invoice.discount_taken > allowed:
        yield Failure(
            "discount",
            f"Discount taken ${invoice.discount_taken:,.2f} is more than the ${allowed:,.2f} "
            f"that {expected.label()} allows on the lines.",
        )


def discount_allowed(lines: Iterable[LineFacts], terms: Terms) -> Decimal:
    """The most discount `terms` allow on the lines' amounts (freight and tax carry none)."""
    return discount_allowed_on(sum((f.amount for f in lines), ZERO), terms)


def discount_allowed_on(lines_total: Decimal, terms: Terms) -> Decimal:
    return percent_of(lines_total, terms.discount_percent)


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """`amount` spread over `weights` in proportion, each share rounded half up, the cents left
    over by rounding given to the largest weight (freight and tax spread over an invoice's lines
    by their amounts). All weights zero: evenly."""
    if not weights:
        return []
    total = sum(weights, ZERO)
    if total == 0:
        weights, total = [Decimal(1)] * len(weights), Decimal(len(weights))
    shares = [round_money(amount * w / total) for w in weights]
    largest = max(range(len(weights)), key=lambda i: (weights[i], -i))
    shares[largest] += amount - sum(shares, ZERO)
    return shares
