"""The demo city's counter: drawers, the counter policy and the walk-in customer."""

import datetime
from decimal import Decimal

from revenue import services as core
from revenue.models import FeeType, Party

from .models import CashieringPolicy, Drawer

WALK_IN_NAME = "Walk-in customer"


def load_counter(*, acting_user) -> None:
    for code, name in [
        ("D1", "Front counter window 1"),
        ("D2", "Front counter window 2"),
        ("D3", "Front counter window 3"),
        ("MAIL", "Mail room"),
    ]:
        Drawer.objects.create(code=code, name=name)
    walk_in = core.party_create(
        acting_user=acting_user,
        kind=Party.Kind.PERSON,
        name=WALK_IN_NAME,
        notes="For counter fees paid by someone the city does not need to know (copies, notary).",
    )
    CashieringPolicy.objects.create(
        effective_from=datetime.date(2024, 7, 1),
        over_short_explain_over=Decimal("5.00"),
        check_overpayment=CashieringPolicy.Overpayment.CREDIT,
        card_overpayment=CashieringPolicy.Overpayment.REFUSE,
        no_checks_days=180,
        returned_check_fee=FeeType.objects.filter(code="NSF").first(),
        walk_in_party=walk_in,
        created_by=acting_user,
    )
