"""Collection's part of the demo city: the delinquency policy, the reconnection fees, and a few
accounts behind on their bills (a few posted bills with their charges, as the bill run posts
them): one due a notice, one on the shut-off list, one protected by a medical certification with a
plan asked for, one on a payment plan, one shut off last month."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from revenue import services as core
from revenue.models import Account

from .models import (
    Bill,
    BillLine,
    DelinquencyNotice,
    DelinquencyPolicy,
    ServiceAccount,
    ServiceOrder,
)
from .services.orders import order_open
from .services.plans import plan_request, plan_set_up

SINCE = datetime.date(2024, 7, 1)


@transaction.atomic
def load_collection(acting_user, utility: dict) -> dict:
    """Load after `load_utility` (its accounts and services); returns what the tests use."""
    fees = Account.objects.get(number="501-4340")
    receivable = Account.objects.get(number="501-1210")
    policy = DelinquencyPolicy.objects.create(
        effective_from=SINCE, late_fee_revenue_account=fees, created_by=acting_user
    )  # SB 998's numbers are the defaults
    # the reconnection fees are the service orders' fee table's (demo.load_order_fees)
    today = core.city_today()
    actives = list(ServiceAccount.objects.filter(status="active").order_by("number"))
    picked = {
        "notice_due": actives[20],
        "shutoff": actives[21],
        "medical": utility["medical_account"],
        "plan": actives[22],
        "shut_off": actives[23],
        "income": utility["income_account"],
        "landlord": utility["landlord_account"],
    }
    water, sewer = utility["services"]["water"], utility["services"]["sewer"]
    ages = {"notice_due": [40], "shutoff": [75, 45], "medical": [75, 45], "plan": [70], "shut_off": [95, 65],
            "income": [40], "landlord": [45]}  # fmt: skip
    bills = {}
    for key, account in picked.items():
        bills[key] = [
            _bill(account, today - datetime.timedelta(days=days), water, sewer, receivable, acting_user)
            for days in ages[key]
        ]
    for key in ("shutoff", "medical", "shut_off"):
        DelinquencyNotice.objects.create(
            account=picked[key], bill=bills[key][0], sent_on=today - datetime.timedelta(days=20),
            shutoff_on=today - datetime.timedelta(days=5), past_due=Decimal("200.00"), created_by=acting_user,
        )  # fmt: skip
    plan_request(
        account=picked["medical"], acting_user=acting_user, note="Doctor's letter on file; asks to spread it"
    )
    plan = plan_set_up(
        account=picked["plan"],
        months=4,
        first_due=today + datetime.timedelta(days=10),
        acting_user=acting_user,
    )
    order = order_open(
        kind=ServiceOrder.Kind.DISCONNECT, premise=picked["shut_off"].premise, account=picked["shut_off"],
        acting_user=acting_user, reason="Non-payment", effective_on=today - datetime.timedelta(days=30),
    )  # fmt: skip
    ServiceOrder.objects.filter(pk=order.pk).update(
        status="completed", completed_at=timezone.now() - datetime.timedelta(days=30)
    )
    return {"delinquency_policy": policy, "collect_accounts": picked, "collect_plan": plan}


def _bill(account, due_on, water, sewer, receivable, user) -> Bill:
    bill_date = due_on - datetime.timedelta(days=21)
    bill = Bill.objects.create(
        number=core.number_next(kind="B", on=bill_date), account=account, status="posted",
        period_start=bill_date - datetime.timedelta(days=30), period_end=bill_date - datetime.timedelta(days=1),
        bill_date=bill_date, due_on=due_on, current_charges=Decimal("100.00"),
    )  # fmt: skip
    for order, (service, amount) in enumerate(((water, "62.40"), (sewer, "37.60"))):
        charge = core.charge_assess(
            party=account.party, amount=amount, description=f"{service.name} {bill.period_end:%m/%Y}",
            receivable_account=receivable, revenue_account=service.revenue_account, acting_user=user,
            source=bill, source_number=bill.number, assessed_on=bill_date, due_on=due_on,
        )  # fmt: skip
        BillLine.objects.create(
            bill=bill,
            service=service,
            description=charge.description,
            amount=amount,
            sort_order=order,
            charge=charge,
        )
    return bill
