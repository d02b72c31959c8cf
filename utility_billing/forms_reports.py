"""The report pages' parameters (GET): a run for the register, a status for the meters."""

from django import forms

from revenue.forms import BoundedForm

from .models import BillRun, Meter


class RunForm(BoundedForm):
    run = forms.ChoiceField(label="Bill run", choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        runs = BillRun.objects.select_related("cycle").order_by("-period_end", "-pk")[:100]
        self.fields["run"].choices = [("", "Choose a run…")] + [(r.number, str(r)) for r in runs]


class MeterFilterForm(BoundedForm):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Every status"), *Meter.Status.choices], required=False
    )
