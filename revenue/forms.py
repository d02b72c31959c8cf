import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from .models import ApprovalRequest, FeeType, Party


class MoneyField(forms.DecimalField):
    """Dollars and cents: at most two places, more than zero, at most 10 digits. Accepts 1,234.50.
    A text box (no spinner arrows) with the decimal keypad on touch screens."""

    widget = forms.TextInput

    default_error_messages = {
        "invalid": "Enter an amount of dollars and cents, like 125.00.",
        "max_decimal_places": "Amounts have at most two decimal places (cents).",
        "max_digits": "That amount is larger than the system accepts (over 10 digits).",
        "max_whole_digits": "That amount is larger than the system accepts (over 10 digits).",
        "min_value": "Enter an amount more than zero.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(max_digits=12, decimal_places=2, **kwargs)
        self.widget.attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "class": "text-end money-input"}
        )
        self.widget.attrs.pop("step", None)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("$", "").strip()
        return super().to_python(value)


EXPIRED = "This form had expired and has been renewed: check the entries and submit again."


class OnceMixin:
    """A form that carries a one-time token, so a double submit is recognised and posts once.
    A missing or malformed token is replaced with a fresh one and the clerk asked to submit again."""

    def add_token_field(self):
        self.fields["token"] = forms.UUIDField(widget=forms.HiddenInput)
        self.token_renewed = False
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
            return
        try:
            uuid.UUID(str(self.data.get(self.add_prefix("token"), "")))
        except ValueError:
            self.data = self.data.copy()
            self.data[self.add_prefix("token")] = str(uuid.uuid4())
            self.token_renewed = True

    def clean(self):
        data = super().clean()
        if self.token_renewed:
            raise forms.ValidationError(EXPIRED)
        return data


class OnceForm(OnceMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_token_field()
        self.helper = FormHelper()
        self.helper.form_tag = False


class PartyForm(OnceMixin, forms.ModelForm):
    class Meta:
        model = Party
        fields = [
            "kind",
            "name",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "phone",
            "email",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autofocus"] = True
        if self.instance.pk is None:
            self.add_token_field()  # a new party is created once, however often the form is sent
        else:
            self.token_renewed = False
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-md-3"), Column("name", css_class="col-md-9")),
            Row(Column("address_line1", css_class="col-md-7"), Column("address_line2", css_class="col-md-5")),
            Row(
                Column("city", css_class="col-md-6"),
                Column("state", css_class="col-md-2"),
                Column("postal_code", css_class="col-md-4"),
            ),
            Row(Column("phone", css_class="col-md-5"), Column("email", css_class="col-md-7")),
            "notes",
        )

    def clean_state(self):
        return self.cleaned_data["state"].upper()


class ChargeForm(OnceForm):
    fee_type = forms.ModelChoiceField(
        queryset=FeeType.objects.filter(active=True, counter_fee=True),
        label="Fee",
        widget=forms.Select(attrs={"autofocus": True}),
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=10_000,
        initial=1,
        error_messages={
            "min_value": "Quantity must be at least 1.",
            "max_value": "Quantity is at most 10,000.",
        },
    )
    amount = MoneyField(required=False, help_text="Only for fees the schedule leaves to the counter.")


class ApprovalRequestForm(OnceForm):
    amount = MoneyField()
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}), max_length=2000)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")])
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Required when denying.",
    )


class AsOfForm(forms.Form):
    as_of = forms.DateField(label="As of", widget=forms.DateInput(attrs={"type": "date"}))


class DateRangeForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data


class SearchForm(forms.Form):
    q = forms.CharField(max_length=100, required=False)


APPROVAL_KINDS_FOR_CHARGES = [ApprovalRequest.Kind.WAIVER, ApprovalRequest.Kind.WRITE_OFF]
