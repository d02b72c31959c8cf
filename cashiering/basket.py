"""The counter's basket: what the clerk is about to take money for, kept in the (database)
session between requests: the payer and a list of charges and counter fees."""

from __future__ import annotations

import uuid
from decimal import Decimal

from revenue import services as core
from revenue.exceptions import RevenueError
from revenue.extensions import holding_checks
from revenue.models import ZERO, Charge, FeeType, Party

from .services import walk_in_party


def _new_id() -> str:
    return uuid.uuid4().hex[:12]


class Basket:
    KEY = "counter_basket"

    def __init__(self, request):
        self.request = request
        self.data = request.session.get(self.KEY) or {"payer": None, "items": []}
        if any("id" not in i for i in self.data["items"]):
            for item in self.data["items"]:
                item.setdefault("id", _new_id())
            self.save()

    def save(self):
        self.request.session[self.KEY] = self.data

    def clear(self):
        self.data = {"payer": None, "items": []}
        self.save()

    @property
    def payer(self) -> Party | None:
        pk = self.data.get("payer")
        return Party.objects.filter(pk=pk).first() if pk else None

    @property
    def has_payer(self) -> bool:
        return bool(self.data["payer"])

    def set_payer(self, party: Party | None):
        self.data["payer"] = party.pk if party else None
        self.save()

    @property
    def signature(self) -> str:
        """Changes whenever the basket does: the pay form carries it, so money keyed against one
        basket is never applied to another (a second tab, a removed line)."""
        return "-".join(i["id"] for i in self.data["items"]) or "empty"

    def add_charge(self, charge: Charge) -> bool:
        return bool(self.add_charges([charge]))

    def add_charges(self, charges) -> list[Charge]:
        """Put charges in the basket (those not in it yet), saving once; returns those added. The
        payer, if none is chosen, is the first charge's party (the policy's walk-in customer when
        that party only holds the charges, as for parking citations; none if the policy names none)."""
        inside = {i.get("charge") for i in self.data["items"]}
        added = [c for c in charges if c.pk not in inside and not inside.add(c.pk)]
        if not added:
            return []
        self.data["items"] += [{"id": _new_id(), "charge": c.pk} for c in added]
        if not self.data["payer"]:
            if any(check(added[0]) for check in holding_checks):
                try:
                    self.data["payer"] = walk_in_party().pk
                except RevenueError:
                    self.data["payer"] = None
            else:
                self.data["payer"] = added[0].party_id
        self.save()
        return added

    def add_fee(self, fee_type: FeeType, quantity: int, amount, description: str = ""):
        self.data["items"].append(
            {
                "id": _new_id(),
                "fee": fee_type.pk,
                "quantity": quantity,
                "amount": str(amount) if amount else None,
                "description": description[:200],
            }
        )
        self.save()

    def remove(self, item_id: str):
        self.data["items"] = [i for i in self.data["items"] if i.get("id") != item_id]
        self.save()

    def spread(self, amount) -> tuple[int, int]:
        """Pay `amount` on the basket's charges oldest first (by due date, then the basket's order):
        each line's amount to pay is set, counter fees keep theirs, and charges the money does not
        reach leave the basket. Returns (lines paid, lines taken out)."""
        from .rules import spread_oldest_first

        lines = [ln for ln in self.lines() if not ln["fixed"]]
        fees = sum((ln["default"] for ln in self.lines() if ln["fixed"]), ZERO)
        ordered = sorted(lines, key=lambda ln: ln["charge"].due_on)  # stable: the basket's order within a day
        amount = core.money(amount, field="The amount paid")
        if amount <= fees or not ordered:
            raise RevenueError(f"{amount:,.2f} does not reach past the counter fees: nothing to spread.")
        parts = spread_oldest_first(amount - fees, [ln["balance"] for ln in ordered])
        pay = {ln["id"]: part for ln, part in zip(ordered, parts, strict=True)}
        out = {i for i, part in pay.items() if part <= ZERO}
        self.data["items"] = [i for i in self.data["items"] if i["id"] not in out]
        for item in self.data["items"]:
            if item["id"] in pay:
                item["pay"] = str(pay[item["id"]])
        self.save()
        return len(pay) - len(out), len(out)

    def lines(self) -> list[dict]:
        """The items with what each is and its default amount to pay (a charge's balance, a fee's total)."""
        charges = Charge.objects.select_related("party").in_bulk(
            [i["charge"] for i in self.data["items"] if "charge" in i]
        )
        fees = FeeType.objects.in_bulk([i["fee"] for i in self.data["items"] if "fee" in i])
        by_party = {c.party_id: c for c in charges.values()}
        holding = {pk for pk, c in by_party.items() if any(check(c) for check in holding_checks)}
        lines = []
        for item in self.data["items"]:
            if "charge" in item:
                line = _charge_line(item, charges.get(item["charge"]), holding)
            else:
                line = _fee_line(item, fees.get(item["fee"]))
            if line is not None:
                lines.append(line)
        return lines


def _charge_line(item: dict, charge: Charge | None, holding: set[int]) -> dict | None:
    if charge is None:
        return None
    return {
        "id": item["id"],
        "charge": charge,
        "number": charge.source_number,
        "description": charge.description,
        "party": None if charge.party_id in holding else charge.party,
        "balance": charge.balance,
        "default": min(Decimal(item["pay"]), charge.balance) if item.get("pay") else charge.balance,
        "fixed": False,
    }


def _fee_line(item: dict, fee: FeeType | None) -> dict | None:
    try:
        total, _share, _rate = core.fee_compute(
            fee_type=fee, quantity=item["quantity"], amount=item["amount"]
        )
    except RevenueError:
        return None
    label = fee.name if item["quantity"] == 1 else f"{fee.name} × {item['quantity']}"
    if item.get("description"):
        label += f": {item['description']}"
    return {
        "id": item["id"],
        "fee": fee,
        "quantity": item["quantity"],
        "unit_amount": item["amount"],
        "fee_description": item.get("description", ""),
        "number": "new",
        "description": label,
        "party": None,
        "balance": total,
        "default": total,
        "fixed": True,
    }
