"""Forms of vendors, the budget, requisitions, orders and receipts."""

from django import forms

from revenue.forms import BoundedDateField, BoundedForm, OnceForm
from revenue.models import Account

from ..models import Department, PaymentTerms, PurchaseOrder, Receipt, Vendor

LINE_ROWS = 5


def date_input(**attrs):
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


def expense_accounts():
    return Account.objects.filter(active=True, type=Account.Type.EXPENSE).order_by("number")


class VendorForm(OnceForm):
    name = forms.CharField(
        max_length=200, label="Vendor name", widget=forms.TextInput(attrs={"autofocus": True})
    )
    address_line1 = forms.CharField(max_length=200, required=False, label="Address")
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(max_length=2, required=False, initial="CA")
    postal_code = forms.CharField(max_length=10, required=False, label="ZIP code")
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=30, required=False)
    remit_name = forms.CharField(max_length=200, required=False, label="Pay to the order of")
    remit_line1 = forms.CharField(max_length=200, required=False, label="Remit-to address")
    remit_city = forms.CharField(max_length=100, required=False, label="Remit-to city")
    remit_state = forms.CharField(max_length=2, required=False, label="Remit-to state")
    remit_postal_code = forms.CharField(max_length=10, required=False, label="Remit-to ZIP code")
    contact_name = forms.CharField(max_length=120, required=False, label="Contact")
    contact_email = forms.EmailField(required=False, label="Contact e-mail")
    contact_phone = forms.CharField(max_length=30, required=False, label="Contact phone")
    terms = forms.ModelChoiceField(queryset=PaymentTerms.objects.filter(active=True), label="Payment terms")
    payment_method = forms.ChoiceField(choices=Vendor.Method.choices, label="Pay by")
    bank_routing = forms.CharField(max_length=9, required=False, label="Bank routing number")
    bank_account = forms.CharField(
        max_length=17, required=False, label="Bank account number",
        help_text="Shown afterwards by its last four digits only; leave blank to keep the one on file.",
    )  # fmt: skip
    bank_account_kind = forms.ChoiceField(choices=Vendor.BankKind.choices, label="Account kind")
    w9_on_file = BoundedDateField(required=False, label="W-9 on file since", widget=date_input())
    is_1099 = forms.BooleanField(required=False, label="Reportable on a 1099")
    box_1099 = forms.ChoiceField(
        choices=[("", "—"), *Vendor.Box1099.choices], required=False, label="1099 box"
    )

    PARTY = ["name", "address_line1", "city", "state", "postal_code", "email", "phone"]

    def vendor_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in [*self.PARTY, "token"]}

    def party_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.PARTY}


class VendorStatusForm(OnceForm):
    status = forms.ChoiceField(choices=Vendor.Status.choices)
    reason = forms.CharField(max_length=250, required=False, label="Reason (for a hold)")


class ContactForm(OnceForm):
    method = forms.ChoiceField(choices=[("phone", "Telephone"), ("email", "E-mail"), ("letter", "Letter"),
                                        ("meeting", "Meeting"), ("portal", "Vendor portal")])  # fmt: skip
    person = forms.CharField(max_length=120, required=False, label="Spoke or wrote to")
    subject = forms.CharField(max_length=200)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)
    follow_up_on = BoundedDateField(required=False, label="Follow up on", widget=date_input())


class RequisitionForm(OnceForm):
    department = forms.ModelChoiceField(queryset=Department.objects.filter(active=True),
                                        widget=forms.Select(attrs={"autofocus": True}))  # fmt: skip
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none(), required=False, label="Suggested vendor")
    needed_by = BoundedDateField(required=False, widget=date_input())
    justification = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.exclude(status="inactive").select_related("party")


class LineForm(forms.Form):
    """One requisition line as typed: checked by the service (quantity above zero, whole cents)."""

    description = forms.CharField(max_length=250, required=False)
    quantity = forms.CharField(max_length=20, required=False)
    unit = forms.CharField(max_length=12, required=False)
    unit_price = forms.CharField(max_length=20, required=False)
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False, empty_label="—")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = expense_accounts()

    def line(self) -> dict | None:
        data = self.cleaned_data
        if not any(data.get(k) for k in ("description", "quantity", "unit_price", "account")):
            return None
        return data


LineFormSet = forms.formset_factory(LineForm, extra=LINE_ROWS, max_num=30, absolute_max=30)


class DecideForm(OnceForm):
    note = forms.CharField(max_length=250, required=False, label="Note (required to deny)")


class IssueForm(OnceForm):
    vendor = forms.ModelChoiceField(queryset=Vendor.objects.none())
    terms = forms.ModelChoiceField(queryset=PaymentTerms.objects.filter(active=True), required=False,
                                   empty_label="The vendor's terms")  # fmt: skip
    match = forms.ChoiceField(
        choices=[("", "The policy's default"), *PurchaseOrder.Match.choices], required=False
    )
    ship_to = forms.CharField(max_length=250, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["vendor"].queryset = Vendor.objects.filter(status="active").select_related("party")


class CloseForm(OnceForm):
    reason = forms.CharField(max_length=250, label="Why it is closed")


class ReceiptForm(OnceForm):
    kind = forms.ChoiceField(choices=Receipt.Kind.choices, initial=Receipt.Kind.RECEIPT)
    received_on = BoundedDateField(widget=date_input(), label="Received on")
    received_by = forms.CharField(max_length=120, label="Accepted by")
    packing_slip = forms.CharField(max_length=40, required=False)
    note = forms.CharField(max_length=250, required=False)


class BudgetForm(OnceForm):
    account = forms.ModelChoiceField(queryset=Account.objects.none(), label="Expense account")
    department = forms.ModelChoiceField(queryset=Department.objects.filter(active=True))
    amount = forms.CharField(max_length=20, label="Adopted amount")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = expense_accounts()


class AmendmentForm(OnceForm):
    amount = forms.CharField(max_length=20, label="Amendment (negative to reduce)")
    effective_on = BoundedDateField(required=False, widget=date_input(), label="In force from")
    reason = forms.CharField(max_length=250)


class BudgetActualForm(BoundedForm):
    as_of = BoundedDateField(required=False, widget=date_input(**{"class": "form-control"}), label="As of")
    level = forms.ChoiceField(choices=[("account", "By account"), ("department", "By department"),
                                       ("fund", "By fund")], required=False,
                              widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip
