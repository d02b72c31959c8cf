from decimal import Decimal

from django import forms
from django.utils import timezone

from revenue import services as core
from revenue.exceptions import RevenueError
from revenue.forms import BoundedForm, MoneyField, OnceForm
from revenue.models import FeeType

from .models import DENOMINATIONS, Drawer, Tender
from .services import TenderIn


class CountsMixin:
    """One whole-number field per denomination: count_b100 … count_c1."""

    def add_count_fields(self):
        for d in DENOMINATIONS:
            self.fields[f"count_{d.key}"] = forms.IntegerField(
                label=d.label,
                min_value=0,
                max_value=100_000,
                required=False,
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control form-control-sm text-end count-input",
                        "data-value": str(d.value),
                        "inputmode": "numeric",
                    }
                ),
                error_messages={"min_value": "Counts are 0 or more.", "invalid": "Enter a whole number."},
            )

    def counts(self) -> dict[str, int]:
        return {d.key: self.cleaned_data.get(f"count_{d.key}") or 0 for d in DENOMINATIONS}

    def count_fields(self):
        return [self[f"count_{d.key}"] for d in DENOMINATIONS]


class SessionOpenForm(CountsMixin, forms.Form):
    drawer = forms.ModelChoiceField(
        queryset=Drawer.objects.filter(active=True),
        empty_label=None,
        widget=forms.Select(attrs={"autofocus": True, "class": "form-select"}),
    )

    def __init__(self, *args, in_use=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_count_fields()
        in_use = in_use or {}

        def label(drawer):
            session = in_use.get(drawer.pk)
            if session is None:
                return f"{drawer} — free"
            who = session.clerk.get_full_name() or session.clerk.get_username()
            return f"{drawer} — in use by {who} since {timezone.localtime(session.opened_at):%H:%M}"

        self.fields["drawer"].label_from_instance = label
        free = [d.pk for d in self.fields["drawer"].queryset if d.pk not in in_use]
        if free and not self.is_bound:
            self.initial.setdefault("drawer", free[0])


class FindForm(forms.Form):
    q = forms.CharField(max_length=100, label="Scan or type a number, or a name")


class FeeForm(forms.Form):
    fee_type = forms.ModelChoiceField(
        queryset=FeeType.objects.filter(active=True, counter_fee=True), label="Fee"
    )
    quantity = forms.IntegerField(
        min_value=1, max_value=10_000, initial=1, error_messages={"min_value": "Quantity must be at least 1."}
    )
    amount = MoneyField(required=False, label="Amount (if keyed)")
    description = forms.CharField(
        max_length=200, required=False, label="What it is for (keyed fees: miscellaneous revenue)"
    )

    def clean(self):
        data = super().clean()
        fee = data.get("fee_type")
        data["description"] = (data.get("description") or "").strip()
        if fee is not None and not data["description"] and fee_keyed(fee):
            self.add_error("description", f"{fee.name}: describe what the money is for.")
        return data


def fee_keyed(fee: FeeType) -> bool:
    """A fee whose rate in force has no set amount: the counter keys it (miscellaneous revenue)."""
    try:
        return core.fee_rate_on(fee_type=fee).amount is None
    except RevenueError:
        return False


class PayForm(OnceForm):
    """The tenders. The amounts paid on each basket line come as pay-<index> fields."""

    cash = MoneyField(required=False, label="Cash tendered")
    check_amount = MoneyField(required=False, label="Check amount")
    check_number = forms.CharField(max_length=40, required=False, label="Check number")
    check_name = forms.CharField(max_length=120, required=False, label="Name on check")
    card_amount = MoneyField(required=False, label="Card amount")
    card_last4 = forms.CharField(
        max_length=4,
        required=False,
        label="Card last 4",
        error_messages={"max_length": "Only the last 4 digits of the card, never the whole number."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
    )
    card_auth = forms.CharField(max_length=20, required=False, label="Authorization code")
    mo_amount = MoneyField(required=False, label="Money order amount")
    mo_number = forms.CharField(max_length=40, required=False, label="Money order number")

    def __init__(self, *args, lines: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(lines):
            self.fields[f"pay-{i}"] = MoneyField(label=f"Pay line {i + 1}")
        for _name, field in self.fields.items():
            money = isinstance(field, MoneyField)
            field.widget.attrs["class"] = "form-control text-end money-input" if money else "form-control"
            field.widget.attrs["autocomplete"] = "off"
        self.fields["cash"].widget.attrs.update(
            {"accesskey": "c", "placeholder": "Enter: exact", "aria-describedby": "cash-hint"}
        )
        # a whole card number typed by mistake is neither kept nor shown back on the page
        self.card_number_typed = False
        if self.is_bound and len(str(self.data.get("card_last4", "")).strip()) > 4:
            self.data = self.data.copy()
            self.data["card_last4"] = ""
            self.card_number_typed = True

    def clean(self):
        data = super().clean()
        if self.card_number_typed:
            self.add_error("card_last4", "Only the last 4 digits of the card, never the whole number.")
        return data

    def clean_card_last4(self):
        value = self.cleaned_data["card_last4"].strip()
        if value and (len(value) != 4 or not (value.isascii() and value.isdigit())):
            raise forms.ValidationError("Only the last 4 digits of the card.")
        return value

    def line_amounts(self, lines: int) -> list[Decimal]:
        return [self.cleaned_data[f"pay-{i}"] for i in range(lines)]

    def tenders(self):
        d = self.cleaned_data
        out = []
        if d.get("cash"):
            out.append(TenderIn(Tender.Kind.CASH, d["cash"]))
        if d.get("check_amount"):
            out.append(TenderIn(Tender.Kind.CHECK, d["check_amount"], d["check_number"], d["check_name"]))
        if d.get("card_amount"):
            out.append(
                TenderIn(Tender.Kind.CARD, d["card_amount"], d["card_auth"], card_last4=d["card_last4"])
            )
        if d.get("mo_amount"):
            out.append(TenderIn(Tender.Kind.MONEY_ORDER, d["mo_amount"], d["mo_number"]))
        return out


class VoidForm(OnceForm):
    """Ask to void; or, with a supervisor at the window, their user name and password (and code, if
    they use two-step sign-in) typed at the clerk's screen to approve it on the spot."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}), max_length=2000)
    supervisor = forms.CharField(
        label="Supervisor's user name",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    supervisor_password = forms.CharField(
        label="Supervisor's password",
        required=False,
        max_length=256,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )
    supervisor_code = forms.CharField(
        label="Supervisor's 6-digit code (if they use two-step sign-in)",
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, pending=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pending is not None:  # the reason is the pending request's; only the supervisor is asked for
            del self.fields["reason"]

    @property
    def at_window(self) -> bool:
        """The supervisor's button, or Enter pressed in their password (which would send the first
        button of the form, "Ask a supervisor")."""
        return self.data.get("action") == "window" or bool(self.data.get("supervisor_password"))

    def clean(self):
        data = super().clean()
        if self.at_window and not (data.get("supervisor") and data.get("supervisor_password")):
            raise forms.ValidationError(
                "The supervisor types their user name and password to approve at the window."
            )
        return data


class CloseOutForm(CountsMixin, forms.Form):
    card_batch_total = MoneyField(required=False, label="Card terminal batch total", min_value=Decimal("0"))
    explanation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        label="Explanation of any over/short",
    )

    def __init__(self, *args, check_ids=(), suspense_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_count_fields()
        for name, ids in (("confirmed_checks", check_ids), ("confirmed_suspense", suspense_ids)):
            self.fields[name] = forms.TypedMultipleChoiceField(
                choices=[(pk, pk) for pk in ids],
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )


class ReturnCheckForm(forms.Form):
    reason = forms.CharField(
        max_length=120,
        label="Bank's reason",
        widget=forms.TextInput(attrs={"autofocus": True, "class": "form-control"}),
    )
    returned_on = forms.DateField(
        label="Returned on", widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def clean_returned_on(self):
        day = self.cleaned_data["returned_on"]
        if day.year < 2000 or day > timezone.localdate():
            raise forms.ValidationError("Enter the date the bank returned the check (not in the future).")
        return day


class BatchForm(forms.Form):
    control_count = forms.IntegerField(
        label="Envelopes",
        min_value=1,
        max_value=10_000,
        widget=forms.TextInput(
            attrs={"autofocus": True, "inputmode": "numeric", "class": "form-control text-end"}
        ),
    )
    control_total = MoneyField(label="Adding-machine total")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["control_total"].widget.attrs["class"] = "form-control text-end"


class RemittanceForm(OnceForm):
    stub_number = forms.CharField(max_length=40, label="Stub number")
    amount = MoneyField()
    check_number = forms.CharField(max_length=40, label="Check no.")
    name_on_check = forms.CharField(max_length=120, label="Name on check")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["class"] = "form-control" + (" text-end" if name == "amount" else "")
            field.widget.attrs["autocomplete"] = "off"
        self.fields["stub_number"].widget.attrs["autofocus"] = True


class RemittanceResolveForm(BoundedForm):
    """What becomes of an exception in a mail batch."""

    HOW = [
        ("credit", "Apply it, the overage to the payer's credit on account"),
        ("suspense", "Hold it in suspense (resolved later)"),
        ("return", "Return it to the sender with a letter"),
    ]
    remittance = forms.IntegerField(min_value=1, max_value=2_147_483_647, widget=forms.HiddenInput)
    how = forms.ChoiceField(choices=HOW, label="What to do")
    reason = forms.CharField(
        max_length=250, required=False, label="Why it is returned (printed on the letter)"
    )


class SuspenseApplyForm(OnceForm):
    party_number = forms.CharField(
        max_length=20, label="Apply to party number", widget=forms.TextInput(attrs={"class": "form-control"})
    )
    note = forms.CharField(
        max_length=250,
        required=False,
        label="Note (how the payer was found)",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class SuspenseReturnForm(OnceForm):
    reason = forms.CharField(
        max_length=250,
        label="Why it is returned (printed on the letter)",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
