"""The demo city's receivables: policy (net 30, buckets 30/60/90, collections from $100) and
its dunning levels (reminder at 30 days, second notice at 60, final notice with a late fee at 90,
referral to collections at 120)."""

import datetime
from decimal import Decimal

from revenue import services as core
from revenue.models import Account, FeeType

from . import selectors, services
from .models import DunningLevel, Invoice, ReceivablesPolicy

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
        collection_agency="Pacific Coast Recovery Services",
        collection_agency_phone="(555) 010-7788",
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


class _DemoBilling:
    """Invoices and payments of the demo, back-dated from today, through the services."""

    def __init__(self, users, parties):
        self.clerk, self.senior = users["clerk1"], users["clerk2"]
        self.by_name = {p.name: p for p in parties}
        self.today = core.city_today()
        self.undeposited = Account.objects.get(number="100-1050")

    def invoice(self, name, lines, days_ago=0, **kwargs) -> Invoice:
        return services.invoice_create(
            party=self.by_name[name],
            lines=lines,
            invoice_date=self.today - datetime.timedelta(days=days_ago),
            acting_user=self.clerk,
            **kwargs,
        )

    def pay(self, inv: Invoice, amount, days_ago=0) -> None:
        left, apps = Decimal(amount), []
        for charge in inv.charges():
            take = min(charge.balance, left)
            if take > 0:
                apps.append((charge, take))
                left -= take
        core.payment_post(
            party=inv.party,
            amount=Decimal(amount),
            applications=apps,
            debit_account=self.undeposited,
            acting_user=self.senior,
            received_on=self.today - datetime.timedelta(days=days_ago),
            reference=f"DEMO-{inv.number}",
        )

    def sent(self, inv: Invoice, email: str = "") -> None:
        services.invoice_mark_sent(invoice=inv, acting_user=self.clerk, email=email)


def _gl(text, account, price, quantity=1):
    return {"description": text, "revenue_account": account, "quantity": quantity, "unit_price": price}


def _demo_current_and_paid(demo: _DemoBilling, fees, rentals, damage) -> None:
    """Current (sent by e-mail), paid in full at the counter, and partly paid 40 days past due."""
    hall = demo.invoice(
        "Seaside Yoga Studio",
        [{"fee_type": fees["HALL"], "quantity": 6}, _gl("Set-up and cleaning", rentals, "60.00")],
        days_ago=5,
        reference="Spring workshop",
    )
    demo.sent(hall, email=hall.party.email)
    paid = demo.invoice("Main Street Books", [{"fee_type": fees["ALARM"], "quantity": 1}], days_ago=45)
    demo.pay(paid, paid.total, days_ago=20)
    partial = demo.invoice(
        "Bayview Auto Repair Inc",
        [_gl("Damaged street sign and post, Harbor Blvd at Bay St", damage, "480.00")],
        days_ago=70,
        reference="Incident 24-1187",
    )
    demo.pay(partial, "200.00", days_ago=30)
    demo.sent(partial)


def _demo_past_due(demo: _DemoBilling, fees, damage) -> None:
    """Past due 70, 100 and 130 days, each sent."""
    for name, days, lines in [
        ("Sunset Taqueria", 100, [{"fee_type": fees["ALARM"], "quantity": 2}]),
        ("Driftwood Inn & Suites", 130, [{"fee_type": fees["HALL"], "quantity": 8}]),
        ("Delgado, Marco", 160, [_gl("Replacement of damaged park bench", damage, "1250.00")]),
    ]:
        demo.sent(demo.invoice(name, lines, days_ago=days))


def _demo_credit_memos(demo: _DemoBilling, fees, supervisor) -> None:
    """Credited in full (approved by a supervisor), and one credit memo waiting for approval."""
    cancelled = demo.invoice("Coastal Dental Group", [{"fee_type": fees["HALL"], "quantity": 4}], days_ago=12)
    memo = services.credit_memo_request(
        invoice=cancelled,
        amount=cancelled.total,
        reason="Event cancelled: hall closed for repairs",
        acting_user=demo.clerk,
    )
    core.approval_decide(request=selectors.approval_for(memo), approve=True, acting_user=supervisor)
    alarm = demo.invoice("Tidewater Hardware", [{"fee_type": fees["ALARM"], "quantity": 1}], days_ago=8)
    services.credit_memo_request(
        invoice=alarm,
        amount="75.00",
        reason="Alarm company confirms a power failure caused it",
        acting_user=demo.clerk,
    )


def load_demo_receivables(*, users, parties) -> None:
    """A few invoices to look at, made through the invoice service: current, paid, partly paid,
    credited, a credit memo waiting for approval, and some past due by 40, 70, 100 and 130 days
    (back-dated) so the aging and dunning screens have something to show."""
    demo = _DemoBilling(users, parties)
    fees = {f.code: f for f in FeeType.objects.filter(code__in=["HALL", "ALARM"])}
    damage, rentals = Account.objects.get(number="100-4156"), Account.objects.get(number="100-4155")
    _demo_current_and_paid(demo, fees, rentals, damage)
    _demo_past_due(demo, fees, damage)
    _demo_credit_memos(demo, fees, users["supervisor"])
