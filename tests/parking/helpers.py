"""Helpers for the parking tests (the `cite` fixture is in conftest.py)."""

import datetime
from decimal import Decimal

from parking.models import Citation
from revenue import services as core


def days_ago(n):
    return core.city_today() - datetime.timedelta(days=n)


def pay(citation_or_charges, undeposited, clerk, party):
    """Pay everything open on a citation (or on some charges) by posting one payment."""
    charges = (
        list(citation_or_charges.charges())
        if isinstance(citation_or_charges, Citation)
        else list(citation_or_charges)
    )
    open_ = [(c, c.balance) for c in charges if c.balance]
    return core.payment_post(
        party=party,
        amount=sum((b for _c, b in open_), Decimal("0")),
        applications=open_,
        debit_account=undeposited,
        acting_user=clerk,
        reference="TEST",
    )
