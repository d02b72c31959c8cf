"""The reads' forms: the read file upload, a read entered by hand, a correction, the estimate of
a cycle's missing reads."""

from django import forms

from revenue.forms import BoundedDateField, OnceForm
from revenue.models import ImportProfile

from .models import BillingCycle
from .services.read_import import HELP, TARGET

DATE = forms.DateInput(attrs={"type": "date"})


class ReadFileForm(OnceForm):
    file = forms.FileField(label="Read file (CSV)", help_text=HELP)
    profile = forms.ModelChoiceField(
        queryset=ImportProfile.objects.none(),
        required=False,
        label="Import profile",
        empty_label="Pick by the file's header (the built-in columns, or the profile they fit)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.fields["profile"].queryset = ImportProfile.objects.filter(target=TARGET, active=True)


class ReadForm(OnceForm):
    serial = forms.CharField(label="Meter serial", max_length=30)
    read_on = BoundedDateField(label="Read date", widget=DATE)
    value = forms.CharField(
        label="Read (the digits on the dials)",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )


class CorrectForm(OnceForm):
    value = forms.CharField(
        label="Correct read (the digits on the dials)", max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    read_on = BoundedDateField(label="Read date", widget=DATE)
    note = forms.CharField(label="Why (for the record)", max_length=200, required=False)


class ReviewForm(OnceForm):
    note = forms.CharField(label="Note", max_length=200, required=False)


class EstimateForm(OnceForm):
    cycle = forms.ModelChoiceField(queryset=BillingCycle.objects.filter(active=True), label="Billing cycle")
    on = BoundedDateField(label="Read date of the cycle", widget=DATE)
