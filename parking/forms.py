"""Citation forms. Validation of the rules themselves is in parking.rules and the services; the
forms only take the input apart and put the services' messages on the page."""

import datetime

from django import forms

from revenue import services as core
from revenue.forms import BoundedDateField, MoneyField, OnceForm
from revenue.models import Party

from . import rules
from .models import Contest


class CitationForm(OnceForm):
    number = forms.CharField(max_length=20, label="Citation number")
    issued_on = forms.DateField(label="Date issued", widget=forms.DateInput(attrs={"type": "date"}))
    issued_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    plate = forms.CharField(max_length=12)
    state = forms.CharField(max_length=2, initial="CA")
    make = forms.CharField(max_length=20, required=False)
    violation_code = forms.CharField(max_length=20, label="Violation code")
    fine = MoneyField(required=False, help_text="As written on the citation; checked against the schedule.")
    location = forms.CharField(max_length=120)
    badge = forms.CharField(max_length=10, label="Officer badge")
    owner_name = forms.CharField(max_length=200, required=False, label="Registered owner (if known)")
    owner_address = forms.CharField(max_length=300, required=False, label="Owner's mailing address")

    # what can be checked without the database is checked here, so its message sits on the field
    def clean_plate(self):
        try:
            return rules.clean_plate(self.cleaned_data["plate"])
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_state(self):
        try:
            return rules.clean_state(self.cleaned_data["state"])
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_issued_on(self):
        day = self.cleaned_data["issued_on"]
        if day > core.city_today():
            raise forms.ValidationError("The issue date is in the future.")
        return day

    def issued_at(self):
        d = self.cleaned_data
        return datetime.datetime.combine(d["issued_on"], d["issued_time"])


class ContestRequestForm(OnceForm):
    level = forms.ChoiceField(choices=Contest.Level.choices, widget=forms.HiddenInput)
    requested_on = forms.DateField(
        label="Received on",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the request came in.",
    )
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="The person's statement")
    inability_to_pay = forms.BooleanField(required=False, label="Inability to pay granted (no deposit)")
    inability_note = forms.CharField(max_length=250, required=False, label="Grounds")


class ContestDecisionForm(OnceForm):
    decision = forms.ChoiceField(
        choices=[c for c in Contest.Decision.choices if c[0] != Contest.Decision.PENDING],
        widget=forms.RadioSelect,
    )
    reduced_to = MoneyField(required=False, label="Reduced to (total)")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class OwnerForm(forms.Form):
    owner_name = forms.CharField(max_length=200, label="Registered owner")
    owner_address = forms.CharField(max_length=300, label="Mailing address")


class PlanForm(OnceForm):
    party_number = forms.CharField(max_length=12, label="Person (party number)")
    months = forms.IntegerField(min_value=1, max_value=120)
    first_due_on = forms.DateField(
        label="First installment due", widget=forms.DateInput(attrs={"type": "date"})
    )
    qualification = forms.CharField(
        max_length=250,
        label="Qualifies as indigent because",
        help_text="e.g. receives CalFresh (case number)",
    )

    def clean_party_number(self):
        number = self.cleaned_data["party_number"].strip().upper()
        party = Party.objects.filter(number__iexact=number).first()
        if party is None:
            raise forms.ValidationError(f"No party has number {number}.")
        self.party = party
        return number


class RunDateForm(forms.Form):
    on = BoundedDateField(label="As of", widget=forms.DateInput(attrs={"type": "date"}))
