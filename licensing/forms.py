from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms

from revenue.forms import BoundedForm, MoneyField, OnceMixin
from revenue.models import Party

from .models import Business, Classification


class ApplicationForm(OnceMixin, forms.ModelForm):
    """A new business and its license application, entered at the counter."""

    party_number = forms.CharField(
        max_length=12,
        label="Licensee (party number)",
        help_text="Find or create the party first; its number is on its page.",
    )
    gross_receipts = MoneyField(label="Gross receipts (prior calendar year or estimate)", min_value=0)

    class Meta:
        model = Business
        fields = [
            "dba",
            "classification",
            "location_address",
            "location_city",
            "home_based",
            "ownership",
            "owner_name",
            "owner_phone",
            "owner_email",
            "started_on",
            "employees",
            "gross_receipts",
            "receipts_estimated",
        ]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_token_field()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.render_hidden_fields = True
        self.helper.layout = Layout(
            Row(Column("party_number", css_class="col-md-4"), Column("dba", css_class="col-md-8")),
            Row(Column("classification", css_class="col-md-6"), Column("ownership", css_class="col-md-6")),
            Row(
                Column("location_address", css_class="col-md-6"),
                Column("location_city", css_class="col-md-4"),
                Column("home_based", css_class="col-md-2 pt-md-4"),
            ),
            Row(
                Column("owner_name", css_class="col-md-5"),
                Column("owner_phone", css_class="col-md-3"),
                Column("owner_email", css_class="col-md-4"),
            ),
            Row(
                Column("started_on", css_class="col-md-3"),
                Column("employees", css_class="col-md-2"),
                Column("gross_receipts", css_class="col-md-4"),
                Column("receipts_estimated", css_class="col-md-3 pt-md-4"),
            ),
        )
        self.fields["classification"].queryset = Classification.objects.filter(active=True)
        self.fields["party_number"].widget.attrs["autofocus"] = True
        self.fields["employees"].error_messages["min_value"] = "The number of employees cannot be negative."
        self.fields["employees"].widget.attrs["min"] = 0

    def clean_party_number(self):
        party = Party.objects.filter(number__iexact=self.cleaned_data["party_number"].strip()).first()
        if party is None:
            raise forms.ValidationError("No party has that number.")
        self.party = party
        return party.number

    def clean_employees(self):
        value = self.cleaned_data["employees"]
        if value is not None and value < 0:
            raise forms.ValidationError("The number of employees cannot be negative.")
        return value


class LicenseChangeForm(BoundedForm):
    """A change of location or owner: each field as long as the business's own column allows."""

    location_address = forms.CharField(
        label="New location address",
        required=False,
        max_length=Business._meta.get_field("location_address").max_length,
    )
    location_city = forms.CharField(
        label="City", required=False, max_length=Business._meta.get_field("location_city").max_length
    )
    owner_name = forms.CharField(
        label="New owner", required=False, max_length=Business._meta.get_field("owner_name").max_length
    )
    ownership = forms.ChoiceField(required=False, choices=[("", "—"), *Business.Ownership.choices])

    def changes(self) -> dict:
        return {k: v.strip() for k, v in self.cleaned_data.items() if v and v.strip()}
