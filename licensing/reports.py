"""Licensing reports: the posting reconciliation over the ledger, the State's share, and the list
of a year's renewals; each table a `Report` that `report_response` serves as the page and the .xlsx."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum
from django.db.models.functions import Coalesce, ExtractQuarter, ExtractYear

from revenue.documents import Column
from revenue.models import Account, Charge, JournalLine
from revenue.reporting import Report

from .models import AddOn, License, LicensingPolicy

ZERO = Decimal("0.00")


@dataclass
class AccountRow:
    account: Account
    from_licenses: Decimal = ZERO
    in_ledger: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.in_ledger - self.from_licenses


@dataclass
class Reconciliation:
    start: datetime.date
    end: datetime.date
    issued_new: int = 0
    issued_renewals: int = 0
    rows: list[AccountRow] = field(default_factory=list)
    unexplained: list[JournalLine] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return all(r.difference == 0 for r in self.rows)


def license_accounts() -> list[Account]:
    accounts = []
    for policy in LicensingPolicy.objects.select_related("tax_revenue_account", "penalty_revenue_account"):
        accounts += [policy.tax_revenue_account, policy.penalty_revenue_account]
    for addon in AddOn.objects.select_related("fee_type__revenue_account", "fee_type__pass_through_account"):
        accounts.append(addon.fee_type.revenue_account)
        if addon.fee_type.pass_through_account:
            accounts.append(addon.fee_type.pass_through_account)
    return sorted({a.pk: a for a in accounts}.values(), key=lambda a: a.number)


def posting_reconciliation(*, start: datetime.date, end: datetime.date) -> Reconciliation:
    """Licenses issued and renewed in the period, and what their charges should have put in each
    license GL account, against what the ledger holds there for the period; ledger lines on those
    accounts that no license charge explains are listed one by one."""
    rec = Reconciliation(start=start, end=end)
    issued = License.objects.filter(issued_at__date__range=(start, end))
    rec.issued_renewals = issued.filter(renewal_of__isnull=False).count()
    rec.issued_new = issued.count() - rec.issued_renewals
    license_type = ContentType.objects.get_for_model(License)
    charges = Charge.objects.filter(source_type=license_type, assessed_on__range=(start, end))
    accounts = license_accounts()
    rows = {a.pk: AccountRow(a) for a in accounts}
    for c in charges.select_related("fee_type"):
        if c.revenue_account_id in rows:
            rows[c.revenue_account_id].from_licenses += c.amount - c.pass_through_amount
        if c.pass_through_amount and c.pass_through_account_id in rows:
            rows[c.pass_through_account_id].from_licenses += c.pass_through_amount
    ledger = (
        JournalLine.objects.filter(account__in=accounts, entry__entry_date__range=(start, end))
        .values("account")
        .annotate(cr=Coalesce(Sum("credit"), ZERO), dr=Coalesce(Sum("debit"), ZERO))
    )
    for row in ledger:
        rows[row["account"]].in_ledger = row["cr"] - row["dr"]
    rec.rows = [r for r in rows.values() if r.from_licenses or r.in_ledger]
    charge_type = ContentType.objects.get_for_model(Charge)
    adjusted = JournalLine.objects.filter(
        entry__source_type=charge_type, entry__source_id__in=charges.values("pk")
    ).values("entry_id")  # waivers and write-offs of these charges
    adjusted_ids = list(adjusted.values_list("entry_id", flat=True))
    for line in JournalLine.objects.filter(
        entry_id__in=adjusted_ids, account_id__in=rows, entry__entry_date__range=(start, end)
    ):
        rows[line.account_id].from_licenses += line.credit - line.debit  # a waiver takes its share back
    explained = list(charges.values_list("journal_entry_id", flat=True)) + adjusted_ids
    rec.unexplained = list(
        JournalLine.objects.filter(account__in=accounts, entry__entry_date__range=(start, end))
        .exclude(entry_id__in=explained)
        .select_related("entry", "account", "party")
        .order_by("entry__entry_date", "pk")[:500]
    )
    return rec


def state_share_by_quarter(*, year: int) -> list[tuple[int, Decimal]]:
    """The other agency's share collected on license add-ons, per calendar quarter of a year."""
    accounts = [a for a in license_accounts() if a.type == Account.Type.LIABILITY]
    rows = (
        JournalLine.objects.filter(account__in=accounts, entry__entry_date__year=year)
        .annotate(q=ExtractQuarter("entry__entry_date"), y=ExtractYear("entry__entry_date"))
        .values("q")
        .annotate(cr=Coalesce(Sum("credit"), ZERO), dr=Coalesce(Sum("debit"), ZERO))
        .order_by("q")
    )
    by_quarter = {r["q"]: r["cr"] - r["dr"] for r in rows}
    return [(q, by_quarter.get(q, ZERO)) for q in (1, 2, 3, 4)]


def reconciliation_report(rec: Reconciliation) -> Report:
    """The reconciliation as a table: a row per GL account, then each unexplained ledger line."""
    rows = [
        ["GL account", r.account.number, r.account.name, r.from_licenses, r.in_ledger, r.difference]
        for r in rec.rows
    ]
    rows += [
        [
            f"Not from a license ({ln.entry.number})",
            ln.account.number,
            f"{ln.entry.entry_date:%m/%d/%Y} {ln.memo or ln.entry.memo}",
            None,
            ln.credit - ln.debit,
            None,
        ]
        for ln in rec.unexplained
    ]
    return Report(
        title="License posting reconciliation",
        subtitle=f"{rec.start:%m/%d/%Y} to {rec.end:%m/%d/%Y}",
        columns=[
            Column("Kind", width=22),
            Column("Account", width=12),
            Column("Description", width=44),
            Column("From licenses", "money", 16),
            Column("In the ledger", "money", 16),
            Column("Difference", "money", 14),
        ],
        rows=rows,
        totals=[
            "Total",
            "",
            "",
            sum((r.from_licenses for r in rec.rows), ZERO),
            sum((r.in_ledger for r in rec.rows), ZERO),
            sum((r.difference for r in rec.rows), ZERO),
        ],
        filename=f"license-reconciliation-{rec.start}-{rec.end}",
        sheet_name="Reconciliation",
    )


def renewal_list_report(year: int) -> Report:
    """Every renewal of a tax year with the figures on file."""
    licenses = (
        License.objects.filter(tax_year=year, renewal_of__isnull=False)
        .select_related("business__party", "business__classification")
        .order_by("number")
    )
    rows = [
        [
            lic.number,
            lic.business.party.name,
            lic.business.dba,
            lic.business.location,
            lic.business.classification.name,
            lic.get_status_display(),
            lic.business.gross_receipts,
            lic.business.employees,
        ]
        for lic in licenses
    ]
    return Report(
        title=f"License renewals {year}",
        subtitle=f"{len(rows)} renewals",
        columns=[
            Column("License", width=15),
            Column("Business", width=30),
            Column("DBA", width=24),
            Column("Location", width=32),
            Column("Classification", width=24),
            Column("Status", width=22),
            Column("Gross receipts on file", "money", 18),
            Column("Employees", "int", 10),
        ],
        rows=rows,
        totals=["Total", len(rows), "", "", "", "", None, None],
        filename=f"renewals-{year}",
        sheet_name="Renewals",
    )
