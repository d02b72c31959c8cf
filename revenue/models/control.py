"""The control side of the core: the audit trail, approvals and exception limits, role changes,
one-time form tokens and background jobs."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from .config import EffectiveDated, during, one_in_force, used_sentence
from .ledger import Party, money_field

# --------------------------------------------------------------------------- audit trail


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)
    object_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("object_type", "object_id")
    object_repr = models.CharField(max_length=250)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]

    def plain_changes(self) -> list[tuple[str, str | None, str]]:
        """The changes in plain words, for the history panels (revenue.audit_words)."""
        from revenue import audit_words

        return audit_words.changes(self.before, self.after)


# --------------------------------------------------------------------------- approvals


class ApprovalRequest(models.Model):
    """An exception a clerk asks for; it runs only when a supervisor (not the requester) approves."""

    class Kind(models.TextChoices):
        VOID = "void", "Void"
        REFUND = "refund", "Refund"
        WAIVER = "waiver", "Waiver"
        WRITE_OFF = "write_off", "Write-off"
        OVERRIDE = "override", "Override"
        CONFIGURATION = "config", "Configuration change"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        PERFORMED = "performed", "Done within own limit"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    target_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=250)
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose money the exception touches, for the limits per party and day.",
    )
    amount = money_field(null=True, blank=True)
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        permissions = [
            ("request_exception", "Can request a void, refund, waiver, write-off or override"),
            ("approve_exception", "Can approve or deny exception requests"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(decided_by=F("requested_by")), name="approver_is_not_requester"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_by__isnull=True, decided_at__isnull=True)
                | Q(status="performed", decided_by__isnull=True, decided_at__isnull=False)
                | (
                    Q(status__in=["approved", "denied"])
                    & Q(decided_by__isnull=False, decided_at__isnull=False)
                ),
                name="decision_recorded_with_status",
            ),
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id"],
                condition=Q(status="pending"),
                name="one_pending_request_per_target",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.target_repr} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("approval_detail", args=[self.pk])


class ExceptionLimit(EffectiveDated):
    """Up to what amount a role may do an exception (a void, a waiver …) on its own authority,
    from a date. Above it, or with no limit, the exception goes to a supervisor."""

    config_scope = ("role", "kind")

    role = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="exception_limits")
    kind = models.CharField(max_length=12, choices=ApprovalRequest.Kind.choices)
    effective_from = models.DateField()
    max_amount = money_field(help_text="Per charge or receipt, in total. 0.00 takes the authority away.")
    daily_max_amount = money_field(
        null=True,
        blank=True,
        help_text="The most one clerk of the role may do on their own in a day (blank: no daily limit).",
    )
    party_daily_max_amount = money_field(
        null=True,
        blank=True,
        help_text="The most done on their own for one party in a day, by anyone (blank: no limit).",
    )
    state = models.CharField(
        max_length=8,
        choices=[("pending", "Waiting for approval"), ("approved", "Approved"), ("denied", "Denied")],
        default="approved",
        help_text="A limit added in Configuration waits for another supervisor's approval.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["role", "kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "kind", "effective_from"],
                condition=~Q(state="denied") & Q(withdrawn_at__isnull=True),
                name="one_limit_per_role_kind_date",
            ),
            models.CheckConstraint(condition=Q(max_amount__gte=0), name="exception_limit_not_negative"),
        ]

    def __str__(self):
        return f"{self.role} {self.get_kind_display()} up to {self.max_amount} from {self.effective_from}"

    @classmethod
    def config_rows(cls):
        return cls.objects.filter(state="approved")

    def config_used(self, until):
        if self.state == "pending":
            return "it is waiting for approval (deny it under Approvals instead)"
        if self.state == "denied":
            return "it was denied and was never in force"
        done = ApprovalRequest.objects.filter(
            during("requested_at__date", self.effective_from, until),
            kind=self.kind,
            status=ApprovalRequest.Status.PERFORMED,
            requested_by__groups=self.role_id,
        )
        return used_sentence([(done.count(), "exception done within the limit")])


class RoleChange(models.Model):
    """A change to a role's permissions made in Configuration. It takes effect only when a
    second person (a supervisor, never the one who made it) approves it under Approvals."""

    group = models.ForeignKey("auth.Group", on_delete=models.PROTECT, related_name="+")
    added = models.JSONField(default=list, help_text='Permissions given, as "app.codename".')
    removed = models.JSONField(default=list, help_text='Permissions taken away, as "app.codename".')
    state = models.CharField(
        max_length=8,
        choices=[("pending", "Waiting for approval"), ("approved", "Approved"), ("denied", "Denied")],
        default="pending",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        parts = [f"+{p}" for p in self.added] + [f"-{p}" for p in self.removed]
        return f"Permissions of {self.group}: {', '.join(parts) or 'no change'}"[:250]


# --------------------------------------------------------------------------- double submits


class SubmissionToken(models.Model):
    """One row per posted form, keyed by the token the form carried. Inserted in the same
    transaction as the work: a double click finds the row and does nothing twice."""

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    result_url = models.CharField(max_length=250, blank=True)

    def __str__(self):
        return str(self.key)


# --------------------------------------------------------------------------- background jobs


class Job(models.Model):
    """Work that may outlast a request (an import, a bill run, a renewal run, merged letters, a
    large export), run by a worker from the PostgreSQL-backed queue. The request records the
    parameters and enqueues in one transaction; the page shows progress from this row."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    STATUS_BADGES = {"queued": "secondary", "running": "warning", "done": "success"}

    kind = models.CharField(max_length=64, help_text="The registered job handler.")
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True)
    message = models.CharField(max_length=2000, blank=True)
    result_url = models.CharField(max_length=250, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    queue_job_id = models.BigIntegerField(null=True, blank=True, help_text="The queue's own job id.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(done__gte=0), name="job_done_not_negative"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("job_detail", args=[self.pk])

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


# --------------------------------------------------------------------------- import profiles


class ImportProfile(models.Model):
    """How one source's file layout becomes a registered import target's fields (a handheld
    vendor's citation export, a bank's lockbox file, a vendor's fine schedule): which column feeds
    which field, constants, date and time formats, the number format and a code translation
    table. Configuration: a supervisor edits it on its screen, every change audited; never
    deleted (the batches imported through it name it), only deactivated."""

    target = models.CharField(
        max_length=64, help_text="The registered import target, e.g. parking.citations."
    )
    name = models.CharField(max_length=100, help_text="The source, e.g. 'Handheld vendor A'.")
    mapping = models.JSONField(
        default=dict, blank=True, help_text="Field → the file's column names (joined by a space)."
    )
    constants = models.JSONField(
        default=dict, blank=True, help_text="Field → a value used when the file has none."
    )
    header_signature = models.CharField(
        max_length=2000,
        blank=True,
        help_text="The mapped column names, lower case, sorted: a file whose header has them all picks this profile.",
    )
    date_format = models.CharField(max_length=40, blank=True, help_text="A strptime pattern, e.g. %m/%d/%Y.")
    time_format = models.CharField(max_length=40, blank=True, help_text="A strptime pattern, e.g. %I:%M %p.")
    decimal_separator = models.CharField(max_length=1, default=".")
    thousands_separator = models.CharField(max_length=1, blank=True, default=",")
    currency_symbol = models.CharField(max_length=5, blank=True, default="$")
    code_table = models.JSONField(
        default=dict, blank=True, help_text="The source's codes → the city's codes."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["target", "name"]
        constraints = [
            models.UniqueConstraint(fields=["target", "name"], name="one_import_profile_name_per_target"),
            models.CheckConstraint(
                condition=~Q(decimal_separator=F("thousands_separator")),
                name="import_profile_separators_differ",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.target})"

    def get_absolute_url(self):
        return reverse("import_profile_edit", args=[self.pk])


# --------------------------------------------------------------------------- the office


class OfficeConfig(EffectiveDated):
    """How the public reaches Revenue Services, as every letter, notice and receipt prints it:
    from a date (a later row replaces an earlier one; rows are added, never edited; a row added
    by mistake is withdrawn before anything was posted under it)."""

    effective_from = models.DateField()
    office_name = models.CharField(max_length=120, help_text="As printed under the city's name.")
    address = models.TextField(help_text="Street address, one line per printed line.")
    phone = models.CharField(max_length=40)
    hours = models.CharField(max_length=120, help_text="Counter hours, e.g. Monday–Friday 8 a.m.–5 p.m.")
    web = models.CharField(max_length=200, help_text="Web address, e.g. www.alderbay.gov/revenue")
    second_language_line = models.CharField(
        max_length=300,
        blank=True,
        help_text="Printed on every letter and receipt; {phone} is replaced by the phone number.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "office contact details"
        verbose_name_plural = "office contact details"
        constraints = [one_in_force(name="one_office_config_per_date")]

    def __str__(self):
        return f"{self.office_name} from {self.effective_from}"

    def config_used(self, until):
        """Receipts and notices printed the office's details from the first posting under it."""
        from .ledger import JournalEntry

        entries = JournalEntry.objects.filter(during("entry_date", self.effective_from, until))
        return used_sentence([(entries.count(), "journal entry")])

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def address_one_line(self) -> str:
        return ", ".join(self.address_lines)

    @property
    def second_language(self) -> str:
        return self.second_language_line.replace("{phone}", self.phone)
