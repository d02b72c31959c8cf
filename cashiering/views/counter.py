"""The counter: open a drawer, fill the basket, take the money."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import selectors
from revenue import services as core
from revenue.access import require_perm
from revenue.exceptions import RevenueError
from revenue.models import ZERO, Charge, Party
from revenue.web import Repeated, post_once, repeated_submission

from .. import services
from ..basket import Basket
from ..forms import FeeForm, FindForm, PayForm, SessionOpenForm
from .common import open_session, record_id


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def session_open(request):
    if services.session_for(request.user):
        return redirect("cashiering:counter")
    in_use = services.drawers_in_use()
    form = SessionOpenForm(request.POST or None, in_use=in_use)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_open(
                drawer=form.cleaned_data["drawer"], clerk=request.user, opening_counts=form.counts()
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Drawer open. Scan or type a number to start.")
            return redirect("cashiering:counter")
    return render(
        request,
        "cashiering/session_open.html",
        {"form": form, "in_use": sorted(in_use.values(), key=lambda s: s.drawer.code)},
    )


TENDERS = [  # the tender buttons: each opens only the fields its tender needs
    ("cash", "Cash", ["cash"]),
    ("check", "Check", ["check_amount", "check_number", "check_name"]),
    ("card", "Card", ["card_amount", "card_last4", "card_auth"]),
    ("mo", "Money order", ["mo_amount", "mo_number"]),
]


def _tender_groups(form: PayForm) -> list[dict]:
    """The tenders with their fields; a tender is open when it is cash or has anything keyed."""
    groups = []
    for key, label, names in TENDERS:
        fields = [form[n] for n in names]
        keyed = any(f.value() not in (None, "") or f.errors for f in fields)
        groups.append({"key": key, "label": label, "fields": fields, "open": key == "cash" or keyed})
    return groups


@require_perm("cashiering.take_payment")
def counter(request, pay_form=None):
    session = open_session(request)
    if session is None:
        return redirect("cashiering:session_open")
    basket = Basket(request)
    lines = basket.lines()
    payer = basket.payer
    find = request.GET.get("find", "").replace("\x00", "").strip()[:100]
    candidates = []
    if find:  # the header's search, offered as payers with their open charges
        for party in selectors.search(find, user=request.user, limit=10).payers(limit=10):
            candidates.append((party, list(selectors.open_charges(party)[:20])))
    if pay_form is None:
        pay_form = PayForm(
            lines=len(lines), initial={f"pay-{i}": ln["default"] for i, ln in enumerate(lines)}
        )
    pay_rows = [(ln, pay_form[f"pay-{i}"], i) for i, ln in enumerate(lines)]
    return render(
        request,
        "cashiering/counter.html",
        {
            "session": session,
            "basket": basket,
            "payer": payer,
            "alerts": selectors.party_alerts(payer),
            "pay_rows": pay_rows,
            "find_form": FindForm(initial={"q": ""}),
            "fee_form": FeeForm(),
            "pay_form": pay_form,
            "tenders": _tender_groups(pay_form),
            "find": find,
            "candidates": candidates,
            "due": sum((ln["default"] for ln in lines), ZERO),
        },
    )


def _find(request, basket: Basket):
    """The find box: a document's charges into the basket, a party as the payer, or a search."""
    form = FindForm(request.POST)
    if not form.is_valid():
        return redirect("cashiering:counter")
    found = services.counter_find(text=form.cleaned_data["q"].strip(), acting_user=request.user)
    if found.message:
        messages.warning(request, found.message)
    if found.party is not None:
        basket.set_payer(found.party)
        return redirect(f"{reverse('cashiering:counter')}?find={found.party.number}")
    if not found.matched:
        return redirect(f"{reverse('cashiering:counter')}?find={found.text}")
    if found.charges or found.found_numbers:
        messages.success(request, found.added_message(basket.add_charges(found.charges)))
    return redirect("cashiering:counter")


def _add_charge(request, basket: Basket):
    """A charge picked from a customer's list, with what its document owes for paying today."""
    charge = get_object_or_404(Charge, pk=record_id(request.POST.get("charge")))
    if charge.is_settled:
        return
    extra = services.counter_pick(charge=charge, acting_user=request.user)
    added = basket.add_charges([charge, *extra])
    if extra and added:  # what paying today added (a late penalty) is said in one line
        messages.info(request, services.CounterFind(charge.source_number).added_message(added))


def _walk_in(request, basket: Basket):
    try:
        basket.set_payer(services.walk_in_party())
    except RevenueError as exc:
        messages.error(request, str(exc))


def _add_fee(request, basket: Basket):
    form = FeeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return
    d = form.cleaned_data
    try:
        core.fee_compute(fee_type=d["fee_type"], quantity=d["quantity"], amount=d["amount"])
    except RevenueError as exc:
        messages.error(request, str(exc))
        return
    basket.add_fee(d["fee_type"], d["quantity"], d["amount"], d["description"])
    if not basket.has_payer:
        _walk_in(request, basket)


def _spread(request, basket: Basket):
    """A partial payment: the amount the customer pays, spread over the basket oldest first."""
    try:
        paid, out = basket.spread(request.POST.get("amount", "").strip())
    except RevenueError as exc:
        messages.error(request, str(exc))
        return
    left = f"; {out} newer line{'s' if out != 1 else ''} taken out of the basket" if out else ""
    messages.success(request, f"Spread oldest first over {paid} line{'s' if paid != 1 else ''}{left}.")


@require_perm("cashiering.take_payment")
@require_POST
def basket_action(request):
    basket = Basket(request)
    action = request.POST.get("action")
    if action == "find":
        return _find(request, basket)
    if action == "add_charge":
        _add_charge(request, basket)
    elif action == "payer":
        basket.set_payer(get_object_or_404(Party, pk=record_id(request.POST.get("party"))))
    elif action == "walk_in":
        _walk_in(request, basket)
    elif action == "add_fee":
        _add_fee(request, basket)
    elif action == "spread":
        _spread(request, basket)
    elif action == "remove":
        basket.remove(request.POST.get("item", ""))
    elif action == "clear":
        basket.clear()
    return redirect("cashiering:counter")


def _items(form: PayForm, lines: list[dict]) -> list:
    """The basket's lines as receipt items, with the amounts keyed; a fee's amount is the
    schedule's (a form error says so when it was changed)."""
    amounts = form.line_amounts(len(lines))
    for ln, amount in zip(lines, amounts, strict=True):
        if ln["fixed"] and amount != ln["default"]:
            form.add_error(None, f"{ln['description']} is {ln['default']:,.2f} by the fee schedule.")
    return [
        services.Item(
            fee_type=ln["fee"],
            quantity=ln["quantity"],
            amount=ln["unit_amount"],
            description=ln["fee_description"],
        )
        if ln["fixed"]
        else services.Item(charge=ln["charge"], amount=amount)
        for ln, amount in zip(lines, amounts, strict=True)
    ]


NOT_TAKEN = (
    "The payment was NOT taken: your drawer was closed (in another tab?) before this receipt was "
    "posted. Nothing was recorded and the basket is kept: open a drawer, check the basket and post again."
)


def _drawer_closed(request):
    """The pay form sent after the clerk's drawer was closed: nothing posts, the basket stays."""
    messages.error(request, NOT_TAKEN)
    return redirect("cashiering:session_open")


@require_perm("cashiering.take_payment")
@require_POST
def pay(request):
    session = services.session_for(request.user)
    if session is None:
        return _drawer_closed(request)
    basket = Basket(request)
    lines = basket.lines()
    form = PayForm(request.POST, lines=len(lines))
    payer = basket.payer
    if not lines:
        messages.error(request, "The basket is empty.")
        return redirect("cashiering:counter")
    if payer is None:
        form.add_error(None, "Choose who is paying.")
    repeated = repeated_submission(request)
    if repeated:  # a second click, or an old page sent again: the first post did the work
        return redirect(repeated.url or "cashiering:counter")
    if request.POST.get("basket") != basket.signature:
        form.add_error(
            None, "The basket changed since this page was shown (another tab?): check it and post again."
        )
    if form.is_valid() and payer is not None:
        items = _items(form, lines)
        if not form.errors:
            receipt = post_once(
                request,
                form,
                lambda: services.receipt_issue(
                    session=session,
                    payer=payer,
                    items=items,
                    tenders=form.tenders(),
                    acting_user=request.user,
                ),
            )
            if isinstance(receipt, Repeated):  # the basket on screen now is the next customer's: keep it
                return redirect(receipt.url or "cashiering:counter")
            if receipt:
                basket.clear()
                change = f" Change due ${receipt.change_given:,.2f}." if receipt.change_given else ""
                messages.success(request, f"Receipt {receipt.number} posted: ${receipt.total:,.2f}.{change}")
                return redirect(f"{receipt.get_absolute_url()}?new=1")
            if services.session_for(request.user) is None:  # closed while this post waited for it
                return _drawer_closed(request)
    return counter(request, pay_form=form)
