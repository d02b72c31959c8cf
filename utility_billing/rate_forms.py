"""The rate screens' forms: a new schedule with its rows (blocks typed as from–to–price rows,
fixed charges by meter size, surcharges, refuse prices), the calculation preview's account and
period, and the reason of a withdrawal. The rows are checked by the service (one place), which
puts a sentence on the form when they do not add up."""

from __future__ import annotations

import datetime

from crispy_forms.layout import Column, Layout, Row
from django import forms

from revenue.forms import BoundedDateField, BoundedForm, OnceForm

from .models import MeterSize, RateClass, RateSchedule, Service
from .services.rates import RefuseRow, SurchargeRow

BLOCK_ROWS = 8
SURCHARGE_ROWS = 3
REFUSE_ROWS = 4
NUMBER_ERRORS = {"invalid": "Enter a number, like 12.50.", "min_value": "Enter 0 or more."}


def _decimal(label: str, places: int = 2, **kwargs) -> forms.DecimalField:
    field = forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=12 if places == 2 else 10,
        decimal_places=places,
        error_messages=NUMBER_ERRORS,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "text-end", "autocomplete": "off"}),
        **kwargs,
    )
    return field


def _whole(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=1,
        max_value=9999,
        error_messages={"invalid": "Enter a whole number.", "min_value": "Enter 1 or more."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "text-end", "autocomplete": "off"}),
    )


def _text(label: str, max_length: int = 20) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": "text-end", "autocomplete": "off", "inputmode": "decimal"}),
    )


class ScheduleForm(OnceForm):
    service = forms.ModelChoiceField(queryset=Service.objects.filter(active=True))
    rate_class = forms.ModelChoiceField(queryset=RateClass.objects.filter(active=True))
    effective_from = BoundedDateField(
        label="In force from", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    method = forms.ChoiceField(choices=RateSchedule.Method.choices, label="How usage is charged")
    unit_price = _decimal("Price per unit (uniform, or sewer without blocks)", places=4)
    block_basis = forms.ChoiceField(choices=RateSchedule.BlockBasis.choices, label="Block sizes")
    minimum_charge = _decimal("Minimum charge per month")
    fixed_per_dwelling_unit = forms.BooleanField(
        required=False, label="Fixed charge per dwelling unit (the “any size” amount × units)"
    )
    flat_amount = _decimal("Flat amount per month")
    sewer_share_percent = _decimal("Sewer: share of water usage (%)")
    winter_months = forms.CharField(
        max_length=40, required=False, label="Sewer: winter months", help_text="Month numbers, e.g. 12,1,2."
    )
    winter_default_usage = _decimal("Sewer: units a month for a new account")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(BLOCK_ROWS):
            self.fields[f"block_{i}_from"] = _text(f"Block {i + 1} from")
            self.fields[f"block_{i}_to"] = _text(f"Block {i + 1} to")
            self.fields[f"block_{i}_price"] = _text(f"Block {i + 1} price per unit")
        self.sizes = list(MeterSize.objects.all())
        self.fields["fixed_any"] = _decimal("Fixed charge: any size, or per dwelling unit")
        for size in self.sizes:
            self.fields[f"fixed_{size.pk}"] = _decimal(f"Fixed charge: {size} meter")
        for i in range(SURCHARGE_ROWS):
            self.fields[f"surcharge_{i}_name"] = forms.CharField(
                label=f"Surcharge {i + 1} name", max_length=60, required=False
            )
            self.fields[f"surcharge_{i}_per_unit"] = _decimal(f"Surcharge {i + 1} per unit", places=4)
            self.fields[f"surcharge_{i}_per_month"] = _decimal(f"Surcharge {i + 1} per month")
        for i in range(REFUSE_ROWS):
            self.fields[f"refuse_{i}_gallons"] = _whole(f"Refuse price {i + 1}: cart gallons")
            self.fields[f"refuse_{i}_pickups"] = _whole(f"Refuse price {i + 1}: pickups a week")
            self.fields[f"refuse_{i}_price"] = _decimal(f"Refuse price {i + 1}: per month")
        for name, field in self.fields.items():
            if name.startswith(("block_", "fixed_", "surcharge_", "refuse_")):
                width = "" if name.endswith("_name") else " text-end"
                field.widget.attrs["class"] = f"form-control form-control-sm{width}"
        self.fields["service"].widget.attrs["autofocus"] = True
        self.initial.setdefault("sewer_share_percent", 100)
        self.initial.setdefault("winter_months", "12,1,2")
        self.helper.layout = Layout(
            Row(
                Column("service", css_class="col-md-3"),
                Column("rate_class", css_class="col-md-3"),
                Column("effective_from", css_class="col-md-3"),
                Column("method", css_class="col-md-3"),
            ),
            Row(
                Column("unit_price", css_class="col-md-3"),
                Column("block_basis", css_class="col-md-3"),
                Column("minimum_charge", css_class="col-md-3"),
                Column("flat_amount", css_class="col-md-3"),
            ),
            Row(
                Column("sewer_share_percent", css_class="col-md-3"),
                Column("winter_months", css_class="col-md-3"),
                Column("winter_default_usage", css_class="col-md-3"),
            ),
            "token",
        )

    # the rows, for the template and for the service
    def block_rows(self):
        return [
            (self[f"block_{i}_from"], self[f"block_{i}_to"], self[f"block_{i}_price"])
            for i in range(BLOCK_ROWS)
        ]

    def fixed_rows(self):
        return [("Any size / per dwelling unit", self["fixed_any"])] + [
            (f"{size} meter", self[f"fixed_{size.pk}"]) for size in self.sizes
        ]

    def surcharge_rows(self):
        return [
            (self[f"surcharge_{i}_name"], self[f"surcharge_{i}_per_unit"], self[f"surcharge_{i}_per_month"])
            for i in range(SURCHARGE_ROWS)
        ]

    def refuse_rows(self):
        return [
            (self[f"refuse_{i}_gallons"], self[f"refuse_{i}_pickups"], self[f"refuse_{i}_price"])
            for i in range(REFUSE_ROWS)
        ]

    def service_arguments(self) -> dict:
        """What `rate_schedule_add` takes, from the cleaned data."""
        d = self.cleaned_data
        blocks = [
            (d[f"block_{i}_from"], d[f"block_{i}_to"], d[f"block_{i}_price"]) for i in range(BLOCK_ROWS)
        ]
        fixed = [(None, d["fixed_any"])] + [(size, d[f"fixed_{size.pk}"]) for size in self.sizes]
        surcharges = [
            SurchargeRow(
                d[f"surcharge_{i}_name"], d[f"surcharge_{i}_per_unit"], d[f"surcharge_{i}_per_month"]
            )
            for i in range(SURCHARGE_ROWS)
            if d[f"surcharge_{i}_name"] or d[f"surcharge_{i}_per_unit"] or d[f"surcharge_{i}_per_month"]
        ]
        refuse = [
            RefuseRow(d[f"refuse_{i}_gallons"] or 0, d[f"refuse_{i}_pickups"] or 0, d[f"refuse_{i}_price"])
            for i in range(REFUSE_ROWS)
            if d[f"refuse_{i}_gallons"] or d[f"refuse_{i}_pickups"] or d[f"refuse_{i}_price"] is not None
        ]
        return {
            "service": d["service"],
            "rate_class": d["rate_class"],
            "effective_from": d["effective_from"],
            "method": d["method"],
            "unit_price": d["unit_price"] or 0,
            "block_basis": d["block_basis"],
            "minimum_charge": d["minimum_charge"] or 0,
            "fixed_per_dwelling_unit": d["fixed_per_dwelling_unit"],
            "flat_amount": d["flat_amount"] or 0,
            "sewer_share_percent": 100 if d["sewer_share_percent"] is None else d["sewer_share_percent"],
            "winter_months": d["winter_months"] or "12,1,2",
            "winter_default_usage": d["winter_default_usage"] or 0,
            "blocks": blocks,
            "fixed": fixed,
            "surcharges": surcharges,
            "refuse": refuse,
        }


def initial_from(schedule: RateSchedule) -> dict:
    """A new schedule's form filled from an existing one (a price change keeps most of it)."""
    initial = {
        f: getattr(schedule, f)
        for f in (
            "method", "unit_price", "block_basis", "minimum_charge", "fixed_per_dwelling_unit",
            "flat_amount", "sewer_share_percent", "winter_months", "winter_default_usage",
        )
    }  # fmt: skip
    initial.update(service=schedule.service_id, rate_class=schedule.rate_class_id)
    blocks = list(schedule.blocks.all())
    for i, block in enumerate(blocks[:BLOCK_ROWS]):
        nxt = blocks[i + 1].start if i + 1 < len(blocks) else ""
        initial.update(
            {f"block_{i}_from": block.start, f"block_{i}_to": nxt, f"block_{i}_price": block.price}
        )
    for fc in schedule.fixed_charges.all():
        initial["fixed_any" if fc.meter_size_id is None else f"fixed_{fc.meter_size_id}"] = fc.amount
    for i, s in enumerate(list(schedule.surcharges.all())[:SURCHARGE_ROWS]):
        initial.update({f"surcharge_{i}_name": s.name, f"surcharge_{i}_per_unit": s.per_unit})
        initial[f"surcharge_{i}_per_month"] = s.per_month
    for i, r in enumerate(list(schedule.refuse_rates.all())[:REFUSE_ROWS]):
        initial.update(
            {f"refuse_{i}_gallons": r.container_gallons, f"refuse_{i}_pickups": r.pickups_per_week}
        )
        initial[f"refuse_{i}_price"] = r.per_month
    return initial


class PreviewForm(BoundedForm):
    account = forms.CharField(max_length=12, label="Account number", help_text="e.g. U000123")
    period_start = BoundedDateField(label="Period from", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = BoundedDateField(label="Period to", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The period must end on or after the day it starts.")
            if end - start > datetime.timedelta(days=400):
                raise forms.ValidationError("A period is at most about a year (400 days).")
        return data


class WithdrawForm(BoundedForm):
    reason = forms.CharField(max_length=250, label="Why is it withdrawn?")
