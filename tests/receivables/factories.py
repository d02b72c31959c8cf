"""Invoices made the way receivables.invoices makes them (an Invoice, then one core charge per
line with the invoice as source and its number), so these tests do not depend on the invoice
screens. Payments and reversals go through the core services."""

import datetime
from decimal import Decimal

from django.db import transaction

from receivables.collections import policy_on
from receivables.models import Invoice, InvoiceLine
from revenue import services
from revenue.models import Account


@transaction.atomic
def make_invoice(party, *amounts, invoice_date, acting_user, terms_days=30, revenue="100-4155"):
    """An invoice of one line per amount, dated `invoice_date`, due `terms_days` later."""
    policy = policy_on(invoice_date)
    revenue_account = Account.objects.get(number=revenue)
    amounts = [Decimal(a) for a in amounts or ("100.00",)]
    invoice = Invoice.objects.create(
        number=services.number_next(kind="AR", on=invoice_date),
        party=party,
        invoice_date=invoice_date,
        terms_days=terms_days,
        due_on=invoice_date + datetime.timedelta(days=terms_days),
        total=sum(amounts),
        created_by=acting_user,
    )
    for n, amount in enumerate(amounts, start=1):
        charge = services.charge_assess(
            party=party,
            amount=amount,
            description=f"Line {n}",
            receivable_account=policy.receivable_account,
            revenue_account=revenue_account,
            acting_user=acting_user,
            source=invoice,
            source_number=invoice.number,
            assessed_on=invoice_date,
            due_on=invoice.due_on,
        )
        InvoiceLine.objects.create(
            invoice=invoice,
            description=f"Line {n}",
            revenue_account=revenue_account,
            quantity=Decimal("1"),
            unit_price=amount,
            amount=amount,
            charge=charge,
        )
    return invoice


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
