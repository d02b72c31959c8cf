import datetime
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from revenue.forms import BoundedDateField, OnceForm, OnceMixin
from revenue.models import Party
from revenue.services import city_today

from .models import Operator
from .rules import add_months
from .services.operators import CERTIFICATE_RE, CERTIFICATE_RULE, MAX_ROOMS

LATE_YEARS_AHEAD = 5


class OperatorForm(OnceMixin, forms.ModelForm):
    party_number = forms.CharField(
        max_length=12,
        label="Operator (party number)",
        help_text="Find or create the party first; its number is on its page.",
    )

    class Meta:
        model = Operator
        fields = [
            "certificate_number",
            "name",
            "kind",
            "location",
            "rooms",
            "status",
            "opened_on",
            "closed_on",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.token_renewed = False
        if self.instance.pk is None:
            self.add_token_field()
        else:
            self.fields.pop("certificate_number")
            self.initial["party_number"] = self.instance.party.number
        self.fields["rooms"].widget.attrs.update({"min": 1, "max": MAX_ROOMS})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        first = "party_number"
        self.fields[first].widget.attrs["autofocus"] = True
        rows = [
            Row(
                Column("party_number", css_class="col-md-4"),
                *(
                    [Column("certificate_number", css_class="col-md-3")]
                    if "certificate_number" in self.fields
                    else []
                ),
                Column("name", css_class="col-md-5"),
            ),
            Row(
                Column("kind", css_class="col-md-3"),
                Column("location", css_class="col-md-7"),
                Column("rooms", css_class="col-md-2"),
            ),
            Row(
                Column("status", css_class="col-md-4"),
                Column("opened_on", css_class="col-md-4"),
                Column("closed_on", css_class="col-md-4"),
            ),
        ]
        self.helper.layout = Layout(*rows)

    def clean_party_number(self):
        party = Party.objects.filter(number__iexact=self.cleaned_data["party_number"].strip()).first()
        if party is None:
            raise forms.ValidationError("No party has that number.")
        self.party = party
        return party.number

    def clean_certificate_number(self):
        number = (self.cleaned_data.get("certificate_number") or "").strip().upper()
        if not CERTIFICATE_RE.fullmatch(number):
            raise forms.ValidationError(CERTIFICATE_RULE)
        return number

    def clean_rooms(self):
        rooms = self.cleaned_data["rooms"]
        if rooms is not None and rooms < 1:
            raise forms.ValidationError("At least one room or unit.")
        if rooms is not None and rooms > MAX_ROOMS:
            raise forms.ValidationError(f"At most {MAX_ROOMS:,} rooms or units.")
        return rooms

    def _post_clean(self):  # the service validates; keep the model's full_clean from refusing first
        pass


PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def period_choices(periods) -> list[tuple[str, str]]:
    """(value, label) of months given as their first days: ("2026-07", "July 2026")."""
    return [(f"{day:%Y-%m}", f"{day:%B %Y}") for day in periods]


class AmountField(forms.DecimalField):
    """An amount that may be zero (exemptions, a month with no rents): the service refuses the rest."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(max_digits=12, decimal_places=2, **kwargs)
        self.error_messages.update(
            {
                "invalid": "Enter an amount of dollars and cents, like 125.00.",
                "max_decimal_places": "Amounts have at most two decimal places (cents).",
                "max_digits": "That amount is larger than the system accepts.",
                "max_whole_digits": "That amount is larger than the system accepts.",
            }
        )
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off", "class": "text-end"})

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        return attrs

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace(",", "").replace("$", "").strip()
        return super().to_python(value)


class FiguresMixin:
    def figure_fields(self, *, autofocus: bool):
        self.fields["gross_rents"] = AmountField(label="Gross rents", required=True)
        self.fields["exempt_long_stay"] = AmountField(label="Exempt: long stays")
        self.fields["exempt_government"] = AmountField(label="Exempt: officials on government business")
        self.fields["exempt_other"] = AmountField(label="Exempt: other")
        self.fields["exempt_other_reason"] = forms.CharField(
            max_length=200, required=False, label="Other exemption: reason"
        )
        if autofocus:
            self.fields["gross_rents"].widget.attrs["autofocus"] = True

    def figures(self) -> dict:
        keys = ["gross_rents", "exempt_long_stay", "exempt_government", "exempt_other", "exempt_other_reason"]
        return {k: self.cleaned_data.get(k) for k in keys}


class ReturnForm(FiguresMixin, OnceForm):
    """A month's return. The list offers the months the operator may file for today (from its
    opening, or the TOT policy's limit); any other month is refused by the service, which says
    why (before the opening, beyond the limit, not ended yet)."""

    period = forms.CharField(label="Period (month)", max_length=7, widget=forms.Select)
    received_on = forms.DateField(
        label="Received by the city on", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.choices = period_choices(periods)
        self.fields["period"].widget.attrs["autofocus"] = True
        self.figure_fields(autofocus=False)
        self.fields["note"] = forms.CharField(required=False, max_length=500, label="Note")
        self.initial.setdefault("received_on", city_today())
        self.helper.layout = Layout(
            Row(Column("period", css_class="col-md-5"), Column("received_on", css_class="col-md-4")),
            Row(Column("gross_rents", css_class="col-md-4")),
            Row(
                Column("exempt_long_stay", css_class="col-md-4"),
                Column("exempt_government", css_class="col-md-4"),
                Column("exempt_other", css_class="col-md-4"),
            ),
            "exempt_other_reason",
            "note",
            "token",
        )

    def clean_period(self):
        match = PERIOD_RE.match(self.cleaned_data["period"])
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError("Choose the month of the return from the list.")
        return int(match[1]), int(match[2])


class AmendForm(FiguresMixin, OnceForm):
    def __init__(self, *args, audit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.figure_fields(autofocus=True)
        self.fields["reason"] = forms.CharField(
            max_length=1000,
            label="What the audit found" if audit else "Reason for the amendment",
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        if not audit:
            self.fields["received_on"] = BoundedDateField(
                label="Amended return received on",
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                initial=city_today(),
            )
        self.helper.layout = Layout(
            Row(Column("gross_rents", css_class="col-md-4")),
            Row(
                Column("exempt_long_stay", css_class="col-md-4"),
                Column("exempt_government", css_class="col-md-4"),
                Column("exempt_other", css_class="col-md-4"),
            ),
            "exempt_other_reason",
            *(["received_on"] if not audit else []),
            "reason",
            "token",
        )


class LateAsOfForm(forms.Form):
    """The day the late charges are shown for: not before the period, not more than five years
    ahead (the arithmetic has no use for year 9999)."""

    on = forms.DateField(
        label="Paid on", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, period_start: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.period_start = period_start

    def clean_on(self):
        on = self.cleaned_data.get("on")
        if on is None:
            return on
        if self.period_start and on < self.period_start:
            raise forms.ValidationError(
                f"The paid-on date cannot be before the period ({self.period_start:%B %Y})."
            )
        latest = add_months(city_today(), 12 * LATE_YEARS_AHEAD)
        if on > latest:
            raise forms.ValidationError(
                f"The paid-on date can be at most {LATE_YEARS_AHEAD} years ahead ({latest:%m/%d/%Y})."
            )
        return on
