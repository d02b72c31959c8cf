"""Forms of the premise, account, meter and service-order screens. Numbers typed at the counter
(premise, party, account) are looked up here; what a number means for the order is the service's."""

from django import forms
from django.contrib.auth.models import User

from revenue.forms import MoneyField, OnceForm, OnceMixin
from revenue.models import Party
from revenue.roles import FIELD_CREW

from .models import BillingCycle, Meter, MeterSize, Premise, RateClass, ServiceAccount

DATE = forms.DateInput(attrs={"type": "date"})
CONFIRM = "Open another anyway (the premise already has an open order of this kind)"


def _lookup(model, label, value):
    found = model.objects.filter(number__iexact=(value or "").strip()).first()
    if found is None:
        raise forms.ValidationError(f"No {label} has that number.")
    return found


class NumbersMixin:
    """clean_<x>_number → the object, kept as self.<x>."""

    def clean_premise_number(self):
        self.premise = _lookup(Premise, "premise", self.cleaned_data["premise_number"])
        return self.premise.number

    def clean_party_number(self):
        value = self.cleaned_data.get("party_number", "")
        self.party = _lookup(Party, "party", value) if value.strip() else None
        return value

    def clean_account_number(self):
        self.account = _lookup(ServiceAccount, "account", self.cleaned_data["account_number"])
        return self.account.number


class PremiseForm(OnceMixin, forms.ModelForm):
    class Meta:
        model = Premise
        fields = [
            "address_line1", "address_line2", "city", "state", "postal_code", "parcel_number", "route",
            "route_sequence", "cycle", "rate_class", "dwelling_units", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_token_field()
        self.fields["cycle"].queryset = BillingCycle.objects.filter(active=True)
        self.fields["rate_class"].queryset = RateClass.objects.filter(active=True)
        self.fields["dwelling_units"].min_value = 1
        self.fields["address_line1"].widget.attrs["autofocus"] = True


class MeterForm(OnceForm):
    serial = forms.CharField(max_length=30)
    size = forms.ModelChoiceField(MeterSize.objects.all())
    make = forms.CharField(max_length=60, required=False)
    unit = forms.ChoiceField(choices=Meter.Unit.choices)
    multiplier = forms.DecimalField(max_digits=8, decimal_places=3, initial=1, min_value=0.001)
    dials = forms.IntegerField(min_value=3, max_value=10, initial=6)


class InstallForm(NumbersMixin, OnceForm):
    premise_number = forms.CharField(max_length=12, label="Premise number")
    on = forms.DateField(label="Installed on", widget=DATE)
    read = forms.CharField(
        max_length=12, label="Install read", widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )


class RemoveForm(OnceForm):
    on = forms.DateField(label="Removed on", widget=DATE)
    read = forms.CharField(
        max_length=12, label="Removal read", widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    status = forms.ChoiceField(
        label="Goes to",
        choices=[
            (Meter.Status.REMOVED, "Stock"),
            (Meter.Status.TESTING, "Testing"),
            (Meter.Status.RETIRED, "Retirement"),
        ],
    )


class _OrderBase(NumbersMixin, OnceForm):
    reason = forms.CharField(max_length=250, required=False, label="Reason or remarks")
    confirmed = forms.BooleanField(required=False, label=CONFIRM)


class StartForm(_OrderBase):
    premise_number = forms.CharField(max_length=12, label="Premise number")
    party_number = forms.CharField(max_length=12, label="Customer (party number)")
    move_in = forms.DateField(label="Move-in date", widget=DATE)
    is_owner = forms.BooleanField(required=False, label="The customer owns the premise")
    deposit = MoneyField(required=False, min_value=0, label="Deposit (blank: as the deposit rules require)")
    mail_name = forms.CharField(
        max_length=200, required=False, label="Name on the bill (blank: the customer's)"
    )
    mail_line1 = forms.CharField(
        max_length=200, required=False, label="Mailing address (blank: the service address)"
    )
    mail_city = forms.CharField(max_length=100, required=False, label="Mailing city")
    mail_state = forms.CharField(max_length=2, required=False, label="Mailing state")
    mail_postal_code = forms.CharField(max_length=10, required=False, label="Mailing ZIP")
    bill_by_email = forms.BooleanField(required=False, label="E-mail the bills")
    after_hours = forms.BooleanField(required=False, label="After hours")

    def clean_party_number(self):
        super().clean_party_number()
        if self.party is None:
            raise forms.ValidationError("Give the customer's party number (create the party first).")
        return self.party.number


class StopForm(_OrderBase):
    account_number = forms.CharField(max_length=12, label="Account number")
    move_out = forms.DateField(label="Move-out date", widget=DATE)


class TransferForm(_OrderBase):
    account_number = forms.CharField(max_length=12, label="Account number (the premise the customer leaves)")
    premise_number = forms.CharField(max_length=12, label="New premise number")
    on = forms.DateField(label="Moving date", widget=DATE)


class BillingChangeForm(_OrderBase):
    account_number = forms.CharField(max_length=12, label="Account number")
    effective_on = forms.DateField(label="Takes effect on", widget=DATE)
    name = forms.CharField(max_length=200, required=False, label="New name on the bill")
    mail_line1 = forms.CharField(max_length=200, required=False, label="New mailing address")
    mail_line2 = forms.CharField(max_length=200, required=False, label="Mailing address line 2")
    mail_city = forms.CharField(max_length=100, required=False, label="Mailing city")
    mail_state = forms.CharField(max_length=2, required=False, label="Mailing state")
    mail_postal_code = forms.CharField(max_length=10, required=False, label="Mailing ZIP")
    rate_class = forms.ModelChoiceField(
        RateClass.objects.filter(active=True), required=False, label="New rate class"
    )
    cycle = forms.ModelChoiceField(
        BillingCycle.objects.filter(active=True), required=False, label="New billing cycle"
    )


class OtherOrderForm(_OrderBase):
    premise_number = forms.CharField(max_length=12, label="Premise number")
    party_number = forms.CharField(
        max_length=12, required=False, label="Who pays the fees (party number; blank: the account's customer)"
    )
    effective_on = forms.DateField(required=False, label="Wanted on", widget=DATE)
    meter_size = forms.ModelChoiceField(
        MeterSize.objects.all(), required=False, label="Meter size (new service, meter installation)"
    )
    after_hours = forms.BooleanField(required=False, label="After hours")


class ScheduleForm(OnceForm):
    on = forms.DateField(label="Scheduled for", widget=DATE)


class AssignForm(OnceForm):
    to = forms.ModelChoiceField(User.objects.none(), label="Field crew member")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = User.objects.filter(is_active=True, groups__name=FIELD_CREW).order_by(
            "username"
        )


class CancelForm(OnceForm):
    reason = forms.CharField(max_length=250, label="Why it is cancelled")


class CompleteForm(OnceForm):
    """What the crew reports (phone-sized): reads are typed as text, so letters get the service's sentence."""

    read = forms.CharField(
        max_length=12,
        required=False,
        label="Read",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    serial = forms.CharField(max_length=30, required=False, label="Meter serial")
    second_read = forms.CharField(
        max_length=12,
        required=False,
        label="Second read",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    test_accuracy = forms.CharField(
        max_length=8,
        required=False,
        label="Test result (percent registered)",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    notes = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Notes"
    )

    LABELS = {
        "start": {"read": "Read-in"},
        "stop": {"read": "Read-out"},
        "transfer": {"read": "Read-out at this premise", "second_read": "Read-in at the new premise"},
        "new_service": {"read": "Install read", "serial": "Serial of the meter installed"},
        "meter_install": {"read": "Install read", "serial": "Serial of the meter installed"},
        "meter_change": {
            "read": "New meter's first read",
            "serial": "New meter's serial",
            "second_read": "Old meter's final read",
        },
    }
    FIELDS = {
        "start": ["read", "serial"], "stop": ["read", "serial"], "transfer": ["read", "second_read"],
        "new_service": ["serial", "read"], "meter_install": ["serial", "read"], "sewer_connection": [],
        "meter_change": ["serial", "read", "second_read"], "meter_test": ["test_accuracy"],
        "reread": ["read"], "high_bill": ["read"], "disconnect": ["read"], "reconnect": ["read"], "billing_change": [],
    }  # fmt: skip

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = set(self.FIELDS.get(kind, [])) | {"notes", "token"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name, label in self.LABELS.get(kind, {}).items():
            if name in self.fields:
                self.fields[name].label = label
