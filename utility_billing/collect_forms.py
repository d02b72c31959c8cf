"""Collection's forms: the late fee run's date, a plan's terms, a plan asked for or cancelled."""

from django import forms

from revenue.forms import BoundedDateField, BoundedForm, OnceForm


class RunDateForm(BoundedForm):
    on = BoundedDateField(
        label="As of", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )


class PlanForm(OnceForm):
    months = forms.IntegerField(
        min_value=1, max_value=60, label="Months", widget=forms.NumberInput(attrs={"class": "form-control"})
    )
    first_due = BoundedDateField(
        label="First installment due", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    note = forms.CharField(
        max_length=250, required=False, label="Note", widget=forms.TextInput(attrs={"class": "form-control"})
    )


class PlanRequestForm(OnceForm):
    note = forms.CharField(
        max_length=250,
        required=False,
        label="What the customer asked",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class ReasonForm(BoundedForm):
    reason = forms.CharField(
        max_length=250, label="Reason", widget=forms.TextInput(attrs={"class": "form-control"})
    )
