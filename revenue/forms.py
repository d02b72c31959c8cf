import datetime
import uuid
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxLengthValidator

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


# --------------------------------------------------------------------------- bounds on input

DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(2199, 12, 31)
DATE_OUT_OF_RANGE = "Enter a date between 01/01/1900 and 12/31/2199."
TEXT_MAX_LENGTH = 4000
"""The longest free text (notes, reasons, statements) any form takes, unless its model says less."""


class BoundedDateField(forms.DateField):
    """A date between 1900-01-01 and 2199-12-31: the calendar the city's rules (fiscal years,
    months, terms) can compute with. A date outside it (0001-01-01, 9999-12-31) is refused on
    the form with a clear message instead of overflowing later."""

    default_error_messages = {"date_range": DATE_OUT_OF_RANGE}

    def __init__(self, *, min_date: datetime.date = DATE_MIN, max_date: datetime.date = DATE_MAX, **kwargs):
        self.min_date, self.max_date = min_date, max_date
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None and not (self.min_date <= value <= self.max_date):
            raise forms.ValidationError(self.error_messages["date_range"], code="date_range")

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if getattr(widget, "input_type", None) == "date":
            attrs.update({"min": self.min_date.isoformat(), "max": self.max_date.isoformat()})
        return attrs


def _date_in_range(value):
    if value is not None and not (DATE_MIN <= _as_date(value) <= DATE_MAX):
        raise forms.ValidationError(DATE_OUT_OF_RANGE, code="date_range")


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def bound_field(field: forms.Field, model_field=None) -> forms.Field:
    """Give a form field the bounds every field of the system has, in place:
    text (CharField and its kin, not UUIDs) at most its model field's max_length, else
    TEXT_MAX_LENGTH (a model TextField has none: notes, reasons, statements); a date or
    date-time between DATE_MIN and DATE_MAX. A field already bounded is left as it is."""
    if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField | forms.JSONField):
        if field.max_length is None:
            limit = getattr(model_field, "max_length", None) or TEXT_MAX_LENGTH
            field.max_length = limit
            field.validators.append(MaxLengthValidator(limit))
            field.widget.attrs.setdefault("maxlength", str(limit))
    elif (
        isinstance(field, forms.DateField | forms.DateTimeField)
        and not isinstance(field, BoundedDateField)
        and _date_in_range not in field.validators
    ):
        field.validators.append(_date_in_range)
    return field


class BoundedFieldsMixin:
    """The form base's rule: every field is bounded on the form (see `bound_field`), so too
    long a text or a date outside the calendar is refused with a message and never reaches the
    database. A ModelForm's text fields take their limit from the model."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, field in self.fields.items():
            model_field = None
            if model is not None:
                try:
                    model_field = model._meta.get_field(name)
                except FieldDoesNotExist:  # a field the form declares itself
                    model_field = None
            bound_field(field, model_field)


class BoundedForm(BoundedFieldsMixin, forms.Form):
    """The plain form base: bounded fields (see `BoundedFieldsMixin`)."""


def int_param(request, name: str, default: int, min: int, max: int) -> int:  # noqa: A002
    """An integer query parameter (?part=2, ?year=2026) between min and max, or `default` when
    it is absent, not ASCII digits (with an optional minus), or out of range. A huge number
    never reaches a query or an OFFSET."""
    value = request.GET.get(name, "").strip()
    digits = value[1:] if value.startswith("-") else value
    if not (digits.isascii() and digits.isdecimal()) or len(digits) > 18:
        return default
    number = int(value)
    return number if min <= number <= max else default


EXPIRED = "This form had expired and has been renewed: check the entries and submit again."


class OnceMixin(BoundedFieldsMixin):
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
            "notes_alert",
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
            "notes_alert",
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


class DecisionForm(BoundedForm):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")])
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Required when denying.",
    )


class AsOfForm(BoundedForm):
    as_of = BoundedDateField(label="As of", widget=forms.DateInput(attrs={"type": "date"}))


class DateRangeForm(BoundedForm):
    start = BoundedDateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data


class SearchForm(BoundedForm):
    q = forms.CharField(max_length=100, required=False)


APPROVAL_KINDS_FOR_CHARGES = [ApprovalRequest.Kind.WAIVER, ApprovalRequest.Kind.WRITE_OFF]


# --------------------------------------------------------------------------- import profiles


class ImportProfileForm(BoundedForm):
    """A profile's settings as a supervisor types them: per field of the target, the file's
    column(s) ("Date + Time") and a constant; formats; the translation table, one code a line."""

    name = forms.CharField(max_length=100, help_text="The source, e.g. 'Handheld vendor A'.")
    date_format = forms.CharField(
        max_length=40, required=False, help_text="e.g. %m/%d/%Y; blank: as the import reads dates itself."
    )
    time_format = forms.CharField(max_length=40, required=False, help_text="e.g. %I:%M %p for 9:30 PM.")
    decimal_separator = forms.ChoiceField(choices=[(".", "Point (1234.50)"), (",", "Comma (1234,50)")])
    thousands_separator = forms.ChoiceField(
        required=False,
        choices=[
            (",", "Comma (1,234)"),
            (".", "Point (1.234)"),
            (" ", "Space (1 234)"),
            ("'", "Apostrophe"),
            ("", "None"),
        ],
    )
    currency_symbol = forms.CharField(
        max_length=5, required=False, initial="$", strip=False, help_text="Dropped from amounts."
    )
    code_table = forms.CharField(
        max_length=100_000,
        required=False,
        label="Code translation",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One a line: the source's code = the city's code (e.g. PK12 = 22500(a)).",
    )
    active = forms.BooleanField(required=False, initial=True)

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        for f in target.fields if target else ():
            self.fields[f"col_{f.name}"] = forms.CharField(
                max_length=250, required=False, label=f"{f.label}: column(s)", help_text="Several: A + B"
            )
            self.fields[f"const_{f.name}"] = forms.CharField(
                max_length=100, required=False, label=f"{f.label}: constant"
            )
        for name in ("date_format", "time_format"):
            self.fields[name].widget.attrs["list"] = f"{name}-presets"
        for name in ("date_format", "time_format", "currency_symbol", "code_table"):
            self.fields[name].widget.attrs["class"] = "form-control form-control-sm"
        for name in ("decimal_separator", "thousands_separator"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"

    @classmethod
    def initial_from(cls, profile) -> dict:
        data = {k: getattr(profile, k) for k in ("name", "date_format", "time_format", "active")}
        data |= {
            "decimal_separator": profile.decimal_separator,
            "thousands_separator": profile.thousands_separator,
            "currency_symbol": profile.currency_symbol,
            "code_table": "\n".join(f"{k} = {v}" for k, v in profile.code_table.items()),
        }
        data |= {f"col_{k}": " + ".join(v) for k, v in profile.mapping.items()}
        data |= {f"const_{k}": v for k, v in profile.constants.items()}
        return data

    def field_rows(self):
        """(target field, its column box, its constant box) for the template's table."""
        return [(f, self[f"col_{f.name}"], self[f"const_{f.name}"]) for f in self.target.fields]

    def clean_code_table(self):
        table = {}
        for n, line in enumerate(self.cleaned_data["code_table"].splitlines(), start=1):
            if not line.strip():
                continue
            source, sep, city = line.partition("=")
            if not sep or not source.strip() or not city.strip():
                raise forms.ValidationError(f"Line {n} is not 'source code = city code'.")
            table[source.strip()] = city.strip()
        return table

    def profile_values(self) -> dict:
        """The cleaned form as `profile_save` takes it."""
        d = self.cleaned_data
        mapping, constants = {}, {}
        for f in self.target.fields:
            columns = [c.strip() for c in d.get(f"col_{f.name}", "").split("+") if c.strip()]
            if columns:
                mapping[f.name] = columns
            if d.get(f"const_{f.name}", "").strip():
                constants[f.name] = d[f"const_{f.name}"].strip()
        return {
            "name": d["name"].strip(),
            "date_format": d["date_format"].strip(),
            "time_format": d["time_format"].strip(),
            "decimal_separator": d["decimal_separator"],
            "thousands_separator": d["thousands_separator"],
            "currency_symbol": d["currency_symbol"].strip(),
            "mapping": mapping,
            "constants": constants,
            "code_table": d["code_table"],
            "active": d["active"],
        }


class SampleFileForm(BoundedForm):
    file = forms.FileField(
        label="Sample file (CSV)", help_text="Its first rows are shown mapped; nothing is imported."
    )
