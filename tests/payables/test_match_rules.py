"""The invoice audit's rules, table by table: invoice number keys, tolerances at their edges,
quantities against receipts or the order, totals, terms and discounts."""

import datetime
from decimal import Decimal

import pytest

from payables import match_rules as mr

D = Decimal
d = datetime.date
NET30_2_10 = mr.Terms(net_days=30, discount_percent=D("2"), discount_days=10)


# --- invoice numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("INV-0042", "inv0042", True),
        ("INV-0042", "INV 0042", True),
        ("INV-0042", " inv.0042 ", True),
        ("INV-0042", "Inv/00-42", True),
        ("A-1", "a_1", True),
        ("INV-0042", "INV-42", False),  # leading zeros kept: a vendor may issue both
        ("INV-0042", "INV-0043", False),
        ("12345", "1234-5", True),
    ],
)
def test_invoice_numbers_compare_by_letters_and_digits(a, b, same):
    assert (mr.invoice_number_key(a) == mr.invoice_number_key(b)) is same


def test_a_number_of_only_punctuation_has_an_empty_key():
    assert mr.invoice_number_key(" -/. ") == ""


# --- tolerances -------------------------------------------------------------------------------

TOL = mr.Tolerances(price_percent=D("5"), price_amount=D("25.00"), total_amount=D("20.00"))


def line(qty="10", price="10.00", amount=None, ordered="10", order_price="10.00", **kw):
    amount = amount if amount is not None else str(D(qty) * D(price))
    return mr.LineFacts(
        key=kw.pop("key", "1"),
        quantity=D(qty),
        unit_price=D(price),
        amount=D(amount).quantize(D("0.01")),
        ordered=D(ordered),
        order_price=D(order_price),
        **{k: D(v) for k, v in kw.items()},
    )


@pytest.mark.parametrize(
    "order_price, billed, passes, why",
    [
        ("10.00", "10.00", True, "the order's price"),
        ("10.00", "10.50", True, "exactly at 5%"),
        ("10.00", "10.51", False, "a cent over 5%"),
        ("10.00", "9.00", True, "billed under the order passes"),
        ("1000.00", "1025.00", True, "exactly at the $25 amount (5% would be $50)"),
        ("1000.00", "1025.01", False, "a cent over the amount, though within 5%"),
        ("3.33", "3.49", True, "5% of 3.33 is 0.1665: 0.16 over is within"),
        ("3.33", "3.50", False, "0.17 over is not"),
    ],
)
def test_unit_price_within_both_the_percentage_and_the_amount(order_price, billed, passes, why):
    facts = line(qty="1", price=billed, order_price=order_price)
    result = mr.match_line(facts, method=mr.TWO_WAY, tolerances=TOL)
    assert ("price" not in result.failed_checks) is passes, why


def test_a_price_failure_names_the_check_and_the_figures():
    result = mr.match_line(line(qty="1", price="10.51", ordered="1"), method=mr.TWO_WAY, tolerances=TOL)
    [failure] = [f for f in result.failures if f.check == "price"]
    assert failure.label == "Unit price"
    assert "$10.51" in failure.message and "$10.00" in failure.message
    assert "over by $0.51" in failure.message


def test_zero_tolerance_is_exact():
    exact = mr.Tolerances()
    assert mr.match_line(line(price="10.00"), method=mr.TWO_WAY, tolerances=exact).passed
    over = mr.match_line(line(price="10.01"), method=mr.TWO_WAY, tolerances=exact)
    assert over.failed_checks == ["price", "line_total"]


@pytest.mark.parametrize(
    "tolerances, qty, price, amount, line_passes",
    [
        # 5% and $1.00 a unit: 40 units at $0.50 over is $20.00, within 5% and $40.00
        (mr.Tolerances(price_percent=D("5"), price_amount=D("1")), "40", "10.50", None, True),
        # the line's amount overstated by a cent past its 5% ($20.00)
        (mr.Tolerances(price_percent=D("5"), price_amount=D("1")), "40", "10.50", "420.01", False),
        # $0.20 a unit: 40 units at $0.20 over is $8.00, at the amount limit
        (mr.Tolerances(price_percent=D("5"), price_amount=D("0.20")), "40", "10.20", None, True),
        (mr.Tolerances(price_percent=D("5"), price_amount=D("0.20")), "40", "10.21", None, False),
    ],
)
def test_line_total_within_both_limits_on_the_line(tolerances, qty, price, amount, line_passes):
    facts = line(qty=qty, price=price, amount=amount, ordered="100")
    result = mr.match_line(facts, method=mr.TWO_WAY, tolerances=tolerances)
    assert ("line_total" not in result.failed_checks) is line_passes


def test_a_line_within_the_limit_while_the_total_is_over_fails_the_total():
    # Each line is $15.00 over (within 5% and $25.00 a unit); together $30.00 over, past $20.00.
    lines = [
        line(key="1", qty="30", price="10.50", ordered="30"),
        line(key="2", qty="30", price="10.50", ordered="30"),
    ]
    invoice = mr.InvoiceFacts(total=D("630.00"))
    result = mr.match_invoice(lines, invoice, method=mr.TWO_WAY, tolerances=TOL, expected_terms=NET30_2_10)
    assert all(r.passed for r in result.lines)
    assert [f.check for f in result.failures] == ["invoice_total"]
    assert not result.passed
    assert "over by $30.00" in result.failures[0].message


@pytest.mark.parametrize("qty, passes", [("20", True), ("21", False)])
def test_the_total_at_its_limit_passes_and_a_step_over_fails(qty, passes):
    # qty units on each of two lines at $0.50 over: 20 -> $20.00 (the limit), 21 -> $21.00
    lines = [
        line(key="1", qty=qty, price="10.50", ordered=qty),
        line(key="2", qty=qty, price="10.50", ordered=qty),
    ]
    total = 2 * D(qty) * D("10.50")
    result = mr.match_invoice(
        lines,
        mr.InvoiceFacts(total=total),
        method=mr.TWO_WAY,
        tolerances=TOL,
        expected_terms=NET30_2_10,
    )
    assert result.passed is passes


def test_freight_and_tax_count_in_the_expected_total():
    invoice = mr.InvoiceFacts(total=D("150.00"), freight=D("30.00"), tax=D("20.00"))
    result = mr.match_invoice(
        [line()], invoice, method=mr.TWO_WAY, tolerances=mr.Tolerances(), expected_terms=NET30_2_10
    )
    assert result.passed


# --- quantity: three-way and two-way ----------------------------------------------------------


@pytest.mark.parametrize(
    "method, qty, ordered, received, billed_before, ok",
    [
        (mr.THREE_WAY, "6", "10", "6", "0", True),  # a partial receipt billed in full
        (mr.THREE_WAY, "7", "10", "6", "0", False),  # billed more than received
        (mr.THREE_WAY, "4", "10", "10", "6", True),  # the second partial bill
        (mr.THREE_WAY, "5", "10", "10", "6", False),  # ...billing past what is left
        (mr.THREE_WAY, "6", "10", "4", "0", False),  # 6 received, 2 returned: 4 net
        (mr.THREE_WAY, "4", "10", "4", "0", True),
        (mr.THREE_WAY, "1", "10", "0", "0", False),  # nothing received yet
        (mr.TWO_WAY, "10", "10", None, "0", True),  # two-way: against the order
        (mr.TWO_WAY, "11", "10", None, "0", False),
        (mr.TWO_WAY, "3", "10", None, "8", False),
    ],
)
def test_quantity_against_received_or_ordered(method, qty, ordered, received, billed_before, ok):
    kw = {"billed_before": billed_before}
    if received is not None:
        kw["received"] = received
    facts = line(qty=qty, ordered=ordered, **kw)
    result = mr.match_line(facts, method=method, tolerances=TOL)
    assert ("quantity" not in result.failed_checks) is ok


def test_three_way_without_receipt_figures_is_a_programming_error():
    with pytest.raises(ValueError):
        mr.match_line(line(), method=mr.THREE_WAY, tolerances=TOL)


def test_a_quantity_allowance_is_its_own_figure():
    allowance = mr.Tolerances(quantity_percent=D("10"))
    at = mr.match_line(line(qty="11", ordered="10"), method=mr.TWO_WAY, tolerances=allowance)
    assert at.passed
    over = mr.match_line(line(qty="12", ordered="10"), method=mr.TWO_WAY, tolerances=allowance)
    assert over.failed_checks == ["quantity"]
    # the quantity allowance gives nothing to the price
    dear = mr.match_line(line(qty="10", price="10.01"), method=mr.TWO_WAY, tolerances=allowance)
    assert "price" in dear.failed_checks


@pytest.mark.parametrize(
    "amount, received, before, passes",
    [
        ("2500.00", "2500.00", "0", True),
        ("2500.01", "2500.00", "0", False),
        ("2500.00", "5000.00", "2500.00", True),
        ("2500.00", "4000.00", "2500.00", False),
    ],
)
def test_a_service_is_matched_on_amounts(amount, received, before, passes):
    facts = mr.LineFacts(
        key="1",
        quantity=D("1"),
        unit_price=D(amount),
        amount=D(amount),
        ordered=D("12000.00"),
        order_price=D("2600.00"),
        received=D(received),
        billed_before=D(before),
        by_amount=True,
    )
    result = mr.match_line(facts, method=mr.THREE_WAY, tolerances=TOL)
    assert ("quantity" not in result.failed_checks) is passes


def test_quantity_failure_says_what_may_be_billed():
    facts = line(qty="6", ordered="10", received="4")
    [failure] = mr.match_line(facts, method=mr.THREE_WAY, tolerances=TOL).failures
    assert failure.check == "quantity"
    assert "4 received net of returns" in failure.message
    assert "4 may be billed" in failure.message


def test_line_arithmetic_is_checked():
    result = mr.match_line(
        line(qty="3", price="10.00", amount="31.00"),
        method="two_way",
        tolerances=mr.Tolerances(price_percent=D("10"), price_amount=D("5")),
    )
    assert "extension" in result.failed_checks


# --- footing, freight, terms, discount --------------------------------------------------------


def invoice_result(invoice, lines=None, terms=NET30_2_10):
    return mr.match_invoice(
        lines or [line()], invoice, method=mr.TWO_WAY, tolerances=TOL, expected_terms=terms
    )


@pytest.mark.parametrize(
    "invoice, failing",
    [
        (mr.InvoiceFacts(total=D("100.00")), []),
        (mr.InvoiceFacts(total=D("112.50"), freight=D("5.00"), tax=D("7.50")), []),
        (mr.InvoiceFacts(total=D("112.51"), freight=D("5.00"), tax=D("7.50")), ["footing"]),
        (mr.InvoiceFacts(total=D("105.00"), freight=D("5.00"), freight_allowed=D("5.00")), []),
        (
            mr.InvoiceFacts(total=D("105.01"), freight=D("5.01"), freight_allowed=D("5.00")),
            ["freight"],
        ),
        (mr.InvoiceFacts(total=D("100.00"), discount_taken=D("2.00")), []),
        (mr.InvoiceFacts(total=D("100.00"), discount_taken=D("2.01")), ["discount"]),
        (mr.InvoiceFacts(total=D("100.00"), terms=NET30_2_10), []),
        (mr.InvoiceFacts(total=D("100.00"), terms=mr.Terms.parse("net 30")), ["terms"]),
        (mr.InvoiceFacts(total=D("100.00"), terms=mr.Terms.parse("2/10 net 15")), ["terms"]),
        (mr.InvoiceFacts(total=D("100.00"), terms=mr.Terms.parse("2/5 net 30")), ["terms"]),
        (mr.InvoiceFacts(total=D("100.00"), terms=mr.Terms.parse("3/10 net 45")), []),
    ],
)
def test_invoice_level_checks(invoice, failing):
    result = invoice_result(invoice)
    assert [f.check for f in result.failures] == failing
    assert result.passed is (not failing)


def test_discount_taken_on_net_terms_fails():
    result = invoice_result(
        mr.InvoiceFacts(total=D("100.00"), discount_taken=D("1.00")),
        terms=mr.Terms.parse("net 30"),
    )
    assert [f.check for f in result.failures] == ["discount"]


def test_discount_is_on_the_lines_not_freight_or_tax():
    invoice = mr.InvoiceFacts(total=D("150.00"), freight=D("30.00"), tax=D("20.00"), discount_taken=D("2.00"))
    assert invoice_result(invoice).passed
    more = mr.InvoiceFacts(total=D("150.00"), freight=D("30.00"), tax=D("20.00"), discount_taken=D("3.00"))
    assert not invoice_result(more).passed


def test_every_failure_is_listed_with_its_line():
    lines = [line(key="A", qty="11", price="11.00", ordered="10"), line(key="B")]
    result = mr.match_invoice(
        lines,
        mr.InvoiceFacts(total=D("999.00"), terms=mr.Terms.parse("net 10")),
        method=mr.TWO_WAY,
        tolerances=TOL,
        expected_terms=NET30_2_10,
    )
    got = [(key, f.check) for key, f in result.all_failures()]
    assert got == [
        ("A", "quantity"),
        ("A", "price"),
        ("A", "line_total"),
        (None, "invoice_total"),
        (None, "footing"),
        (None, "terms"),
    ]
    assert result.lines[1].passed


# --- terms and their dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, net, pct, days",
    [
        ("2/10 net 30", 30, "2", 10),
        ("2/10 n/30", 30, "2", 10),
        ("1.5%/15, net 45", 45, "1.5", 15),
        ("Net 30", 30, "0", 0),
        ("net30", 30, "0", 0),
        ("due on receipt", 0, "0", 0),
    ],
)
def test_terms_parse(text, net, pct, days):
    terms = mr.Terms.parse(text)
    assert (terms.net_days, terms.discount_percent, terms.discount_days) == (net, D(pct), days)


@pytest.mark.parametrize("text", ["", "thirty days", "2/40 net 30", "100/10 net 30", "net -5"])
def test_terms_that_cannot_be_read_are_refused(text):
    with pytest.raises(mr.TermsError):
        mr.Terms.parse(text)


def test_terms_label_round_trips():
    for text in ("2/10 net 30", "1.5/15 net 45", "net 30", "due on receipt"):
        assert mr.Terms.parse(mr.Terms.parse(text).label()) == mr.Terms.parse(text)


def test_2_10_net_30_dates():
    basis = d(2026, 3, 25)
    assert NET30_2_10.discount_date(basis) == d(2026, 4, 4)
    assert NET30_2_10.net_due(basis) == d(2026, 4, 24)
    assert mr.Terms.parse("net 30").discount_date(basis) is None


@pytest.mark.parametrize(
    "paid_on, discount",
    [
        (d(2026, 3, 25), "20.00"),  # the invoice date
        (d(2026, 4, 4), "20.00"),  # the last discount day
        (d(2026, 4, 5), "0.00"),  # the day after
        (d(2026, 4, 24), "0.00"),  # the net due date
    ],
)
def test_discount_on_the_last_day_and_not_the_day_after(paid_on, discount):
    assert NET30_2_10.discount_on(D("1000.00"), basis=d(2026, 3, 25), paid_on=paid_on) == D(discount)


def test_discount_rounds_half_up_once():
    terms = mr.Terms.parse("1.5/10 net 30")
    # 1.5% of 12.30 is 0.1845 -> 0.18; of 12.50 is 0.1875 -> 0.19
    assert terms.discount_on(D("12.30"), basis=d(2026, 1, 1), paid_on=d(2026, 1, 1)) == D("0.18")
    assert terms.discount_on(D("12.50"), basis=d(2026, 1, 1), paid_on=d(2026, 1, 1)) == D("0.19")
