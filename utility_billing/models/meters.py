"""Meters (an inventory by serial number), where and when each was installed, and the reads."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse


class Meter(models.Model):
    class Status(models.TextChoices):
        STOCK = "stock", "In stock"
        INSTALLED = "installed", "Installed"
        REMOVED = "removed", "Removed"
        TESTING = "testing", "In testing"
        RETIRED = "retired", "Retired"

    class Unit(models.TextChoices):
        HCF = "hcf", "HCF (100 cubic feet)"
        GALLONS = "gal", "Gallons"
        KGAL = "kgal", "Thousand gallons"

    serial = models.CharField(max_length=30, unique=True)
    size = models.ForeignKey("utility_billing.MeterSize", on_delete=models.PROTECT, related_name="meters")
    make = models.CharField(max_length=60, blank=True)
    unit = models.CharField(max_length=4, choices=Unit.choices, default=Unit.HCF)
    multiplier = models.DecimalField(
        max_digits=8, decimal_places=3, default=1, help_text="Units billed per unit on the dials."
    )
    dials = models.PositiveSmallIntegerField(
        default=6, help_text="Digits on the register: it rolls over past 999…9."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STOCK)
    premise = models.ForeignKey(
        "utility_billing.Premise", null=True, blank=True, on_delete=models.PROTECT, related_name="meters",
        help_text="Where it is installed now.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.CheckConstraint(condition=Q(multiplier__gt=0), name="meter_multiplier_positive"),
            models.CheckConstraint(condition=Q(dials__gte=3, dials__lte=10), name="meter_dials_sane"),
            models.CheckConstraint(
                condition=Q(status="installed", premise__isnull=False)
                | (~Q(status="installed") & Q(premise__isnull=True)),
                name="meter_installed_has_premise",
            ),
        ]

    def __str__(self):
        return self.serial

    @property
    def rollover(self) -> int:
        return 10**self.dials


class MeterInstallation(models.Model):
    """A meter's time at a premise, with the read at install and at removal."""

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="installations")
    premise = models.ForeignKey(
        "utility_billing.Premise", on_delete=models.PROTECT, related_name="installations"
    )
    installed_on = models.DateField()
    install_read = models.BigIntegerField()
    removed_on = models.DateField(null=True, blank=True)
    removal_read = models.BigIntegerField(null=True, blank=True)
    order = models.ForeignKey(
        "utility_billing.ServiceOrder", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["meter", "installed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meter"], condition=Q(removed_on__isnull=True), name="meter_one_open_install"
            ),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=F("installed_on")),
                name="install_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(install_read__gte=0) & (Q(removal_read__isnull=True) | Q(removal_read__gte=0)),
                name="install_reads_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.meter} at {self.premise} from {self.installed_on}"


class ReadBatch(models.Model):
    """One imported read file (handheld or AMR export). Its digest makes a second import of the
    same file change nothing."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, unique=True)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    exceptions = models.PositiveIntegerField(default=0)
    # added by the reads import
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    rows_read = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    profile = models.ForeignKey(
        "revenue.ImportProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    header = models.TextField(blank=True, help_text="The file's header row as written.")
    message = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    job = models.ForeignKey("revenue.Job", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "read batches"

    def __str__(self):
        return self.file_name

    def get_absolute_url(self):
        return reverse("utility_billing:read_batch", args=[self.pk])


class Reading(models.Model):
    """A read of a meter's register on a date. Usage is the difference from the read before it
    on the same installation (modulo the register's rollover) times the multiplier."""

    class Kind(models.TextChoices):
        ACTUAL = "actual", "Actual"
        ESTIMATE = "estimate", "Estimate"
        INSTALL = "install", "Install (first read)"
        REMOVAL = "removal", "Removal (final read)"
        MOVE_IN = "move_in", "Move-in"
        MOVE_OUT = "move_out", "Move-out"

    class Source(models.TextChoices):
        FILE = "file", "Read file"
        HAND = "hand", "Hand entry"
        FIELD = "field", "Field order"
        ESTIMATE = "estimate", "Estimated"

    class Status(models.TextChoices):
        ACCEPTED = "accepted", "Accepted"
        EXCEPTION = "exception", "Exception (to review)"
        REPLACED = "replaced", "Replaced"

    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="readings")
    installation = models.ForeignKey(MeterInstallation, on_delete=models.PROTECT, related_name="readings")
    premise = models.ForeignKey("utility_billing.Premise", on_delete=models.PROTECT, related_name="readings")
    read_on = models.DateField()
    value = models.BigIntegerField(help_text="The register as read (dials).")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ACTUAL)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.HAND)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    exception = models.CharField(max_length=30, blank=True, help_text="Why it is held for review.")
    exception_note = models.CharField(max_length=250, blank=True)
    batch = models.ForeignKey(
        ReadBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="readings"
    )
    order = models.ForeignKey(
        "utility_billing.ServiceOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="readings",
    )
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["meter", "read_on", "pk"]
        indexes = [models.Index(fields=["status", "read_on"], name="reading_status_date")]
        permissions = [
            ("enter_reading", "Enter a meter read by hand"),
            ("import_readings", "Import a handheld or AMR read file"),
            ("review_reading", "Accept, correct or send out a read held for review"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="reading_not_negative"),
            # one live read of a meter per date and kind: a second import of a file adds nothing
            models.UniqueConstraint(
                fields=["meter", "read_on", "kind"],
                condition=~Q(status="replaced"),
                name="one_live_read_per_day",
            ),
        ]

    def __str__(self):
        return f"{self.meter} {self.read_on}: {self.value}"
