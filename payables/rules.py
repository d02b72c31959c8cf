"""Payables' rules, each written once as a pure function (no database): what a screen, a
service and a test all ask."""

from __future__ import annotations

import re

# --------------------------------------------------------------------------- bank routing numbers

_ABA_WEIGHTS = (3, 7, 1, 3, 7, 1, 3, 7, 1)


def routing_number_valid(routing: str) -> bool:
    """An ABA routing number: nine digits whose weighted sum (3, 7, 1 repeated) is a multiple
    of 10, and not all zeros. 011000015 passes; 011000016 fails its check digit."""
    if not re.fullmatch(r"[0-9]{9}", routing or ""):
        return False
    total = sum(int(d) * w for d, w in zip(routing, _ABA_WEIGHTS, strict=True))
    return total % 10 == 0 and routing != "000000000"


def routing_number_problem(routing: str) -> str:
    """The sentence for the clerk when a routing number is wrong, or "" when it is right."""
    digits = (routing or "").strip()
    if not re.fullmatch(r"[0-9]{9}", digits):
        return "A routing number is nine digits."
    if not routing_number_valid(digits):
        return f"Routing number {digits} fails its check digit: please check it against the voided check."
    return ""


def last_four(account_number: str) -> str:
    """A bank account as screens show it: the last four digits only."""
    return f"••••{account_number[-4:]}" if account_number else ""
