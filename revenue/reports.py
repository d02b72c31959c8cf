"""The core's reports over the ledger, each a `Report` that `report_response` serves as the page,
the .xlsx and (the trial balance) the PDF."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .documents import Column
from .models import ZERO, ApprovalRequest, Party
from .reporting import Link, Report
from .selectors import AccountActivity, TrialBalance


def trial_balance_report(tb: TrialBalance, *, as_of: datetime.date) -> Report:
    return Report(
        title="Trial balance",
        subtitle=f"As of {as_of:%m/%d/%Y}",
        columns=[
            Column("Account", width=14),
            Column("Name", width=36),
            Column("Fund", width=22),
            Column("Type", width=11),
            Column("Debit", "money", 16),
            Column("Credit", "money", 16),
        ],
        rows=[
            [
                r.account.number,
                r.account.name,
                str(r.account.fund),
                r.account.get_type_display(),
                r.debit_balance or None,
                r.credit_balance or None,
            ]
            for r in tb.rows
        ],
        totals=["Total", "", "", "", tb.total_debit, tb.total_credit],
        filename=f"trial-balance-{as_of:%Y-%m-%d}",
        sheet_name="Trial balance",
    )


def account_activity_report(activity: AccountActivity) -> Report:
    account, start, end = activity.account, activity.start, activity.end
    rows = [[None, "", "Opening balance", "", None, None, activity.opening]]
    rows += [
        [
            r.line.entry.entry_date,
            r.line.entry.number,
            r.line.memo or r.line.entry.memo,
            r.line.party.name if r.line.party else "",
            r.line.debit or None,
            r.line.credit or None,
            r.balance,
        ]
        for r in activity.rows
    ]
    return Report(
        title=f"Account activity {account.number} {account.name}",
        subtitle=f"{start:%m/%d/%Y} to {end:%m/%d/%Y}",
        columns=[
            Column("Date", "date", 12),
            Column("Entry", width=15),
            Column("Memo", width=44),
            Column("Party", width=28),
            Column("Debit", "money", 14),
            Column("Credit", "money", 14),
            Column("Balance", "money", 16),
        ],
        rows=rows,
        totals=[
            None,
            "",
            "Totals and closing balance",
            "",
            activity.total_debit,
            activity.total_credit,
            activity.closing,
        ],
        filename=f"activity-{account.number}-{start:%Y%m%d}-{end:%Y%m%d}",
        sheet_name="Activity",
    )


def refunds_payable_report() -> Report:
    """Approved refunds of credit on account, for the accounts payable side to pay."""
    refunds = list(
        ApprovalRequest.objects.filter(
            kind=ApprovalRequest.Kind.REFUND,
            status__in=[ApprovalRequest.Status.APPROVED, ApprovalRequest.Status.PERFORMED],
        )
        .select_related("requested_by", "decided_by")
        .order_by("decided_at")
    )
    parties = Party.objects.in_bulk([r.target_id for r in refunds])
    rows = []
    for r in refunds:
        p = parties[r.target_id]
        rows.append(
            [
                timezone.localdate(r.decided_at) if r.decided_at else None,
                Link(p.name, p.get_absolute_url()),
                p.number,
                p.address,
                r.reason,
                r.amount,
                r.decided_by.username if r.decided_by else "(own limit)",
            ]
        )
    return Report(
        title="Refunds payable",
        subtitle="Approved refunds of credit on account",
        columns=[
            Column("Approved", "date", 12),
            Column("Party", width=30),
            Column("Number", width=10),
            Column("Address", width=40),
            Column("Reason", width=40),
            Column("Amount", "money", 14),
            Column("Approved by", width=16),
        ],
        rows=rows,
        totals=["Total", "", "", "", "", sum((r.amount for r in refunds), ZERO), ""],
        filename="refunds-payable",
        sheet_name="Refunds",
    )
