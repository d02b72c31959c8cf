"""The demo city's receivables: policy (net 30, buckets 30/60/90, collections from $100) and
its dunning levels (reminder at 30 days, second notice at 60, final notice with a late fee at 90,
referral to collections at 120)."""

import datetime

from revenue.models import Account, FeeType

from .models import DunningLevel, ReceivablesPolicy

LEVELS = [
    # level, name, days past due, fee code, refer, letter
    (1, "Reminder", 30, None, False, "Our records show that the invoice below is past due. If you have already "
     "paid, thank you; otherwise please pay the balance now."),
    (2, "Second notice", 60, None, False, "The invoice below is now 60 days past due. Please pay the balance "
     "within ten days or call us to arrange payment."),
    (3, "Final notice", 90, "AR-LATE", False, "FINAL NOTICE. The invoice below is 90 days past due and a late "
     "fee has been added. If it is not paid within 30 days the account will be referred to a collection agency."),
    (4, "Referral to collections", 120, None, True, "The account below has been referred to the City's "
     "collection agency. Please contact them, or pay the full balance at the Revenue Services counter."),
]  # fmt: skip


def load_receivables(*, acting_user, since=datetime.date(2024, 1, 1)) -> ReceivablesPolicy:
    policy = ReceivablesPolicy.objects.create(
        effective_from=since,
        receivable_account=Account.objects.get(number="100-1210"),
        default_terms_days=30,
        aging_edges=[30, 60, 90],
        collections_threshold="100.00",
        created_by=acting_user,
    )
    for level, name, days, fee, refer, text in LEVELS:
        DunningLevel.objects.create(
            effective_from=since,
            level=level,
            name=name,
            days_past_due=days,
            letter_text=text,
            fee_type=FeeType.objects.get(code=fee) if fee else None,
            refer_to_collections=refer,
            created_by=acting_user,
        )
    return policy


def load_demo_receivables(*, users, parties) -> None:
    """A few invoices to look at (added as the invoice screens arrive)."""
