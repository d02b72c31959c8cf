"""Utility billing at the counter and on the core's pages, through the core's extension points:
the find box takes an account number or a bill's remittance stub (every open charge of the
account, oldest first), the one search finds an account by number, service address or customer
name, a receipt says which service address a charge paid for, and the party page and the
counter's payer panel show the customer's accounts and their delinquency."""

from __future__ import annotations

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from revenue import services as core
from revenue.extensions import charge_describer, counter_finder, party_alerts, party_panel, search_finder
from revenue.selectors import DocumentHit

from . import collect_rules as rules
from .collect_selectors import account_charges, numbers_oldest_first, open_charges_oldest_first, standing
from .models import Bill, LateFee, ServiceAccount, ServiceOrder


def account_url(account: ServiceAccount) -> str:
    """The account's page (its screens are the accounts part's), else its collection page."""
    try:
        return reverse("utility_billing:account", args=[account.number])
    except NoReverseMatch:
        return reverse("utility_billing:collect_account", args=[account.number])


@counter_finder
def account_or_stub(text: str, *, on, user) -> list[str]:
    """An account number ("U000123") or a scanned stub ("U000123/B2027-000456"): the document
    numbers of every open charge of the account, the oldest first (the counter keeps that order,
    so a partial payment spread from the top pays the oldest first)."""
    read = rules.stub_read(text)
    if read is None:
        return []
    account = ServiceAccount.objects.filter(number__iexact=read.account_number).first()
    if account is None:
        raise core.RevenueError(f"No utility account has the number {read.account_number}.")
    if (
        read.bill_number
        and not Bill.objects.filter(account=account, number__iexact=read.bill_number).exists()
    ):
        raise core.RevenueError(
            f"The stub's bill {read.bill_number} is not a bill of account {account.number}: "
            "check the stub, or type the account number."
        )
    numbers = numbers_oldest_first(open_charges_oldest_first(account))
    if not numbers:
        raise core.RevenueError(f"Account {account.number} ({account.premise}) owes nothing.")
    return numbers


@search_finder
def accounts_found(text: str, *, user, limit: int) -> list[DocumentHit]:
    """An account by its number (or a stub), by every word of its service address, or by its
    customer's name."""
    if not user.has_perm("utility_billing.view_serviceaccount"):
        return []
    read = rules.stub_read(text)
    if read is not None:
        where = Q(number__iexact=read.account_number)
    else:
        words = text.split()
        if not words or len(text.strip()) < 3:
            return []
        address, name = Q(), Q()
        for word in words:
            address &= Q(premise__address_line1__icontains=word)
            name &= Q(party__name__icontains=word)
        where = address | name
    found = (
        ServiceAccount.objects.filter(where).select_related("party", "premise").order_by("-move_in", "number")
    )
    return [
        DocumentHit(
            "Utility account",
            a.number,
            f"{a.party.name} at {a.premise} — {a.get_status_display()}",
            a.party,
            account_url(a),
        )
        for a in found[:limit]
    ]


@charge_describer
def service_address(charges) -> dict[int, str]:
    """What a utility charge paid for, as the receipt prints it: the account and service address."""
    mine = {}
    for model, field in ((Bill, "bills"), (LateFee, "late_fees"), (ServiceOrder, "orders")):
        ids = {c.source_id for c in charges if c.source_type_id == _ct(model)}
        if not ids:
            continue
        accounts = {
            src: (num, addr, unit)
            for src, num, addr, unit in ServiceAccount.objects.filter(**{f"{field}__in": ids}).values_list(
                f"{field}__pk", "number", "premise__address_line1", "premise__address_line2"
            )
        }
        for c in charges:
            if c.source_type_id == _ct(model) and c.source_id in accounts:
                num, addr, unit = accounts[c.source_id]
                mine[c.pk] = f"Utility account {num}, {addr}{' ' + unit if unit else ''}"
    return mine


def _ct(model) -> int:
    from .collect_selectors import ctype

    return ctype(model)


@party_alerts
def delinquency_alerts(party) -> list[str]:
    """At the counter and on the party page: a utility account shut off, ordered off, or past due."""
    out = []
    for account in (
        ServiceAccount.objects.filter(party=party).exclude(status="closed").select_related("premise")
    ):
        orders = ServiceOrder.objects.filter(account=account, kind__in=["disconnect", "reconnect"]).order_by(
            "-created_at", "-pk"
        )
        last = orders.first()
        if last is not None and last.kind == "disconnect" and last.status == "completed":
            out.append(f"Utility account {account.number} ({account.premise}) is shut off for non-payment.")
        elif last is not None and last.kind == "disconnect" and last.is_open:
            out.append(f"Utility account {account.number}: disconnection ordered ({last.number}).")
        else:
            s = standing(account)
            if s.oldest_due and s.days_delinquent(core.city_today()) >= 30:
                out.append(
                    f"Utility account {account.number} is {s.days_delinquent(core.city_today())} days "
                    f"delinquent: {s.past_due:,.2f} past due."
                )
    return out


@party_panel
def utility_accounts(party, request):
    if not request.user.has_perm("utility_billing.view_serviceaccount"):
        return None
    accounts = list(ServiceAccount.objects.filter(party=party).select_related("premise")[:20])
    if not accounts:
        return None
    today = core.city_today()
    rows = []
    for a in accounts:
        s = standing(a, today)
        rows.append({"account": a, "url": account_url(a), "standing": s, "days": s.days_delinquent(today)})
    return {"title": "Utility accounts", "template": "utility_billing/_party_accounts.html", "rows": rows}


__all__ = ["account_charges", "account_url"]
