"""What a supervisor sets up once: departments, payment terms, the effective-dated payables
policy (accounts, match tolerances, the W-9 rule, the bank's file details) and the approval
limits per role."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from revenue.models import EffectiveDated, during, money_field, one_in_force, used_sentence


class Department(models.Model):
    """A department of the city: a budget is adopted per department and expense account, and a
    requisition is raised by one."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return self.name


class PaymentTerms(models.Model):
    """Terms such as 2/10 net 30: 2 % off when paid within 10 days of the invoice date, the whole
    amount due in 30. Net 30 alone has a discount of 0 and no discount days."""

    code = models.SlugField(max_length=20, unique=True, help_text="e.g. 2-10-net-30")
    name = models.CharField(max_length=60, help_text="As printed, e.g. 2/10 net 30")
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    discount_days = models.PositiveSmallIntegerField(default=0)
    net_days = models.PositiveSmallIntegerField(default=30)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["net_days", "-discount_percent", "code"]
        verbose_name_plural = "payment terms"
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lt=100), name="pay_terms_percent_sane"
            ),
            models.CheckConstraint(
                condition=Q(discount_days__lte=F("net_days")), name="pay_terms_discount_within_net"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent=0) | Q(discount_days__gt=0), name="pay_terms_discount_has_days"
            ),
        ]

    def __str__(self):
        return self.name


class PayablesPolicy(EffectiveDated):
    """The payables' accounts, match tolerances and payment rules in force from a date."""

    class MatchPolicy(models.TextChoices):
        TWO_WAY = "two_way", "Two-way (invoice against the order)"
        THREE_WAY = "three_way", "Three-way (invoice against the order and what was received)"

    class W9Rule(models.TextChoices):
        NONE = "none", "No restriction"
        WARN = "warn", "Warn when the invoice is entered and paid"
        HOLD = "hold", "Hold the vendor's invoices until the W-9 is on file"
        STOP = "stop", "Refuse to pay the vendor until the W-9 is on file"

    effective_from = models.DateField()
    payable_account = models.ForeignKey(
        "revenue.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Accounts payable (a liability).",
    )
    cash_account = models.ForeignKey(
        "revenue.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The bank account checks are drawn on.",
    )
    discount_account = models.ForeignKey(
        "revenue.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Discounts taken for paying early (credited when a run takes one).",
    )
    default_match = models.CharField(
        max_length=10,
        choices=MatchPolicy.choices,
        default=MatchPolicy.THREE_WAY,
        help_text="A new purchase order's match unless it says otherwise.",
    )
    price_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0,
        help_text="A unit price may exceed the order's by this percentage …",
    )  # fmt: skip
    price_tolerance_amount = money_field(
        default=0, help_text="… and by no more than this amount per unit (both must hold)."
    )
    quantity_tolerance_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0,
        help_text="Quantity billed over quantity received (or ordered, two-way), kept apart from price.",
    )  # fmt: skip
    total_tolerance_amount = money_field(
        default=0, help_text="The invoice's total may exceed the matched lines, freight and tax by this."
    )
    w9_rule = models.CharField(max_length=4, choices=W9Rule.choices, default=W9Rule.HOLD)
    stale_check_days = models.PositiveSmallIntegerField(
        default=180, help_text="An uncashed check is stale this many days after its date."
    )
    bank_routing = models.CharField(
        max_length=9, blank=True, help_text="The city's bank (ACH origin and positive pay)."
    )
    bank_account_number = models.CharField(
        max_length=17, blank=True, help_text="The account checks are drawn on, for the positive pay file."
    )
    ach_company_id = models.CharField(max_length=10, blank=True, help_text="The ACH company identification.")
    ach_company_name = models.CharField(max_length=16, blank=True, help_text="As in the ACH batch header.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "payables policy"
        verbose_name_plural = "payables policies"
        constraints = [
            one_in_force(name="one_payables_policy_per_date"),
            models.CheckConstraint(
                condition=Q(
                    price_tolerance_percent__gte=0,
                    price_tolerance_percent__lte=100,
                    price_tolerance_amount__gte=0,
                    quantity_tolerance_percent__gte=0,
                    quantity_tolerance_percent__lte=100,
                    total_tolerance_amount__gte=0,
                    stale_check_days__gte=30,
                ),
                name="pay_policy_tolerances_sane",
            ),
        ]

    def __str__(self):
        return f"Payables policy from {self.effective_from}"

    def config_used(self, until):
        from .invoices import Invoice

        invoices = Invoice.objects.filter(during("received_on", self.effective_from, until))
        return used_sentence([(invoices.count(), "invoice")])


class ApprovalLimit(EffectiveDated):
    """Up to what total a role may approve a requisition (or an invoice's variance) from a date.
    Above every limit of the approver's roles, a higher role must approve."""

    class Document(models.TextChoices):
        REQUISITION = "requisition", "Requisition"
        VARIANCE = "variance", "Invoice approved with a variance"

    role = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="+")
    document = models.CharField(max_length=12, choices=Document.choices, default=Document.REQUISITION)
    effective_from = models.DateField()
    max_amount = money_field(help_text="0.00 takes the authority away.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    config_scope = ("role", "document")

    class Meta:
        ordering = ["document", "role", "-effective_from"]
        constraints = [
            one_in_force("role", "document", name="one_pay_limit_per_role_date"),
            models.CheckConstraint(condition=Q(max_amount__gte=0), name="pay_limit_not_negative"),
        ]

    def __str__(self):
        return f"{self.role} {self.get_document_display()} up to {self.max_amount} from {self.effective_from}"

    def config_used(self, until):
        from .purchasing import Requisition

        if self.document != self.Document.REQUISITION:
            return ""
        approved = Requisition.objects.filter(
            during("decided_at__date", self.effective_from, until),
            status__in=["approved", "ordered"],
            decided_by__groups=self.role_id,
        )
        return used_sentence([(approved.count(), "approved requisition")])
