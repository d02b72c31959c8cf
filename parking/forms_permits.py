"""Forms of the permit and tag-stock screens. Every form that changes something carries a one-time
token (OnceForm), so a double submit posts once."""

from crispy_forms.layout import Column, Layout, Row
from django import forms

from revenue import services as core
from revenue.forms import OnceForm
from revenue.models import Party

from . import permits, rules
from .models import PermitSerial, PermitType


class PermitTypeChoice(forms.ModelChoiceField):
    """'Residential — $45.00 for 12 months': the fee shows as the type is chosen."""

    def label_from_instance(self, obj):
        terms = core.in_force(obj.terms.all(), core.city_today())
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
        try:
            return rules.clean_plate(self.cleaned_data["plate"])
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_plate_state(self):
        try:
            return rules.clean_state(self.cleaned_data["plate_state"])
        except rules.RuleError as exc:
            raise forms.ValidationError(str(exc)) from None


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
        serial = permits.serial_find(self.cleaned_data["tag"])
        if serial is None:
            raise forms.ValidationError("No tag has that number.")
        self.serial = serial
        return serial.label
