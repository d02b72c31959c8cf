"""The bill runs' forms: start a run (cycle, period, bill date), take one back (why)."""

from django import forms

from revenue.forms import BoundedDateField, BoundedForm, OnceForm

from .models import BillingCycle


class BillRunForm(OnceForm):
    cycle = forms.ModelChoiceField(queryset=BillingCycle.objects.filter(active=True), label="Billing cycle")
    period_start = BoundedDateField(label="Period from", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = BoundedDateField(label="Period to", widget=forms.DateInput(attrs={"type": "date"}))
    bill_date = BoundedDateField(label="Bill date", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end, billed = data.get("period_start"), data.get("period_end"), data.get("bill_date")
        if start and end and end < start:
            self.add_error("period_end", "The period's end is before its start.")
        if end and billed and billed < end:
            self.add_error("bill_date", "The bill date cannot be before the end of the period billed.")
        return data


class TakeBackForm(BoundedForm):
    reason = forms.CharField(label="Why is the run taken back?", max_length=250)
