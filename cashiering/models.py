"""The counter: drawers, cashier sessions, receipts and their tenders. Money posts through the
core (revenue.services.payment_post); this app never writes another app's tables."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from revenue.models import (
    ZERO,
    Charge,
    EffectiveDated,
    JournalEntry,
    Party,
    Payment,
    during,
    money_field,
    one_in_force,
    used_sentence,
)


@dataclass(frozen=True)
class Denomination:
    key: str
    label: str
    value: Decimal
    bundle: int  # notes in a strap or coins in a roll
    bundle_name: str


DENOMINATIONS = [
    Denomination("b100", "$100 bills", Decimal("100.00"), 100, "strap"),
    Denomination("b50", "$50 bills", Decimal("50.00"), 100, "strap"),
    Denomination("b20", "$20 bills", Decimal("20.00"), 100, "strap"),
    Denomination("b10", "$10 bills", Decimal("10.00"), 100, "strap"),
    Denomination("b5", "$5 bills", Decimal("5.00"), 100, "strap"),
    Denomination("b2", "$2 bills", Decimal("2.00"), 100, "strap"),
    Denomination("b1", "$1 bills", Decimal("1.00"), 100, "strap"),
    Denomination("c100", "$1 coins", Decimal("1.00"), 25, "roll"),
    Denomination("c50", "Half dollars", Decimal("0.50"), 20, "roll"),
    Denomination("c25", "Quarters", Decimal("0.25"), 40, "roll"),
    Denomination("c10", "Dimes", Decimal("0.10"), 50, "roll"),
    Denomination("c5", "Nickels", Decimal("0.05"), 40, "roll"),
    Denomination("c1", "Pennies", Decimal("0.01"), 50, "roll"),
]
DENOMINATION_BY_KEY = {d.key: d for d in DENOMINATIONS}


def counts_total(counts: dict) -> Decimal:
    return sum((DENOMINATION_BY_KEY[k].value * int(n) for k, n in (counts or {}).items()), ZERO)


class Drawer(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=60, help_text="Where it is, e.g. Front counter window 1.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CashierSession(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed, waiting for sign-off"
        SIGNED_OFF = "signed_off", "Signed off"

    drawer = models.ForeignKey(Drawer, on_delete=models.PROTECT, related_name="sessions")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cashier_sessions"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    business_date = models.DateField()
    opened_at = models.DateTimeField(auto_now_add=True)
    opening_counts = models.JSONField(default=dict)
    opening_float = money_field()
    # close-out: what the clerk counted and what the system expected, per tender
    closed_at = models.DateTimeField(null=True, blank=True)
    counted_counts = models.JSONField(null=True, blank=True)
    counted_cash = money_field(null=True, blank=True)
    counted_checks = money_field(null=True, blank=True)
    counted_cards = money_field(null=True, blank=True)
    expected_cash = money_field(null=True, blank=True)
    expected_checks = money_field(null=True, blank=True)
    expected_cards = money_field(null=True, blank=True)
    explanation = models.TextField(blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    over_short_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deposit = models.ForeignKey(
        "Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )

    class Meta:
        ordering = ["-opened_at"]
        permissions = [
            ("take_payment", "Can open a drawer and take payments at the counter"),
            ("sign_off_session", "Can sign off a cashier session and its over/short"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clerk"], condition=Q(status="open"), name="one_open_session_per_clerk"
            ),
            models.UniqueConstraint(
                fields=["drawer"], condition=Q(status="open"), name="one_open_session_per_drawer"
            ),
            models.CheckConstraint(condition=~Q(signed_off_by=F("clerk")), name="no_sign_off_of_own_session"),
            models.CheckConstraint(condition=Q(opening_float__gte=0), name="opening_float_not_negative"),
        ]

    def __str__(self):
        return f"{self.drawer.code} {self.clerk.get_username()} {self.business_date:%m/%d/%Y}"

    def get_absolute_url(self):
        return reverse("cashiering:session_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def over_short(self) -> dict[str, Decimal]:
        """Counted less expected, per tender (negative: short)."""
        if self.counted_cash is None:
            return {}
        return {
            "cash": self.counted_cash - self.expected_cash,
            "checks": self.counted_checks - self.expected_checks,
            "cards": self.counted_cards - self.expected_cards,
        }

    @property
    def over_short_total(self) -> Decimal:
        return sum(self.over_short().values(), ZERO)


class Deposit(models.Model):
    """Cash and checks from signed-off sessions taken to the bank. Posted (Dr cash in bank,
    Cr undeposited funds) when marked deposited with the bank's reference."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Prepared"
        DEPOSITED = "deposited", "Deposited"

    number = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARED)
    cash_counts = models.JSONField(default=dict)
    cash_total = money_field()
    checks_total = money_field()
    prepared_at = models.DateTimeField(auto_now_add=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    bank_reference = models.CharField(max_length=40, blank=True)
    deposited_on = models.DateField(null=True, blank=True)
    deposited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-prepared_at"]
        permissions = [("make_deposit", "Can prepare bank deposits and mark them deposited")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cash_total__gte=0) & Q(checks_total__gte=0), name="deposit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(status="prepared") | (Q(entry__isnull=False) & ~Q(bank_reference="")),
                name="deposited_has_entry_and_reference",
            ),
        ]

    def __str__(self):
        return f"Deposit {self.number}"

    def get_absolute_url(self):
        return reverse("cashiering:deposit_detail", args=[self.number])

    @property
    def total(self) -> Decimal:
        return self.cash_total + self.checks_total


class ReturnedCheck(models.Model):
    """A check the bank gave back: its payment reversed out of the bank, the charges it paid open
    again, the returned-check fee assessed, and the payer barred from checks for a while."""

    number = models.CharField(max_length=20, unique=True)
    tender = models.OneToOneField("Tender", on_delete=models.PROTECT, related_name="returned")
    receipt = models.ForeignKey("Receipt", on_delete=models.PROTECT, related_name="returned_checks")
    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="returned_checks")
    reason = models.CharField(
        max_length=120, help_text="As the bank gives it: insufficient funds, account closed …"
    )
    returned_on = models.DateField()
    fee_charge = models.OneToOneField(
        Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_charge = models.OneToOneField(
        Charge,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Credit on account from this check that was refunded or spent before it bounced: owed back.",
    )
    reposted_payment = models.OneToOneField(
        Payment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The receipt's other tenders, applied again once the whole payment was reversed.",
    )
    restriction = models.OneToOneField("CheckRestriction", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-returned_on", "-pk"]
        permissions = [("return_check", "Can record a check the bank returned")]

    def __str__(self):
        return f"Returned check {self.number}"

    def get_absolute_url(self):
        return reverse("cashiering:returned_check_detail", args=[self.number])


class CheckRestriction(models.Model):
    """A party whose check was returned: no checks accepted at the counter until `until`."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="check_restrictions")
    until = models.DateField()
    reason = models.CharField(max_length=250)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-until"]

    def __str__(self):
        return f"No checks from {self.party} until {self.until}"


class Receipt(models.Model):
    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        VOIDED = "voided", "Voided"

    number = models.CharField(max_length=20, unique=True)
    session = models.ForeignKey(CashierSession, on_delete=models.PROTECT, related_name="receipts")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="receipts")
    payer_name = models.CharField(max_length=200)
    total = money_field(help_text="What the receipt pays, credit on account included.")
    change_given = money_field(default=ZERO)
    # set in the same transaction that creates the receipt (the payment's entry names the receipt
    # as its source, so the receipt exists first); never null once committed
    payment = models.OneToOneField(Payment, null=True, on_delete=models.PROTECT, related_name="receipt")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.POSTED)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    prints = models.PositiveIntegerField(
        default=0, help_text="Times printed; every print after the first is a DUPLICATE."
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("print_receipt", "Can print and reprint receipts (each print counted and audited)"),
            ("email_receipt", "Can e-mail a receipt (audited)"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="receipt_total_positive"),
            models.CheckConstraint(condition=Q(change_given__gte=0), name="receipt_change_not_negative"),
        ]

    def __str__(self):
        return f"Receipt {self.number}"

    def get_absolute_url(self):
        return reverse("cashiering:receipt_detail", args=[self.number])

    @property
    def tendered_total(self) -> Decimal:
        return self.total + self.change_given


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="+")
    assessed_here = models.BooleanField(default=False, help_text="A counter fee assessed with this receipt.")
    amount = money_field()
    balance_after = money_field()

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_line_positive")]

    def __str__(self):
        return f"{self.charge.source_number} {self.amount}"


class Tender(models.Model):
    class Kind(models.TextChoices):
        CASH = "cash", "Cash"
        CHECK = "check", "Check"
        CARD = "card", "Card"
        MONEY_ORDER = "money_order", "Money order"

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="tenders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount = money_field(help_text="What the city keeps: for cash, what was handed over less change.")
    tendered = money_field(help_text="What the payer handed over.")
    reference = models.CharField(
        max_length=40, blank=True, help_text="Check or money order number; card authorization."
    )
    name_on_check = models.CharField(max_length=120, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    confirmed = models.BooleanField(
        default=False, help_text="A check or money order the clerk ticked at close-out: it goes to the bank."
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tender_amount_positive"),
            models.CheckConstraint(
                condition=Q(tendered__gte=F("amount")), name="tender_keeps_at_most_tendered"
            ),
            models.CheckConstraint(
                condition=~Q(kind="card") | Q(card_last4__regex=r"^[0-9]{4}$"),
                name="card_tender_has_last4_only",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class CashieringPolicy(EffectiveDated):
    """The counter's rules the city sets, in force from a date until the next policy."""

    class Overpayment(models.TextChoices):
        CREDIT = "credit", "Keep as credit on account"
        REFUSE = "refuse", "Refuse"

    effective_from = models.DateField()
    over_short_explain_over = money_field(
        help_text="An over/short beyond this amount needs a written explanation at close-out."
    )
    check_overpayment = models.CharField(max_length=8, choices=Overpayment.choices)
    card_overpayment = models.CharField(max_length=8, choices=Overpayment.choices)
    no_checks_days = models.PositiveIntegerField(
        help_text="Days a returned check bars a party from paying by check."
    )
    returned_check_fee = models.ForeignKey(
        "revenue.FeeType",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The fee assessed when a check is returned (its amount is in the fee schedule).",
    )
    walk_in_party = models.ForeignKey(
        "revenue.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The payer of counter fees for someone the city need not know (copies, notary).",
    )
    blind_close_out = models.BooleanField(
        default=False,
        help_text="Hide what the drawer should hold from the clerk until the count is saved; "
        "the supervisor sees the over/short at sign-off.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-effective_from"]
        verbose_name_plural = "cashiering policies"
        constraints = [
            one_in_force(name="one_cashiering_policy_per_date"),
            models.CheckConstraint(
                condition=Q(over_short_explain_over__gte=0), name="explain_threshold_not_negative"
            ),
        ]

    def __str__(self):
        return f"Counter policy from {self.effective_from}"

    def config_used(self, until):
        start = self.effective_from
        return used_sentence(
            [
                (Receipt.objects.filter(during("created_at__date", start, until)).count(), "receipt"),
                (ReturnedCheck.objects.filter(during("returned_on", start, until)).count(), "returned check"),
                (CashierSession.objects.filter(during("closed_at__date", start, until)).count(), "close-out"),
            ]
        )


class MailBatch(models.Model):
    """Payments that came by mail: the envelopes' count and total are entered first, then each
    remittance is keyed; the batch posts only when they agree."""

    STATUS_BADGES = {"open": "secondary"}  # an open batch is being keyed, not waiting on anyone

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        POSTED = "posted", "Posted"

    number = models.CharField(max_length=20, unique=True)
    control_count = models.PositiveIntegerField()
    control_total = money_field()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        CashierSession,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mail_batches",
        help_text="The session (drawer) the batch posted into: its checks are in that close-out.",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "mail batches"
        constraints = [
            models.CheckConstraint(
                condition=Q(control_count__gt=0) & Q(control_total__gt=0), name="batch_controls_positive"
            )
        ]

    def __str__(self):
        return f"Mail batch {self.number}"

    def get_absolute_url(self):
        return reverse("cashiering:batch_detail", args=[self.number])


class Remittance(models.Model):
    """One envelope's check. It ends posted (a receipt), held in suspense (a suspense item in the
    posting session) or returned to the sender with a letter; an exception must be resolved into
    one of them before the batch posts."""

    class Status(models.TextChoices):
        READY = "ready", "Ready"
        EXCEPTION = "exception", "Exception"
        POSTED = "posted", "Posted"
        SUSPENSE = "suspense", "Held in suspense"
        RETURNED = "returned", "Returned to sender"

    STATUS_BADGES = {"ready": "secondary", "exception": "warning", "suspense": "info", "returned": "dark"}

    batch = models.ForeignKey(MailBatch, on_delete=models.PROTECT, related_name="remittances")
    stub_number = models.CharField(max_length=40, help_text="The document or account number on the stub.")
    amount = money_field()
    check_number = models.CharField(max_length=40)
    name_on_check = models.CharField(max_length=120)
    party = models.ForeignKey(Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    charge = models.ForeignKey(Charge, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    exception_reason = models.CharField(max_length=250, blank=True)
    receipt = models.OneToOneField(
        Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="remittance"
    )
    to_credit = models.BooleanField(
        default=False, help_text="Apply it; what is more than owed goes on the payer's credit on account."
    )
    return_reason = models.CharField(max_length=250, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    keyed_at = models.DateTimeField(auto_now_add=True)
    keyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="remittance_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""), name="returned_remittance_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="posted") | Q(receipt__isnull=False), name="posted_remittance_has_receipt"
            ),
        ]

    def __str__(self):
        return f"{self.stub_number} {self.amount}"


class SuspenseItem(models.Model):
    """Money received that could not be applied when it came (a check for more than is owed, an
    unknown stub): held in the suspense liability account (Dr undeposited checks, Cr suspense)
    in the session that took it, so it is in that drawer's close-out and deposit. Resolved by a
    new entry moving it out: applied to a party's charges and credit, or returned by refund."""

    class Status(models.TextChoices):
        OPEN = "open", "Unresolved"
        APPLIED = "applied", "Applied"
        RETURNED = "returned", "Returned"

    STATUS_BADGES = {"open": "warning", "applied": "success", "returned": "dark"}

    number = models.CharField(max_length=20, unique=True)
    session = models.ForeignKey(CashierSession, on_delete=models.PROTECT, related_name="suspense_items")
    remittance = models.OneToOneField(
        Remittance, null=True, blank=True, on_delete=models.PROTECT, related_name="suspense_item"
    )
    amount = money_field()
    check_number = models.CharField(max_length=40)
    name_on_check = models.CharField(max_length=120)
    reason = models.CharField(max_length=250, help_text="Why it could not be applied when it came.")
    party_hint = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whom the stub named.",
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")
    confirmed = models.BooleanField(
        default=False, help_text="Ticked at close-out with the drawer's checks: it goes to the bank."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="suspense_items"
    )
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="suspense_item"
    )
    resolution_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.CharField(max_length=250, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        permissions = [("resolve_suspense", "Can resolve money held in suspense (apply or return it)")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="suspense_amount_positive"),
            models.CheckConstraint(
                condition=(Q(status="open") & Q(resolved_by__isnull=True))
                | (Q(status="applied") & Q(payment__isnull=False) & Q(party__isnull=False))
                | (Q(status="returned") & Q(resolution_entry__isnull=False)),
                name="suspense_resolution_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(resolved_by=F("created_by")), name="no_resolving_own_suspense"
            ),
        ]

    def __str__(self):
        return f"Suspense {self.number}"

    def get_absolute_url(self):
        return reverse("cashiering:suspense_detail", args=[self.number])
