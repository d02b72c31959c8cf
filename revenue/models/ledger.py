"""The money side of the core: parties, chart of accounts, ledger, fee schedule, charges and
payments, document numbers. Every change goes through revenue.services."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Func, Q, Sum, Value
from django.db.models.functions import Coalesce, Upper
from django.urls import reverse

from .config import EffectiveDated, during, one_in_force, used_sentence

ZERO = Decimal("0.00")


def money_field(**kwargs):
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


# --------------------------------------------------------------------------- parties


PHONE_DIGITS = Func(F("phone"), Value("[^0-9]"), Value(""), Value("g"), function="regexp_replace")


class Party(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        BUSINESS = "business", "Business"

    number = models.CharField(max_length=12, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(max_length=200, help_text="Legal name: 'Last, First' for a person.")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address_line1 = models.CharField("address", max_length=200, blank=True)
    address_line2 = models.CharField("address line 2", max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True, default="CA")
    postal_code = models.CharField(max_length=10, blank=True)
    notes = models.TextField(blank=True)
    notes_alert = models.BooleanField(
        "show the notes as an alert",
        default=False,
        help_text="Shown prominently at the counter and on the party page, before a tender is chosen.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "parties"
        ordering = ["name", "pk"]
        # every way the one search finds a party is an index lookup (issue 16.4): a word of
        # three letters or more by trigram, a shorter one as the start of the name or address,
        # the number and e-mail whatever their case, the postal code, the phone's digits
        indexes = [
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="party_name_trgm"),
            GinIndex(OpClass(Upper("address_line1"), name="gin_trgm_ops"), name="party_address_trgm"),
            models.Index(OpClass(Upper("name"), name="text_pattern_ops"), name="party_name_prefix"),
            models.Index(
                OpClass(Upper("address_line1"), name="text_pattern_ops"), name="party_address_prefix"
            ),
            models.Index(Upper("number"), name="party_number_upper"),
            models.Index(Upper("email"), name="party_email_upper"),
            models.Index(fields=["postal_code"], name="party_postal_code"),
            GinIndex(OpClass(PHONE_DIGITS, name="gin_trgm_ops"), name="party_phone_digits_trgm"),
        ]

    def __str__(self):
        return f"{self.name} ({self.number})"

    def get_absolute_url(self):
        return reverse("party_detail", args=[self.number])

    @property
    def address(self) -> str:
        city_line = " ".join(
            p for p in [f"{self.city}," if self.city else "", self.state, self.postal_code] if p
        )
        return ", ".join(p for p in [self.address_line1, self.address_line2, city_line.strip(" ,")] if p)

    def credit_balance(self) -> Decimal:
        """Money the party has on account with the city (customer credit liability)."""
        totals = JournalLine.objects.filter(party=self, account__role=Account.Role.CUSTOMER_CREDIT).aggregate(
            cr=Coalesce(Sum("credit"), ZERO), dr=Coalesce(Sum("debit"), ZERO)
        )
        return totals["cr"] - totals["dr"]


# --------------------------------------------------------------------------- chart of accounts


class Fund(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Account(models.Model):
    class Type(models.TextChoices):
        ASSET = "asset", "Asset"
        LIABILITY = "liability", "Liability"
        EQUITY = "equity", "Equity"
        REVENUE = "revenue", "Revenue"
        EXPENSE = "expense", "Expense"

    class Role(models.TextChoices):
        """What the posting rules look an account up by. At most one active account per role
        and fund; receivables and revenue are also named on each fee type."""

        NONE = "", "—"
        CASH_IN_BANK = "cash_in_bank", "Cash in bank"
        UNDEPOSITED = "undeposited", "Undeposited funds — cash"
        UNDEPOSITED_CHECKS = "undeposited_checks", "Undeposited funds — checks and money orders"
        CARD_CLEARING = "card_clearing", "Card settlements receivable"
        CHANGE_FUND = "change_fund", "Change funds (drawer floats)"
        RECEIVABLE = "receivable", "Receivable"
        CUSTOMER_CREDIT = "customer_credit", "Customer credit on account"
        OVER_SHORT = "over_short", "Cash over/short"
        BAD_DEBT = "bad_debt", "Bad debt expense"
        REFUNDS_PAYABLE = "refunds_payable", "Refunds payable"
        SUSPENSE = "suspense", "Unapplied receipts (suspense)"
        ACCOUNTS_PAYABLE = "accounts_payable", "Accounts payable"
        DUE_TO_OTHER = "due_to_other", "Due to other agencies"
        DUE_TO_FUNDS = "due_to_funds", "Due to other funds"
        DUE_FROM_FUNDS = "due_from_funds", "Due from other funds"
        FUND_BALANCE = "fund_balance", "Fund balance"

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts")
    number = models.CharField(max_length=20, unique=True, help_text="Fund-object, e.g. 100-1010")
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=10, choices=Type.choices)
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, default="")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "role"],
                condition=~Q(role="") & Q(active=True),
                name="one_active_account_per_role",
            )
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def normal_debit(self) -> bool:
        return self.type in (self.Type.ASSET, self.Type.EXPENSE)


# --------------------------------------------------------------------------- ledger


class JournalEntry(models.Model):
    """A balanced, immutable ledger posting. PostgreSQL rejects an unbalanced entry at commit and
    any UPDATE or DELETE of an entry or its lines (migration 0002). Corrections are reversals."""

    number = models.CharField(max_length=20, unique=True)
    entry_date = models.DateField()
    memo = models.CharField(max_length=250)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    posted_at = models.DateTimeField(auto_now_add=True)
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "journal entries"
        ordering = ["-entry_date", "-pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["entry_date"]),
            models.Index(Upper("number"), name="entry_number_upper"),  # found by number, any case
        ]
        permissions = [
            ("view_trial_balance", "Can view the trial balance and ledger reports"),
        ]

    def __str__(self):
        return f"{self.number} {self.memo}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="journal_lines"
    )
    debit = money_field(default=ZERO)
    credit = money_field(default=ZERO)
    memo = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0, credit=0) | Q(debit=0, credit__gt=0)),
                name="journal_line_one_side_positive",
            )
        ]

    def __str__(self):
        return f"{self.account.number} Dr {self.debit} Cr {self.credit}"


# --------------------------------------------------------------------------- fee schedule


class FeeType(models.Model):
    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    revenue_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    receivable_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    pass_through_account = models.ForeignKey(
        Account,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Liability for the share owed to another agency, if any.",
    )
    counter_fee = models.BooleanField(default=True, help_text="Offered at the counter to assess by quantity.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class FeeRate(EffectiveDated):
    """An amount the city sets, in force from `effective_from` until the next rate of the fee.
    0.00 means the fee is not charged from that date."""

    config_scope = ("fee_type",)

    fee_type = models.ForeignKey(FeeType, on_delete=models.PROTECT, related_name="rates")
    effective_from = models.DateField()
    amount = money_field(
        null=True, blank=True, help_text="Per unit. Blank: the amount is keyed at the counter."
    )
    pass_through_amount = money_field(
        default=ZERO, help_text="Per unit, part of the amount owed to another agency."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["fee_type", "-effective_from"]
        permissions = [
            ("withdraw_config", "Can withdraw effective-dated configuration that nothing has used yet"),
        ]
        constraints = [
            one_in_force("fee_type", name="one_rate_per_fee_and_date"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="fee_rate_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(pass_through_amount__gte=0)
                & (Q(amount__isnull=True) | Q(pass_through_amount__lte=F("amount"))),
                name="fee_rate_pass_through_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.fee_type} from {self.effective_from}: {self.amount}"

    def config_used(self, until):
        charges = Charge.objects.filter(
            during("assessed_on", self.effective_from, until), fee_type=self.fee_type_id
        )
        return used_sentence([(charges.count(), "charge")])

    def clean(self):
        if self.pass_through_amount and self.fee_type_id and self.fee_type.pass_through_account_id is None:
            raise ValidationError(
                "This fee has no pass-through account: set one on the fee before giving it a share."
            )


# --------------------------------------------------------------------------- charges and payments


def charge_balance_sql(alias: str = "c") -> str:
    """The one SQL spelling of a charge's balance, for set-based statements over revenue_charge
    under `alias`: amount less what was paid and what was waived or written off."""
    if not alias.isidentifier():
        raise ValueError(f"not an SQL alias: {alias!r}")
    return f"({alias}.amount - {alias}.amount_paid - {alias}.amount_adjusted)"


class ChargeQuerySet(models.QuerySet):
    def with_balance(self):
        """Each charge annotated with `open_balance` (computed in SQL)."""
        return self.annotate(open_balance=F("amount") - F("amount_paid") - F("amount_adjusted"))

    def open(self):
        """Charges with something left to pay: amount > paid + adjusted."""
        return self.filter(amount__gt=F("amount_paid") + F("amount_adjusted"))

    def balance_total(self) -> Decimal:
        """The sum of the balances, from one aggregate."""
        total = self.aggregate(total=Sum(F("amount") - F("amount_paid") - F("amount_adjusted")))["total"]
        return total if total is not None else ZERO


class Charge(models.Model):
    """Something a party owes. balance = amount - paid - adjusted (waived or written off)."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="charges")
    fee_type = models.ForeignKey(
        FeeType, null=True, blank=True, on_delete=models.PROTECT, related_name="charges"
    )
    description = models.CharField(max_length=250)
    amount = money_field()
    amount_paid = money_field(default=ZERO)
    amount_adjusted = money_field(default=ZERO)
    assessed_on = models.DateField()
    due_on = models.DateField()
    # no index on the account and user keys: accounts and users are never deleted, reports join
    # from the charges, and every index is paid for on each charge a citation import inserts
    receivable_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    revenue_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", db_index=False)
    pass_through_account = models.ForeignKey(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    pass_through_amount = money_field(default=ZERO, help_text="Part of the amount owed to another agency.")
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    source_number = models.CharField(
        max_length=40, blank=True, db_index=True, help_text="The number printed on the source document."
    )
    journal_entry = models.ForeignKey(
        JournalEntry,
        on_delete=models.PROTECT,
        related_name="charges",
        help_text="The entry that assessed it; a batch (a citation import) shares one entry.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    objects = ChargeQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            # the counter finds a typed or scanned number whatever its case (source_number__iexact)
            models.Index(Upper("source_number"), name="charge_source_number_upper"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0)
                & Q(amount_adjusted__gte=0)
                & Q(amount__gte=F("amount_paid") + F("amount_adjusted")),
                name="charge_never_overpaid",
            ),
            models.CheckConstraint(
                condition=Q(pass_through_amount__gte=0) & Q(pass_through_amount__lte=F("amount")),
                name="charge_pass_through_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.description} ({self.source_number or self.pk})"

    @property
    def balance(self) -> Decimal:
        return self.amount - self.amount_paid - self.amount_adjusted

    @property
    def is_settled(self) -> bool:
        return self.balance == ZERO


class Payment(models.Model):
    """Money received and applied to charges; any excess becomes credit on account. Cashiering's
    receipt (or a mail remittance, or a transfer of credit) is its source."""

    class Status(models.TextChoices):
        POSTED = "posted", "Posted"
        REVERSED = "reversed", "Reversed"

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField()
    amount = money_field()
    credit_amount = money_field(default=ZERO, help_text="Excess placed on the party's account.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.POSTED)
    source_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    reference = models.CharField(max_length=40, blank=True, help_text="Receipt or remittance number.")
    journal_entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payment")
    reversal_entry = models.OneToOneField(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_payment"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(Upper("reference"), name="payment_reference_upper")]  # the search's lookup
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(credit_amount__gte=0) & Q(credit_amount__lte=F("amount")),
                name="payment_credit_within",
            ),
        ]

    def __str__(self):
        return f"Payment {self.reference or self.pk} {self.amount}"


class PaymentApplication(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="applications")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="applications")
    amount = money_field()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="application_amount_positive"),
            models.UniqueConstraint(fields=["payment", "charge"], name="one_application_per_charge"),
        ]

    def __str__(self):
        return f"{self.amount} to charge {self.charge_id}"


# --------------------------------------------------------------------------- numbering


class DocumentSequence(models.Model):
    """The last number used per document kind and fiscal year. Taken with an upsert inside the
    posting transaction, so numbers are gapless: a rollback gives the number back."""

    kind = models.CharField(max_length=10)
    fiscal_year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "fiscal_year"], name="one_sequence_per_kind_year")
        ]

    def __str__(self):
        return f"{self.kind}{self.fiscal_year}: {self.last_number}"
