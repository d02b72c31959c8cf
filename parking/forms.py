"""Parking's forms: citations, contests, plans, permits, tag stock and the import upload.
Validation of the rules themselves is in parking.rules and the services; the forms only take the
input apart and put the services' messages on the page. Every form that changes something
carries a one-time token (OnceForm), so a double submit posts once."""

import datetime
from decimal import Decimal

from crispy_forms.layout import Column, Layout, Row
from django import forms

from revenue import services as core
from revenue.forms import BoundedDateField, MoneyField, OnceForm
from revenue.models import ImportProfile, Party

from . import rules, selectors
from .models import Contest, PermitSerial, PermitType
from .services.imports import HELP as IMPORT_HELP
from .services.imports import TARGET as IMPORT_TARGET


def _by_rule(clean, value):
    """A value cleaned by a parking rule, or the rule's message on the field."""
    try:
        return clean(value)
    except rules.RuleError as exc:
        raise forms.ValidationError(str(exc)) from None


class CitationForm(OnceForm):
    number = forms.CharField(max_length=20, label="Citation number")
    issued_on = forms.DateField(label="Date issued", widget=forms.DateInput(attrs={"type": "date"}))
    issued_time = forms.TimeField(label="Time", widget=forms.TimeInput(attrs={"type": "time"}))
    plate = forms.CharField(max_length=12)
    state = forms.CharField(max_length=2, initial="CA")
    make = forms.CharField(max_length=20, required=False)
    violation_code = forms.CharField(max_length=20, label="Violation code")
    fine = MoneyField(
        required=False,
        help_text="Blank: the schedule's fine. Another amount only for a code whose fine the officer writes, "
        "within its range.",
    )
    location = forms.CharField(max_length=120)
    badge = forms.CharField(max_length=10, label="Officer badge")
    owner_name = forms.CharField(max_length=200, required=False, label="Registered owner (if known)")
    owner_address = forms.CharField(max_length=300, required=False, label="Owner's mailing address")

    # what can be checked without the database is checked here, so its message sits on the field
    def clean_plate(self):
        return _by_rule(rules.clean_plate, self.cleaned_data["plate"])

    def clean_state(self):
        return _by_rule(rules.clean_state, self.cleaned_data["state"])

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
    months = forms.IntegerField(
        min_value=1,
        max_value=120,
        required=False,
        help_text="Blank under a policy of the maximum each month: as many months as that takes.",
    )
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


# --------------------------------------------------------------------------- permits and tag stock


class PermitTypeChoice(forms.ModelChoiceField):
    """'Residential — $45.00 for 12 months': the fee shows as the type is chosen."""

    def label_from_instance(self, obj):
        terms = selectors.permit_terms_on(obj, core.city_today())
        if terms is None:
            return f"{obj.name} (no fee set)"
        months = "1 month" if terms.validity_months == 1 else f"{terms.validity_months} months"
        return f"{obj.name} — ${terms.fee:,.2f} for {months}"


class PermitForm(OnceForm):
    party_number = forms.CharField(
        max_length=12,
        label="Permit holder (party number)",
        help_text="Find or create the party first; its number is on its page.",
    )
    permit_type = PermitTypeChoice(queryset=PermitType.objects.filter(active=True), label="Permit type")
    address = forms.CharField(
        max_length=200, label="Street address", help_text="Number and street: 123 Elm St."
    )
    unit = forms.CharField(max_length=20, required=False, label="Unit")
    plate = forms.CharField(max_length=12, label="Plate")
    plate_state = forms.CharField(max_length=2, initial="CA", label="State")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("party_number", css_class="col-md-5"), Column("permit_type", css_class="col-md-7")),
            Row(Column("address", css_class="col-md-8"), Column("unit", css_class="col-md-4")),
            Row(Column("plate", css_class="col-md-5"), Column("plate_state", css_class="col-md-3")),
        )
        self.fields["party_number"].widget.attrs["autofocus"] = True
        self.fields["plate"].widget.attrs.update({"autocapitalize": "characters", "autocomplete": "off"})
        self.fields["plate_state"].widget.attrs.update({"autocapitalize": "characters", "size": 2})
        self.party = None

    def clean_party_number(self):
        party = Party.objects.filter(number__iexact=self.cleaned_data["party_number"].strip()).first()
        if party is None:
            raise forms.ValidationError("No party has that number.")
        self.party = party
        return party.number

    # the plate and state are checked here too, so their message sits on the field itself
    def clean_plate(self):
        return _by_rule(rules.clean_plate, self.cleaned_data["plate"])

    def clean_plate_state(self):
        return _by_rule(rules.clean_state, self.cleaned_data["plate_state"])


class ActionForm(OnceForm):
    """Renew, assign a tag: nothing to fill in but the one-time token."""


class ReplaceForm(OnceForm):
    reason = forms.ChoiceField(choices=[("lost", "Lost"), ("stolen", "Stolen")], label="The tag was")
    note = forms.CharField(
        max_length=150, required=False, label="Note", help_text="Police report number, etc."
    )


class ReceiveForm(OnceForm):
    permit_type = forms.ModelChoiceField(queryset=PermitType.objects.all(), label="Permit type")
    first = forms.IntegerField(min_value=1, max_value=999_999, label="First tag")
    last = forms.IntegerField(min_value=1, max_value=999_999, label="Last tag")
    received_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(max_length=200, required=False, help_text="Vendor, packing slip …")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="receive", **kwargs)
        self.helper.render_hidden_fields = True
        self.fields["received_on"].initial = core.city_today()
        self.fields["permit_type"].widget.attrs["autofocus"] = True
        self.helper.layout = Layout(
            Row(Column("permit_type", css_class="col-7"), Column("received_on", css_class="col-5")),
            Row(Column("first", css_class="col-6"), Column("last", css_class="col-6")),
            "note",
        )


class MarkForm(OnceForm):
    tag = forms.CharField(max_length=20, label="Tag", help_text="As printed, e.g. R001000.")
    status = forms.ChoiceField(
        choices=[
            (PermitSerial.Status.VOID, "Void (damaged, misprinted)"),
            (PermitSerial.Status.LOST, "Lost"),
            (PermitSerial.Status.STOLEN, "Stolen"),
            (PermitSerial.Status.RETURNED, "Returned by the holder (ends the permit)"),
        ],
        label="Mark as",
    )
    reason = forms.CharField(max_length=200, label="Reason")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="mark", **kwargs)
        self.helper.render_hidden_fields = True
        self.serial = None

    def clean_tag(self):
        serial = selectors.serial_find(self.cleaned_data["tag"])
        if serial is None:
            raise forms.ValidationError("No tag has that number.")
        self.serial = serial
        return serial.label


# --------------------------------------------------------------------------- imports


class ImportForm(OnceForm):
    file = forms.FileField(label="Handheld export file (CSV)", help_text=IMPORT_HELP)
    profile = forms.ModelChoiceField(
        queryset=ImportProfile.objects.none(),
        required=False,
        label="Import profile",
        empty_label="Pick by the file's header (the built-in columns, or the profile they fit)",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.fields["profile"].queryset = ImportProfile.objects.filter(target=IMPORT_TARGET, active=True)


class FineScheduleForm(OnceForm):
    file = forms.FileField(
        label="Fine schedule file (CSV)",
        help_text="Columns violation_code, description, fine, effective_from (2027-07-01 or 07/01/2027) and, "
        "if it changes, late_penalty; or another layout through its import profile. All rows go in, or none.",
    )
    profile = forms.ModelChoiceField(
        queryset=ImportProfile.objects.none(),
        required=False,
        label="Import profile",
        empty_label="Pick by the file's header",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
        self.fields["profile"].queryset = ImportProfile.objects.filter(
            target="parking.fine_schedule", active=True
        )


# --------------------------------------------------------------------------- the fine schedule

FINE_FORM_TIERS = 4  # blank tier rows on the violation's page


class ViolationForm(OnceForm):
    code = forms.CharField(max_length=20, label="Code", help_text="As on the citation, e.g. 22500(a).")
    description = forms.CharField(max_length=150)


class FineForm(OnceForm):
    """A violation's fine from a date, with its late penalty, further tiers and (for a code whose
    fine the officer writes) the range: one form on the violation's page."""

    effective_from = BoundedDateField(label="In force from", widget=forms.DateInput(attrs={"type": "date"}))
    fine = MoneyField(label="Fine")
    late_penalty = MoneyField(
        label="Late penalty",
        required=False,
        min_value=Decimal("0.00"),
        help_text="Added when unpaid past the due date (blank: none).",
    )
    fine_min = MoneyField(label="Officer may write from", required=False)
    fine_max = MoneyField(label="… to", required=False, help_text="Both blank: the fine as scheduled only.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, FINE_FORM_TIERS + 1):
            self.fields[f"tier_{i}_days"] = forms.IntegerField(
                label=f"Tier {i}: after days", required=False, min_value=1, max_value=3650
            )
            self.fields[f"tier_{i}_amount"] = MoneyField(label=f"Tier {i}: add", required=False)
            for name in (f"tier_{i}_days", f"tier_{i}_amount"):
                self.fields[name].widget.attrs["class"] = "form-control form-control-sm text-end"

    def tier_rows(self):
        """[(days field, amount field)] for the template's table."""
        return [(self[f"tier_{i}_days"], self[f"tier_{i}_amount"]) for i in range(1, FINE_FORM_TIERS + 1)]

    def tiers(self) -> list[tuple]:
        d = self.cleaned_data
        return [(d.get(f"tier_{i}_days"), d.get(f"tier_{i}_amount")) for i in range(1, FINE_FORM_TIERS + 1)]
