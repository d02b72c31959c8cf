"""The budget: what the council adopted per fiscal year, department and expense account, the
amendments a supervisor approved, and the encumbrance ledger (what open purchase orders hold)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from revenue.models import money_field


class Budget(models.Model):
    """The adopted amount of one expense account for a fiscal year. The account's fund and the
    row's department are what budget against actual rolls up by."""

    fiscal_year = models.PositiveIntegerField()
    account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("payables.Department", on_delete=models.PROTECT, related_name="budgets")
    adopted = money_field()
    adopted_on = models.DateField()
    note = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["fiscal_year", "department__code", "account__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "account"], name="pay_one_budget_per_account_year"
            ),
            models.CheckConstraint(condition=Q(adopted__gte=0), name="pay_budget_not_negative"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000, fiscal_year__lte=2100), name="pay_budget_year_sane"
            ),
        ]

    def __str__(self):
        return f"FY{self.fiscal_year} {self.account}"


class BudgetAmendment(models.Model):
    """A change to an adopted budget (up or down), in force from its date once a supervisor other
    than the one who asked approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="amendments")
    amount = money_field(help_text="Added to the budget; negative takes away.")
    effective_on = models.DateField()
    reason = models.CharField(max_length=250)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["budget", "effective_on", "pk"]
        permissions = [("approve_budgetamendment", "Can approve a budget amendment (not one's own)")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="pay_amendment_not_zero"),
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")), name="pay_amendment_approver_not_requester"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_by__isnull=False, decided_at__isnull=False)),
                name="pay_amendment_decision_recorded",
            ),
        ]

    def __str__(self):
        return f"{self.budget}: {self.amount:+} from {self.effective_on}"


class Encumbrance(models.Model):
    """One movement of the encumbrance memo ledger (append-only; the database refuses UPDATE and
    DELETE): a purchase order line encumbers its amount, a change adds or takes away, an approved
    invoice relieves what it bills against the line, closing the order releases what is left, a
    voided invoice restores. The open encumbrance of a line is the sum of its rows."""

    class Kind(models.TextChoices):
        ENCUMBER = "encumber", "Order issued"
        CHANGE = "change", "Order changed"
        RELIEVE = "relieve", "Relieved by an invoice"
        RESTORE = "restore", "Restored (invoice voided)"
        RELEASE = "release", "Released (order closed)"

    po_line = models.ForeignKey(
        "payables.PurchaseOrderLine", on_delete=models.PROTECT, related_name="encumbrances"
    )
    account = models.ForeignKey("revenue.Account", on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.PositiveIntegerField()
    entry_date = models.DateField()
    kind = models.CharField(max_length=8, choices=Kind.choices)
    amount = money_field(help_text="Positive encumbers, negative relieves or releases.")
    invoice_line = models.ForeignKey(
        "payables.InvoiceLine", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    memo = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["entry_date", "pk"]
        indexes = [models.Index(fields=["account", "entry_date"], name="pay_encumbrance_acct_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="pay_encumbrance_not_zero"),
            models.CheckConstraint(
                condition=Q(kind__in=["encumber", "restore"], amount__gt=0)
                | Q(kind__in=["relieve", "release"], amount__lt=0)
                | Q(kind="change"),
                name="pay_encumbrance_sign_by_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount} on {self.entry_date}"
