"""PostgreSQL itself keeps the payment promises, whatever the code path: a held (or any not
approved) invoice cannot get a payment line, an invoice in a run cannot be held, an invoice is
paid only from approved, and one invoice has one live payment line; the vendor's invoice number
is unique in every year, whatever its case, spaces or dashes once normalized."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from payables.models import Invoice, PaymentLine, PaymentRun
from revenue import services as core
from tests.conftest import D


def _invoice(vendor, clerk, supervisor, *, number, status, invoice_date=None):
    day = invoice_date or core.city_today()
    approved = (
        {"approved_by": supervisor, "approved_at": timezone.now()} if status in ("approved", "paid") else {}
    )
    held = {"hold_reason": "Waiting for the delivery ticket", "follow_up_on": day} if status == "held" else {}
    return Invoice.objects.create(
        vendor=vendor, number=number, normalized_number=number.upper().replace("-", "").replace(" ", ""),
        invoice_date=day, received_on=day, terms=vendor.terms, due_on=day + datetime.timedelta(days=30),
        total=D("100.00"), subtotal=D("100.00"), status=status, created_by=clerk, **approved, **held,
    )  # fmt: skip


def _run(senior_clerk):
    today = core.city_today()
    return PaymentRun.objects.create(number="PR-T-1", pay_date=today, due_by=today, created_by=senior_clerk)


@pytest.mark.django_db
def test_a_held_invoice_can_never_get_a_payment_line(vendor, clerk, supervisor, senior_clerk):
    held = _invoice(vendor, clerk, supervisor, number="H-1", status="held")
    run = _run(senior_clerk)
    with pytest.raises(IntegrityError, match="not approved for payment"), transaction.atomic():
        PaymentLine.objects.create(run=run, invoice=held, gross=D("100.00"), net=D("100.00"))
    approved = _invoice(vendor, clerk, supervisor, number="A-1", status="approved")
    PaymentLine.objects.create(run=run, invoice=approved, gross=D("100.00"), net=D("100.00"))
    with pytest.raises(IntegrityError, match="void its payment before holding"), transaction.atomic():
        Invoice.objects.filter(pk=approved.pk).update(
            status="held", hold_reason="x", follow_up_on=core.city_today()
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # one live payment line per invoice
        PaymentLine.objects.create(run=run, invoice=approved, gross=D("100.00"), net=D("100.00"))


@pytest.mark.django_db
def test_an_invoice_is_paid_only_from_approved(vendor, clerk, supervisor):
    held = _invoice(vendor, clerk, supervisor, number="H-2", status="held")
    with pytest.raises(IntegrityError, match="not approved"), transaction.atomic():
        Invoice.objects.filter(pk=held.pk).update(
            status="paid", approved_by=supervisor, approved_at=timezone.now()
        )


@pytest.mark.django_db
def test_the_same_normalized_number_in_another_year_is_refused(vendor, clerk, supervisor):
    _invoice(
        vendor,
        clerk,
        supervisor,
        number="inv-00123",
        status="entered",
        invoice_date=datetime.date(2024, 3, 1),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _invoice(vendor, clerk, supervisor, number="INV 00123", status="entered")
