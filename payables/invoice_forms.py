"""Forms of the invoice audit: the invoice as billed against its order's lines (one row per order
line: quantity, unit price and amount billed; a blank row is not billed), a hold, a dispute, an
approval."""

from __future__ import annotations

from django import forms

from revenue.forms import BoundedForm, OnceForm

from .models import DiscrepancyLetter, Invoice, PaymentTerms, PurchaseOrder
from .services.invoice_entry import NewLine

MONEY = {"max_digits": 12, "decimal_places": 2}


def _money(label, *, required=False, min_value=0):
    return forms.DecimalField(label=label, required=required, min_value=min_value, **MONEY)


class OrderPickForm(BoundedForm):
    order = forms.CharField(label="Purchase order number", max_length=16)

    def clean_order(self):
        number = self.cleaned_data["order"].strip().upper()
        order = PurchaseOrder.objects.select_related("vendor__party").filter(number=number).first()
        if order is None:
            raise forms.ValidationError(f"No purchase order {number}.")
        return order


class InvoiceForm(OnceForm):
    """The header and, for each line of `order`, three fields: q_<id>, p_<id>, a_<id>."""

    number = forms.CharField(label="Vendor's invoice number", max_length=40)
    invoice_date = forms.DateField(label="Invoice date")
    received_on = forms.DateField(label="Received")
    terms = forms.ModelChoiceField(
        queryset=PaymentTerms.objects.filter(active=True), required=False, label="Terms on the invoice"
    )
    freight = _money("Freight")
    tax = _money("Tax")
    total = _money("Invoice total", required=True, min_value=None)

    def __init__(self, *args, order: PurchaseOrder, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        self.order_lines = list(order.lines.order_by("line_no"))
        self.fields["terms"].empty_label = f"As on the order ({order.terms})"
        for line in self.order_lines:
            n = line.line_no
            self.fields[f"q_{line.pk}"] = forms.DecimalField(
                label=f"Line {n} quantity billed", required=False, max_digits=12, decimal_places=3
            )
            self.fields[f"p_{line.pk}"] = forms.DecimalField(
                label=f"Line {n} unit price billed", required=False, **MONEY
            )
            self.fields[f"a_{line.pk}"] = forms.DecimalField(
                label=f"Line {n} amount billed", required=False, **MONEY
            )

    def rows(self):
        """(order line, its three bound fields) for the template."""
        return [(ln, self[f"q_{ln.pk}"], self[f"p_{ln.pk}"], self[f"a_{ln.pk}"]) for ln in self.order_lines]

    def lines(self) -> list[NewLine]:
        out = []
        for ln in self.order_lines:
            qty = self.cleaned_data.get(f"q_{ln.pk}")
            price = self.cleaned_data.get(f"p_{ln.pk}")
            amount = self.cleaned_data.get(f"a_{ln.pk}")
            if qty is None and price is None and amount is None:
                continue
            if qty is None:
                qty = 1 if ln.receive_by == ln.ReceiveBy.AMOUNT else None
            out.append(
                NewLine(
                    description=ln.description,
                    quantity=qty if qty is not None else "",
                    unit_price=price if price is not None else ln.unit_price,
                    amount=amount,
                    po_line=ln,
                )
            )
        return out

    def clean(self):
        data = super().clean()
        if not self.errors and not self.lines():
            raise forms.ValidationError("Type what the vendor billed on at least one line.")
        return data


class CorrectionForm(InvoiceForm):
    kind = forms.ChoiceField(
        choices=[(Invoice.Kind.CREDIT_MEMO, "Credit memo"), (Invoice.Kind.INVOICE, "Corrected invoice")],
        label="The vendor sent",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["terms"]
        self.fields["total"].label = "Total of the document"


class HoldForm(OnceForm):
    reason = forms.CharField(label="Reason for the hold (the evidence awaited)", max_length=250)
    follow_up_on = forms.DateField(label="Follow up on")


class ReleaseForm(OnceForm):
    note = forms.CharField(label="Evidence received", max_length=250)


class DisputeForm(OnceForm):
    respond_by = forms.DateField(label="Vendor to respond by")
    sent_by = forms.ChoiceField(choices=DiscrepancyLetter.Sent.choices, label="Send the letter")
    emailed_to = forms.EmailField(label="E-mail to (blank: the vendor's contact)", required=False)


class ApproveForm(OnceForm):
    variance_reason = forms.CharField(
        label="Reason for approving with a variance", max_length=250, required=False
    )


class MatchForm(OnceForm):
    """Just the token: running the match twice by a double click is harmless but is posted once."""
