"""Vendors: a core party the city buys from, with where to send the money and how, the W-9 and
1099 facts, its status, and the log of every contact with it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Vendor(models.Model):
    class Method(models.TextChoices):
        CHECK = "check", "Check"
        ACH = "ach", "ACH (direct deposit)"

    class BankKind(models.TextChoices):
        CHECKING = "checking", "Checking"
        SAVINGS = "savings", "Savings"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        HOLD = "hold", "On hold"
        INACTIVE = "inactive", "Inactive"

    class Box1099(models.TextChoices):
        NEC_1 = "NEC-1", "1099-NEC box 1: nonemployee compensation"
        MISC_1 = "MISC-1", "1099-MISC box 1: rents"
        MISC_2 = "MISC-2", "1099-MISC box 2: royalties"
        MISC_3 = "MISC-3", "1099-MISC box 3: other income"
        MISC_6 = "MISC-6", "1099-MISC box 6: medical and health care payments"
        MISC_10 = "MISC-10", "1099-MISC box 10: gross proceeds paid to an attorney"

    party = models.OneToOneField("revenue.Party", on_delete=models.PROTECT, related_name="vendor")
    # remit-to: where the check goes, when it is not the party's own address
    remit_name = models.CharField(
        max_length=200, blank=True, help_text="Pay to the order of (blank: the party's name)."
    )
    remit_line1 = models.CharField("remit-to address", max_length=200, blank=True)
    remit_line2 = models.CharField("remit-to address line 2", max_length=200, blank=True)
    remit_city = models.CharField("remit-to city", max_length=100, blank=True)
    remit_state = models.CharField("remit-to state", max_length=2, blank=True)
    remit_postal_code = models.CharField("remit-to ZIP code", max_length=10, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    terms = models.ForeignKey("payables.PaymentTerms", on_delete=models.PROTECT, related_name="vendors")
    payment_method = models.CharField(max_length=5, choices=Method.choices, default=Method.CHECK)
    bank_routing = models.CharField("bank routing number", max_length=9, blank=True)
    bank_account = models.CharField(
        "bank account number",
        max_length=17,
        blank=True,
        help_text="Shown on screens by its last four digits only.",
    )
    bank_account_kind = models.CharField(max_length=8, choices=BankKind.choices, default=BankKind.CHECKING)
    w9_on_file = models.DateField("W-9 on file since", null=True, blank=True)
    tin_last4 = models.CharField("TIN (last four)", max_length=4, blank=True)
    is_1099 = models.BooleanField("reportable on a 1099", default=False)
    box_1099 = models.CharField("1099 box", max_length=8, choices=Box1099.choices, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    hold_reason = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["party__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="hold") | ~Q(hold_reason=""), name="pay_vendor_hold_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(payment_method="ach")
                | (Q(bank_routing__regex=r"^[0-9]{9}$") & ~Q(bank_account="")),
                name="pay_vendor_ach_has_bank",
            ),
            models.CheckConstraint(
                condition=Q(bank_routing="") | Q(bank_routing__regex=r"^[0-9]{9}$"),
                name="pay_vendor_routing_nine_digits",
            ),
            models.CheckConstraint(
                condition=Q(bank_account="") | Q(bank_account__regex=r"^[0-9]{4,17}$"),
                name="pay_vendor_account_digits",
            ),
            models.CheckConstraint(
                condition=Q(is_1099=False) | ~Q(box_1099=""), name="pay_vendor_1099_has_box"
            ),
        ]

    def __str__(self):
        return self.party.name

    def get_absolute_url(self):
        return reverse("payables:vendor", args=[self.party.number])

    @property
    def number(self) -> str:
        return self.party.number

    @property
    def name(self) -> str:
        return self.party.name

    @property
    def pay_to(self) -> str:
        return self.remit_name or self.party.name

    @property
    def account_last4(self) -> str:
        """The bank account as screens show it: the last four digits only."""
        return f"••••{self.bank_account[-4:]}" if self.bank_account else ""

    @property
    def remit_address(self) -> str:
        if not self.remit_line1:
            return self.party.address
        city_line = " ".join(
            p
            for p in [
                f"{self.remit_city}," if self.remit_city else "",
                self.remit_state,
                self.remit_postal_code,
            ]
            if p
        )
        return ", ".join(p for p in [self.remit_line1, self.remit_line2, city_line.strip(" ,")] if p)


class VendorContact(models.Model):
    """One contact with a vendor: a call, an e-mail, a letter, recorded with what follows up."""

    class Method(models.TextChoices):
        PHONE = "phone", "Telephone"
        EMAIL = "email", "E-mail"
        LETTER = "letter", "Letter"
        MEETING = "meeting", "Meeting"
        PORTAL = "portal", "Vendor portal"

    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="contacts")
    contacted_on = models.DateField()
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.PHONE)
    person = models.CharField(max_length=120, blank=True, help_text="Whom we spoke or wrote to.")
    subject = models.CharField(max_length=200)
    note = models.TextField(blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    invoice = models.ForeignKey(
        "payables.Invoice", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    statement = models.ForeignKey(
        "payables.VendorStatement", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-contacted_on", "-pk"]

    def __str__(self):
        return f"{self.vendor} {self.contacted_on}: {self.subject}"
