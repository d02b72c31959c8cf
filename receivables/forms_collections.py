"""Forms of the aging, dunning, follow-up, write-off and statistics screens."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from revenue import services as core
from revenue.forms import BoundedDateField, MoneyField, OnceForm

from .models import FollowUp, Invoice

DATE_ERROR = {"invalid": "Enter a date such as 03/31/2026."}


def date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", "class": "form-control", **attrs}, format="%Y-%m-%d")


class AsOfForm(forms.Form):
    """The aging's date (GET): today unless another is asked for."""

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
