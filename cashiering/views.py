"""The counter screens. Keyboard first: the find box has the focus, a scanned number and Enter
puts its charge in the basket, Tab moves through the tenders, Enter posts."""

import datetime
import uuid

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from revenue import selectors
from revenue import services as core
from revenue.access import require_perm
from revenue.documents import Column, barcode_svg, build_xlsx, pdf_response, render_pdf, xlsx_response
from revenue.exceptions import RevenueError
from revenue.extensions import counter_finders, holding_checks
from revenue.models import ZERO, Charge, FeeType, Party
from revenue.signals import charges_requested
from revenue.web import Repeated, post_once, repeated_submission

from . import services
from .demo import WALK_IN_NAME
from .forms import (
    BatchForm,
    CloseOutForm,
    FeeForm,
    FindForm,
    PayForm,
    RemittanceForm,
    ReturnCheckForm,
    SessionOpenForm,
    VoidForm,
)
from .models import DENOMINATIONS, CashierSession, Deposit, MailBatch, Receipt, ReturnedCheck, Tender

# --------------------------------------------------------------------------- the basket


class Basket:
    """What the clerk is about to take money for, kept in the (database) session between
    requests: the payer and a list of charges and counter fees."""

    KEY = "counter_basket"

    def __init__(self, request):
        self.request = request
        self.data = request.session.get(self.KEY) or {"payer": None, "items": []}
        if any("id" not in i for i in self.data["items"]):
            for item in self.data["items"]:
                item.setdefault("id", uuid.uuid4().hex[:12])
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

    def set_payer(self, party: Party):
        self.data["payer"] = party.pk
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
        payer, if none is chosen, is the first charge's party (the walk-in customer when that
        party only holds the charges, as for parking citations)."""
        inside = {i.get("charge") for i in self.data["items"]}
        added = [c for c in charges if c.pk not in inside and not inside.add(c.pk)]
        if not added:
            return []
        self.data["items"] += [{"id": uuid.uuid4().hex[:12], "charge": c.pk} for c in added]
        if not self.data["payer"]:
            if any(check(added[0]) for check in holding_checks):
                walk_in = Party.objects.filter(name=WALK_IN_NAME).first()
                self.data["payer"] = walk_in.pk if walk_in else None
            else:
                self.data["payer"] = added[0].party_id
        self.save()
        return added

    def add_fee(self, fee_type: FeeType, quantity: int, amount):
        self.data["items"].append(
            {
                "id": uuid.uuid4().hex[:12],
                "fee": fee_type.pk,
                "quantity": quantity,
                "amount": str(amount) if amount else None,
            }
        )
        self.save()

    def remove(self, item_id: str):
        self.data["items"] = [i for i in self.data["items"] if i.get("id") != item_id]
        self.save()

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
                charge = charges.get(item["charge"])
                if charge is None:
                    continue
                lines.append(
                    {
                        "id": item["id"],
                        "charge": charge,
                        "number": charge.source_number,
                        "description": charge.description,
                        "party": None if charge.party_id in holding else charge.party,
                        "balance": charge.balance,
                        "default": charge.balance,
                        "fixed": False,
                    }
                )
            else:
                fee = fees.get(item["fee"])
                try:
                    total, _share, _rate = core.fee_compute(
                        fee_type=fee, quantity=item["quantity"], amount=item["amount"]
                    )
                except RevenueError:
                    continue
                label = fee.name if item["quantity"] == 1 else f"{fee.name} × {item['quantity']}"
                lines.append(
                    {
                        "id": item["id"],
                        "fee": fee,
                        "quantity": item["quantity"],
                        "unit_amount": item["amount"],
                        "number": "new",
                        "description": label,
                        "party": None,
                        "balance": total,
                        "default": total,
                        "fixed": True,
                    }
                )
        return lines


def _id(value) -> int:
    """A primary key from a form, or a 404 (never a server error) for anything else."""
    if not str(value or "").isdigit():
        raise Http404("No such record.")
    return int(value)


def _session_or_redirect(request):
    session = services.session_for(request.user)
    if session is None:
        messages.info(request, "Open a drawer to take payments.")
    return session


# --------------------------------------------------------------------------- sessions


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def session_open(request):
    if services.session_for(request.user):
        return redirect("cashiering:counter")
    form = SessionOpenForm(request.POST or None)
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
    return render(request, "cashiering/session_open.html", {"form": form})


# --------------------------------------------------------------------------- the counter


@require_perm("cashiering.take_payment")
def counter(request, pay_form=None):
    session = _session_or_redirect(request)
    if session is None:
        return redirect("cashiering:session_open")
    basket = Basket(request)
    lines = basket.lines()
    find = request.GET.get("find", "").replace("\x00", "").strip()[:100]
    candidates = []
    if find:
        for party in selectors.party_search(find, limit=10):
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
            "payer": basket.payer,
            "pay_rows": pay_rows,
            "find_form": FindForm(initial={"q": ""}),
            "fee_form": FeeForm(),
            "pay_form": pay_form,
            "find": find,
            "candidates": candidates,
            "due": sum((ln["default"] for ln in lines), ZERO),
        },
    )


def _bring_up_to_date(numbers: list[str], user) -> list[str]:
    """Tell each document's app that its charges are about to be paid today (the core's
    charges_requested), so it can add what paying today owes; an app may answer with further
    numbers whose open charges belong in the same basket (an amended return's). Returns the
    numbers asked for and those, in order, without repeats."""
    out = list(numbers)
    with transaction.atomic():
        for number in numbers:
            for _receiver, answer in charges_requested.send(
                sender=None, number=number, on=core.city_today(), acting_user=user
            ):
                out += [n for n in (answer or []) if n not in out]
    return out


@require_perm("cashiering.take_payment")
@require_POST
def basket_action(request):
    basket = Basket(request)
    action = request.POST.get("action")
    if action == "find":
        form = FindForm(request.POST)
        if not form.is_valid():
            return redirect("cashiering:counter")
        q = form.cleaned_data["q"].strip()
        # a document's number finds all its charges (a license has its tax and its add-ons), after
        # the document's app has brought any charge that depends on the day of payment up to today
        numbers = _bring_up_to_date([q], request.user)
        charges = list(
            Charge.objects.filter(Q(source_number__iexact=q) | Q(source_number__in=numbers)).order_by("pk")
        )
        if charges:
            open_ones = [c for c in charges if not c.is_settled]
            if not open_ones:
                messages.warning(request, f"{charges[0].source_number} is already paid in full.")
            for charge in basket.add_charges(open_ones):
                messages.success(
                    request,
                    f"Added {charge.source_number}: {charge.description}, balance ${charge.balance:,.2f}.",
                )
            return redirect("cashiering:counter")
        party = Party.objects.filter(number__iexact=q).first()
        if party is not None:
            basket.set_payer(party)
            return redirect(f"{reverse('cashiering:counter')}?find={party.number}")
        # e.g. a plate: all its open citations on one receipt; a finder brings what it finds up to the
        # day of payment itself, in one go, and may refuse with a message (a plate in two states)
        try:
            with transaction.atomic():
                found = [
                    n
                    for finder in counter_finders
                    for n in finder(q, on=core.city_today(), user=request.user)
                ]
        except RevenueError as exc:
            messages.warning(request, str(exc))
            return redirect("cashiering:counter")
        if found:
            added = basket.add_charges(
                [
                    c
                    for c in Charge.objects.filter(source_number__in=found).order_by("source_number", "pk")
                    if not c.is_settled
                ]
            )
            total = sum((c.balance for c in added), ZERO)
            messages.success(
                request,
                f"{q.upper()}: added {len(added)} open charge{'s' if len(added) != 1 else ''} "
                f"of {', '.join(found)}, ${total:,.2f}.",
            )
            return redirect("cashiering:counter")
        return redirect(f"{reverse('cashiering:counter')}?find={q}")
    if action == "add_charge":
        # a charge picked from a customer's list: what its document owes for paying today (a late
        # penalty, interest) comes with it
        charge = get_object_or_404(Charge, pk=_id(request.POST.get("charge")))
        if not charge.is_settled:
            before = set(
                Charge.objects.filter(source_number=charge.source_number).values_list("pk", flat=True)
            )
            numbers = _bring_up_to_date([charge.source_number], request.user) if charge.source_number else []
            basket.add_charge(charge)
            for new in Charge.objects.filter(source_number__in=numbers).exclude(pk__in=before).order_by("pk"):
                if not new.is_settled and basket.add_charge(new):
                    messages.info(
                        request, f"Added {new.source_number}: {new.description}, ${new.balance:,.2f}."
                    )
    elif action == "payer":
        basket.set_payer(get_object_or_404(Party, pk=_id(request.POST.get("party"))))
    elif action == "walk_in":
        walk_in = Party.objects.filter(name=WALK_IN_NAME).first()
        if walk_in:
            basket.set_payer(walk_in)
    elif action == "add_fee":
        form = FeeForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                core.fee_compute(fee_type=d["fee_type"], quantity=d["quantity"], amount=d["amount"])
            except RevenueError as exc:
                messages.error(request, str(exc))
            else:
                basket.add_fee(d["fee_type"], d["quantity"], d["amount"])
                if not basket.data["payer"]:
                    walk_in = Party.objects.filter(name=WALK_IN_NAME).first()
                    if walk_in:
                        basket.set_payer(walk_in)
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    elif action == "remove":
        basket.remove(request.POST.get("item", ""))
    elif action == "clear":
        basket.clear()
    return redirect("cashiering:counter")


@require_perm("cashiering.take_payment")
@require_POST
def pay(request):
    session = _session_or_redirect(request)
    if session is None:
        return redirect("cashiering:session_open")
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
        amounts = form.line_amounts(len(lines))
        items = [
            services.Item(fee_type=ln["fee"], quantity=ln["quantity"], amount=ln["unit_amount"])
            if ln["fixed"]
            else services.Item(charge=ln["charge"], amount=amount)
            for ln, amount in zip(lines, amounts, strict=True)
        ]
        for ln, amount in zip(lines, amounts, strict=True):
            if ln["fixed"] and amount != ln["default"]:
                form.add_error(None, f"{ln['description']} is {ln['default']:,.2f} by the fee schedule.")
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
    return counter(request, pay_form=form)


# --------------------------------------------------------------------------- receipts


def _receipt(number):
    return get_object_or_404(
        Receipt.objects.select_related("session__drawer", "session__clerk", "party", "created_by", "payment"),
        number=number,
    )


@require_perm("cashiering.view_receipt")
def receipt_detail(request, number):
    receipt = _receipt(number)
    return render(
        request,
        "cashiering/receipt_detail.html",
        {
            "receipt": receipt,
            "lines": receipt.lines.select_related("charge"),
            "tenders": receipt.tenders.all(),
            "new": request.GET.get("new") == "1",
            "print_layouts": [("roll", "receipt"), ("letter", "letter size")],
            "returnable": [
                t
                for t in receipt.tenders.all()
                if t.kind == Tender.Kind.CHECK
                and t.confirmed
                and receipt.session.deposit_id
                and not hasattr(t, "returned")
            ]
            if request.user.has_perm("cashiering.return_check") and receipt.status == Receipt.Status.POSTED
            else [],
            "returned_checks": receipt.returned_checks.all(),
            "can_void": receipt.status == Receipt.Status.POSTED
            and receipt.session.is_open
            and request.user.has_perm("revenue.request_exception"),
            "audit_events": core.audit_trail(receipt),
        },
    )


@require_perm("cashiering.view_receipt")
def receipt_pdf(request, number, layout):
    """A receipt's PDF. `?copy=1` is the original, the first print; any other copy, or none, is
    marked DUPLICATE: prints are counted by receipt_print (a POST), never by this GET."""
    receipt = _receipt(number)
    if layout not in ("roll", "letter"):
        raise Http404("No such layout.")
    copy = request.GET.get("copy", "")
    copy = int(copy) if copy.isdigit() and 1 <= int(copy) <= receipt.prints else 0
    if copy == 1 and receipt.prints > 1:
        copy = 0  # once reprinted, the original's address gives a DUPLICATE too
    lines, tenders = list(receipt.lines.select_related("charge")), list(receipt.tenders.all())
    duplicate = copy != 1
    context = {
        "receipt": receipt,
        "lines": lines,
        "tenders": tenders,
        "barcode": barcode_svg(receipt.number),
        "duplicate": duplicate,
        "copy": copy - 1 if copy > 1 else 0,
        # a roll is as long as its receipt; WeasyPrint needs a page height, so it is worked out here
        "roll_height": 112
        + 10 * len(lines)
        + 5 * len(tenders)
        + (14 if duplicate or receipt.status == "voided" else 0),
    }
    pdf = render_pdf(f"cashiering/print/receipt_{layout}.html", context, request=request)
    return pdf_response(pdf, f"{receipt.number}-{layout}.pdf")


@require_perm("cashiering.view_receipt")
@require_POST
def receipt_print(request, number):
    receipt = _receipt(number)
    copy = services.receipt_printed(receipt=receipt, acting_user=request.user)
    layout = "letter" if request.POST.get("layout") == "letter" else "roll"
    return redirect(f"{reverse('cashiering:receipt_pdf', args=[receipt.number, layout])}?copy={copy}")


@require_perm("cashiering.view_receipt")
@require_POST
def receipt_email(request, number):
    """E-mail a copy (marked DUPLICATE: the payer already has the original) to the payer."""
    from django import forms as dj_forms
    from django.core.mail import EmailMessage

    receipt = _receipt(number)
    field = dj_forms.EmailField()
    try:
        address = field.clean(request.POST.get("email", "").strip())
    except dj_forms.ValidationError:
        messages.error(request, "Enter a valid e-mail address.")
        return redirect(receipt)
    lines, tenders = list(receipt.lines.select_related("charge")), list(receipt.tenders.all())
    pdf = render_pdf(
        "cashiering/print/receipt_letter.html",
        {
            "receipt": receipt,
            "lines": lines,
            "tenders": tenders,
            "barcode": barcode_svg(receipt.number),
            "duplicate": True,
            "copy": 0,
        },
        request=request,
    )
    message = EmailMessage(
        subject=f"{settings.CITY_NAME} receipt {receipt.number}",
        body=(
            f"Thank you for your payment of ${receipt.total:,.2f} on {receipt.created_at:%m/%d/%Y}.\n"
            f"A copy of receipt {receipt.number} is attached.\n\n{settings.CITY_DEPARTMENT}\n{settings.CITY_ADDRESS}"
        ),
        to=[address],
    )
    message.attach(f"{receipt.number}.pdf", pdf, "application/pdf")
    message.send()
    core.audit(actor=request.user, action="receipt.emailed", obj=receipt, after={"to": address})
    messages.success(request, f"Receipt {receipt.number} e-mailed to {address}.")
    return redirect(receipt)


@require_perm("revenue.request_exception")
@require_http_methods(["GET", "POST"])
def receipt_void(request, number):
    receipt = _receipt(number)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        req = post_once(
            request,
            form,
            lambda: services.receipt_void_request(
                receipt=receipt, reason=form.cleaned_data["reason"], acting_user=request.user
            ),
        )
        if isinstance(req, Repeated):
            return redirect(receipt)
        if req:
            if req.status == req.Status.PERFORMED:
                messages.success(request, f"Receipt {receipt.number} voided within your limit.")
            else:
                messages.success(request, f"Void of {receipt.number} requested; a supervisor will decide.")
            return redirect(receipt)
    return render(
        request,
        "cashiering/receipt_void.html",
        {
            "receipt": receipt,
            "form": form,
            "limit": core.exception_limit(user=request.user, kind="void"),
        },
    )


# --------------------------------------------------------------------------- close-out and the day


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def close_out(request):
    session = _session_or_redirect(request)
    if session is None:
        return redirect("cashiering:session_open")
    checks = list(services.session_checks(session))
    form = CloseOutForm(request.POST or None, check_ids=[t.pk for t in checks])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.session_close(
                session=session,
                counted_counts=form.counts(),
                confirmed_check_ids=d["confirmed_checks"],
                card_batch_total=d["card_batch_total"] or ZERO,
                explanation=d["explanation"],
                acting_user=request.user,
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            Basket(request).clear()
            messages.success(request, "Session closed. A supervisor will sign it off.")
            return redirect(session)
    expected = services.session_expected(session)
    return render(
        request,
        "cashiering/close_out.html",
        {
            "session": session,
            "form": form,
            "checks": checks,
            "expected": expected,
            "confirmed": form.cleaned_data.get("confirmed_checks", [])
            if form.is_bound and hasattr(form, "cleaned_data")
            else [],
            "limit": services.policy_on(session.business_date).over_short_explain_over,
            "denominations": DENOMINATIONS,
        },
    )


def _session_queryset(user):
    qs = CashierSession.objects.select_related("drawer", "clerk", "signed_off_by")
    if user.has_perm("cashiering.view_cashiersession") and (
        user.has_perm("cashiering.sign_off_session") or user.has_perm("cashiering.view_tender")
    ):
        return qs
    return qs.filter(clerk=user)


@require_perm("cashiering.view_cashiersession")
def session_detail(request, pk):
    session = get_object_or_404(_session_queryset(request.user), pk=pk)
    receipts = session.receipts.select_related("party").annotate(n_lines=Count("lines"))
    return render(
        request,
        "cashiering/session_detail.html",
        {
            "session": session,
            "receipts": receipts,
            "expected": services.session_expected(session),
            "can_sign_off": request.user.has_perm("cashiering.sign_off_session")
            and session.status == CashierSession.Status.CLOSED
            and session.clerk_id != request.user.pk,
            "denominations": [(d, (session.counted_counts or {}).get(d.key, 0)) for d in DENOMINATIONS],
            "audit_events": core.audit_trail(session),
        },
    )


@require_perm("cashiering.sign_off_session")
@require_POST
def session_sign_off(request, pk):
    session = get_object_or_404(CashierSession, pk=pk)
    try:
        services.session_sign_off(session=session, acting_user=request.user)
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Session {session} signed off.")
    return redirect(f"{reverse('cashiering:day')}?date={session.business_date:%Y-%m-%d}")


def day_sessions(day: datetime.date):
    posted = Q(receipts__status=Receipt.Status.POSTED)
    return (
        CashierSession.objects.filter(business_date=day)
        .select_related("drawer", "clerk", "signed_off_by")
        .annotate(
            receipt_count=Count("receipts", filter=posted, distinct=True),
            void_count=Count("receipts", filter=Q(receipts__status=Receipt.Status.VOIDED), distinct=True),
            taken=Sum("receipts__total", filter=posted),
        )
        .order_by("drawer__code", "opened_at")
    )


@require_perm("cashiering.sign_off_session")
def day(request, fmt="html"):
    try:
        when = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        when = core.city_today()
    sessions = list(day_sessions(when))
    rows = [(s, services.session_expected(s) if s.is_open else None) for s in sessions]
    totals = {
        k: sum(((getattr(s, f"counted_{k}") or ZERO) for s in sessions), ZERO)
        for k in ("cash", "checks", "cards")
    }
    context = {
        "day": when,
        "rows": rows,
        "totals": totals,
        "over_short": sum((s.over_short_total for s in sessions if s.counted_cash is not None), ZERO),
    }
    stamp = when.strftime("%Y-%m-%d")
    if fmt == "pdf":
        return pdf_response(
            render_pdf("cashiering/print/day.html", context, request=request), f"day-{stamp}.pdf"
        )
    if fmt == "xlsx":
        columns = [
            Column("Drawer", width=8),
            Column("Clerk", width=18),
            Column("Status", width=14),
            Column("Receipts", "int", 9),
            Column("Voids", "int", 7),
        ]
        for k in ("cash", "checks", "cards"):
            columns += [
                Column(f"{k.title()} expected", "money", 14),
                Column(f"{k.title()} counted", "money", 14),
                Column(f"{k.title()} over/short", "money", 14),
            ]
        columns.append(Column("Signed off by", width=16))
        data = []
        for s in sessions:
            row = [
                s.drawer.code,
                s.clerk.get_full_name() or s.clerk.username,
                s.get_status_display(),
                s.receipt_count,
                s.void_count,
            ]
            diffs = s.over_short()
            for k in ("cash", "checks", "cards"):
                row += [getattr(s, f"expected_{k}"), getattr(s, f"counted_{k}"), diffs.get(k)]
            row.append(s.signed_off_by.username if s.signed_off_by else "")
            data.append(row)
        total_row = [
            "Total",
            "",
            "",
            sum(s.receipt_count for s in sessions),
            sum(s.void_count for s in sessions),
        ]
        for k in ("cash", "checks", "cards"):
            closed = [s for s in sessions if s.counted_cash is not None]
            total_row += [
                sum((getattr(s, f"expected_{k}") for s in closed), ZERO),
                totals[k],
                sum((s.over_short()[k] for s in closed), ZERO),
            ]
        total_row.append("")
        content = build_xlsx(
            title="Daily cash reconciliation",
            subtitle=f"{when:%m/%d/%Y}",
            columns=columns,
            rows=data,
            totals=total_row,
            sheet_name="Day",
        )
        return xlsx_response(content, f"day-{stamp}.xlsx")
    return render(request, "cashiering/day.html", context)


# --------------------------------------------------------------------------- deposits


def _bundles(counts: dict):
    """Per denomination: count, full straps or rolls, loose, and amount, for the deposit slip."""
    rows = []
    for d in DENOMINATIONS:
        n = int(counts.get(d.key, 0))
        if n:
            rows.append(
                {"d": d, "count": n, "bundles": n // d.bundle, "loose": n % d.bundle, "amount": d.value * n}
            )
    return rows


@require_perm("cashiering.make_deposit")
@require_http_methods(["GET", "POST"])
def deposit_list(request):
    ready = (
        CashierSession.objects.filter(status=CashierSession.Status.SIGNED_OFF, deposit__isnull=True)
        .select_related("drawer", "clerk")
        .annotate(cash_to_deposit=F("counted_cash") - F("opening_float"))
        .filter(Q(cash_to_deposit__gt=0) | Q(receipts__tenders__confirmed=True))
        .distinct()
        .order_by("business_date", "drawer__code")
    )
    if request.method == "POST":
        chosen = [s for s in ready if str(s.pk) in request.POST.getlist("sessions")]
        try:
            deposit = services.deposit_prepare(sessions=chosen, acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"Deposit {deposit.number} prepared: print the slip, take it to the bank."
            )
            return redirect(deposit)
    return render(
        request,
        "cashiering/deposit_list.html",
        {
            "ready": ready,
            "deposits": Deposit.objects.select_related("prepared_by", "deposited_by")[:50],
        },
    )


@require_perm("cashiering.view_deposit")
def deposit_detail(request, number, fmt="html"):
    deposit = get_object_or_404(
        Deposit.objects.select_related("prepared_by", "deposited_by", "entry"), number=number
    )
    context = {
        "deposit": deposit,
        "bundles": _bundles(deposit.cash_counts),
        "checks": list(services.deposit_checks(deposit)),
        "sessions": deposit.sessions.select_related("drawer", "clerk"),
    }
    if fmt == "pdf":
        context["barcode"] = barcode_svg(deposit.number)
        return pdf_response(
            render_pdf("cashiering/print/deposit_slip.html", context, request=request),
            f"{deposit.number}.pdf",
        )
    return render(request, "cashiering/deposit_detail.html", context)


@require_perm("cashiering.make_deposit")
@require_POST
def deposit_confirm(request, number):
    deposit = get_object_or_404(Deposit, number=number)
    try:
        services.deposit_confirm(
            deposit=deposit, bank_reference=request.POST.get("bank_reference", ""), acting_user=request.user
        )
    except RevenueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Deposit {deposit.number} marked deposited.")
    return redirect(deposit)


# --------------------------------------------------------------------------- returned checks


@require_perm("cashiering.return_check")
@require_http_methods(["GET", "POST"])
def check_return(request, tender_id):
    tender = get_object_or_404(
        Tender.objects.select_related("receipt__party", "receipt__session__deposit"),
        pk=tender_id,
        kind=Tender.Kind.CHECK,
    )
    form = ReturnCheckForm(request.POST or None, initial={"returned_on": core.city_today()})
    if request.method == "POST" and form.is_valid():
        try:
            returned = services.check_return(
                tender=tender,
                reason=form.cleaned_data["reason"],
                returned_on=form.cleaned_data["returned_on"],
                acting_user=request.user,
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"{returned} recorded: charges re-opened, fee assessed. Print the notice."
            )
            return redirect(returned)
    return render(request, "cashiering/check_return.html", {"tender": tender, "form": form})


@require_perm("cashiering.view_returnedcheck")
def returned_check_detail(request, number, fmt="html"):
    returned = get_object_or_404(
        ReturnedCheck.objects.select_related(
            "tender", "receipt__party", "deposit", "fee_charge", "restriction"
        ),
        number=number,
    )
    reopened = [
        line for line in returned.receipt.lines.select_related("charge") if not line.charge.is_settled
    ]
    context = {
        "returned": returned,
        "party": returned.receipt.party,
        "reopened": reopened,
        "total_due": sum((ln.charge.balance for ln in reopened), ZERO)
        + (returned.fee_charge.balance if returned.fee_charge else ZERO)
        + (returned.credit_charge.balance if returned.credit_charge else ZERO),
    }
    if fmt == "pdf":
        return pdf_response(
            render_pdf("cashiering/print/returned_check_notice.html", context, request=request),
            f"{returned.number}-notice.pdf",
        )
    return render(request, "cashiering/returned_check_detail.html", context)


# --------------------------------------------------------------------------- mail payments


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def batch_list(request):
    form = BatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(
                control_count=form.cleaned_data["control_count"],
                control_total=form.cleaned_data["control_total"],
                acting_user=request.user,
            )
        except RevenueError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(batch)
    batches = MailBatch.objects.select_related("created_by").annotate(
        keyed=Count("remittances"),
        keyed_total=Sum("remittances__amount"),
        exceptions=Count("remittances", filter=Q(remittances__status="exception")),
    )[:50]
    return render(request, "cashiering/batch_list.html", {"form": form, "batches": batches})


@require_perm("cashiering.take_payment")
@require_http_methods(["GET", "POST"])
def batch_detail(request, number):
    batch = get_object_or_404(MailBatch, number=number)
    form = RemittanceForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "post":
        try:
            services.batch_post(batch=batch, acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{batch} posted.")
        return redirect(batch)
    if request.method == "POST" and request.POST.get("action") == "remove":
        remittance = get_object_or_404(batch.remittances, pk=_id(request.POST.get("remittance")))
        try:
            services.remittance_remove(remittance=remittance, acting_user=request.user)
        except RevenueError as exc:
            messages.error(request, str(exc))
        return redirect(batch)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "token"}
        remittance = post_once(
            request, form, lambda: services.remittance_add(batch=batch, acting_user=request.user, **data)
        )
        if isinstance(remittance, Repeated):
            return redirect(batch)
        if remittance:
            if remittance.status == remittance.Status.EXCEPTION:
                messages.warning(request, f"Kept as an exception: {remittance.exception_reason}")
            return redirect(batch)
    count, total = services.batch_totals(batch)
    return render(
        request,
        "cashiering/batch_detail.html",
        {
            "batch": batch,
            "form": form,
            "count": count,
            "total": total,
            "balanced": (count, total) == (batch.control_count, batch.control_total),
            "remittances": batch.remittances.select_related("receipt", "party"),
            "session": services.session_for(request.user),
        },
    )
