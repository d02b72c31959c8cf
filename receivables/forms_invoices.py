"""Forms for invoices, credit memos and statements. They parse and check types; the rules (a
line needs a price, the fee schedule's rate, dates, totals) are the service's, which answers
with a sentence the view puts on the form."""

from decimal import Decimal

from django import forms

from revenue.forms import MoneyField, OnceForm
from revenue.models import Account, FeeType, Party

LINE_ROWS = 6


class InvoiceForm(OnceForm):
    party_number = forms.CharField(
        max_length=12,
        label="Customer (party number)",
        help_text="Find or create the party first; its number is on its page.",
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    invoice_date = forms.DateField(
        required=False,
        label="Invoice date",
        help_text="Today unless back-dated (at most a year).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    terms_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=365,
        label="Terms (net days)",
        help_text="Blank: the policy's default.",
        error_messages={"min_value": "Terms cannot be negative.", "max_value": "Terms are at most 365 days."},
    )
    reference = forms.CharField(
        max_length=60, required=False, help_text="Customer's PO, event or case number."
    )
    memo = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def clean_party_number(self):
        number = self.cleaned_data["party_number"].strip()
        party = Party.objects.filter(number__iexact=number).first()
        if party is None:
            raise forms.ValidationError("No party has that number.")
        self.party = party
        return party.number


class InvoiceLineForm(forms.Form):
    """One row of the invoice: a fee type, or a description with a GL revenue account."""

    fee_type = forms.ModelChoiceField(
        queryset=FeeType.objects.none(), required=False, empty_label="— description and account —"
    )
    description = forms.CharField(max_length=200, required=False)
    revenue_account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False, empty_label="—")
    quantity = forms.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "text-end", "autocomplete": "off"}),
        error_messages={
            "min_value": "Quantity must be more than zero.",
            "invalid": "Enter a quantity like 1 or 2.5.",
            "max_decimal_places": "Quantity has at most two decimal places.",
            "max_digits": "Quantity is too large.",
            "max_whole_digits": "Quantity is too large.",
        },
    )
    unit_price = MoneyField(required=False, help_text="Blank for a fee the schedule prices.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fee_type"].queryset = FeeType.objects.filter(active=True).order_by("name")
        self.fields["revenue_account"].queryset = Account.objects.filter(
            active=True, type=Account.Type.REVENUE
        ).order_by("number")

    def line(self) -> dict | None:
        """The row as the service takes it, or None for a row left blank."""
        data = self.cleaned_data
        if not any(
            data.get(k) not in (None, "")
            for k in ("fee_type", "description", "revenue_account", "quantity", "unit_price")
        ):
            return None
        return {
            "fee_type": data.get("fee_type"),
            "description": data.get("description", ""),
            "revenue_account": data.get("revenue_account"),
            "quantity": data.get("quantity") if data.get("quantity") is not None else Decimal("1"),
            "unit_price": data.get("unit_price"),
        }


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, extra=LINE_ROWS, max_num=20, absolute_max=20)


class CreditMemoForm(OnceForm):
    amount = MoneyField(label="Credit amount", widget=forms.TextInput(attrs={"autofocus": True}))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class SendForm(OnceForm):
    """E-mail or print: a one-time token so a double click sends once."""
