"""Receivables' forms: invoices, credit memos, sending, and the aging, dunning, follow-up,
write-off and statistics screens. They parse and check types; the rules (a line needs a price,
the fee schedule's rate, dates, totals) are the services', which answer with a sentence the
view puts on the form."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from revenue import services as core
from revenue.forms import AsOfForm, BoundedDateField, MoneyField, OnceForm
from revenue.models import Account, FeeType, Party

from .models import FollowUp, Invoice
from .services.invoices import MAX_BACKDATE_DAYS, MAX_TERMS_DAYS

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
        help_text=f"Today unless back-dated (at most {MAX_BACKDATE_DAYS} days).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    terms_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_TERMS_DAYS,
        label="Terms (net days)",
        help_text="Blank: the policy's default.",
        error_messages={
            "min_value": "Terms cannot be negative.",
            "max_value": f"Terms are at most {MAX_TERMS_DAYS} days.",
        },
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


# --------------------------------------------------------------------------- collections

DATE_ERROR = {"invalid": "Enter a date such as 03/31/2026."}


def date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", "class": "form-control", **attrs}, format="%Y-%m-%d")


class AgingForm(AsOfForm):
    """The aging's date (GET): today unless another is asked for; not a future date."""

    as_of = BoundedDateField(label="As of", widget=date_input(autofocus=True), error_messages=DATE_ERROR)

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day > core.city_today():
            raise forms.ValidationError("The aging is as of today or a past date.")
        return day


class DunningRunForm(forms.Form):
    on = BoundedDateField(label="Run as of", widget=date_input(autofocus=True), error_messages=DATE_ERROR)

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > core.city_today():
            raise forms.ValidationError("Past-due notices cannot be sent for a future date.")
        return day


class FollowUpForm(OnceForm):
    kind = forms.ChoiceField(choices=FollowUp.Kind.choices, initial=FollowUp.Kind.CALL, label="Contact")
    invoice = forms.ChoiceField(required=False, label="About invoice")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was said or done")
    promise_on = forms.DateField(
        required=False, label="Promised to pay by", widget=date_input(), error_messages=DATE_ERROR
    )
    promise_amount = MoneyField(required=False, label="Promised amount")
    next_action_on = forms.DateField(
        required=False,
        label="Next follow-up on",
        widget=date_input(),
        error_messages=DATE_ERROR,
        help_text="The customer comes back on the worklist that day.",
    )

    def __init__(self, *args, party, **kwargs):
        super().__init__(*args, **kwargs)
        self.party = party
        open_invoices = Invoice.objects.filter(party=party, status=Invoice.Status.OPEN).order_by("due_on")
        self.fields["invoice"].choices = [("", "— the account in general —")] + [
            (inv.number, f"{inv.number} due {inv.due_on:%m/%d/%Y}") for inv in open_invoices
        ]
        self.fields["kind"].widget.attrs["autofocus"] = True
        today = core.city_today().isoformat()
        self.fields["promise_on"].widget.attrs["min"] = today
        self.fields["next_action_on"].widget.attrs["min"] = today
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-md-4"), Column("invoice", css_class="col-md-8")),
            "note",
            Row(
                Column("promise_on", css_class="col-md-4"),
                Column("promise_amount", css_class="col-md-4"),
                Column("next_action_on", css_class="col-md-4"),
            ),
        )

    def clean_invoice(self):
        number = self.cleaned_data.get("invoice")
        if not number:
            return None
        invoice = Invoice.objects.filter(party=self.party, number=number).first()
        if invoice is None:
            raise forms.ValidationError("Choose one of this customer's invoices.")
        return invoice


class WriteOffForm(OnceForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}),
        label="Why it cannot be collected",
        help_text="A supervisor reads this before approving; nothing is written off until then.",
    )


class FiscalYearForm(forms.Form):
    fiscal_year = forms.IntegerField(
        label="Fiscal year",
        min_value=2000,
        max_value=2100,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autofocus": True, "class": "form-control", "style": "width: 7em"}
        ),
        error_messages={
            "invalid": "Enter a fiscal year such as 2026.",
            "min_value": "Enter a fiscal year such as 2026.",
            "max_value": "Enter a fiscal year such as 2026.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
