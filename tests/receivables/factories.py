"""Invoices made through the invoice service (receivables.services.invoice_create: its numbers,
its charges, its audit row), so these tests do not depend on the invoice screens. The service
bills on the invoice date as a clerk would have on that day: the city's clock reads the invoice
date while it runs (an invoice may be back-dated at most a year from today, and the aging tests
use older dates). Payments and reversals go through the core services."""

import datetime
from decimal import Decimal
from unittest import mock

from receivables import services as ar
from revenue import services


def make_invoice(party, *amounts, invoice_date, acting_user, terms_days=30, revenue="100-4155"):
    """An invoice of one line per amount ("Line 1", …), dated `invoice_date`, due `terms_days` later."""
    lines = [
        {"description": f"Line {n}", "revenue_account": revenue, "quantity": 1, "unit_price": Decimal(amount)}
        for n, amount in enumerate(amounts or ("100.00",), start=1)
    ]
    with mock.patch.object(services, "city_today", return_value=invoice_date):
        return ar.invoice_create(
            party=party,
            lines=lines,
            invoice_date=invoice_date,
            terms_days=terms_days,
            acting_user=acting_user,
        )


def due_days_ago(party, days, *amounts, acting_user, today=None, terms_days=30):
    """An invoice that is `days` past due today (or on `today`)."""
    today = today or services.city_today()
    return make_invoice(
        party,
        *amounts,
        invoice_date=today - datetime.timedelta(days=days + terms_days),
        acting_user=acting_user,
        terms_days=terms_days,
    )


def pay(invoice, amount, *, on, acting_user, undeposited):
    """Pay part or all of an invoice (its charges oldest first) as received on `on`."""
    left = Decimal(amount)
    applications = []
    for charge in invoice.charges():
        if left <= 0:
            break
        part = min(left, charge.balance)
        if part > 0:
            applications.append((charge, part))
            left -= part
    return services.payment_post(
        party=invoice.party,
        amount=Decimal(amount),
        applications=applications,
        debit_account=undeposited,
        acting_user=acting_user,
        received_on=on,
        reference=f"Pay {invoice.number}",
    )
