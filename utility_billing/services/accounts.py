"""Premises and service accounts: a service address set up at the counter, an account opened
for a customer there (pending until the move-in read), and the changes in billing."""

import datetime

from django.db import IntegrityError, transaction

from revenue import services as core

from ..models import AccountService, BillingCycle, Premise, RateClass, Service, ServiceAccount

PREMISE_FIELDS = (
    "address_line1", "address_line2", "city", "state", "postal_code", "parcel_number", "route",
    "route_sequence", "cycle", "rate_class", "dwelling_units", "notes",
)  # fmt: skip
MAIL_FIELDS = ("mail_name", "mail_line1", "mail_line2", "mail_city", "mail_state", "mail_postal_code")
BILLING_FIELDS = (*MAIL_FIELDS, "bill_by_email")


class AccountRefused(core.RevenueError):
    pass


def _free_number(model, kind: str) -> str:
    """The next number of the kind not already taken (the demo loads premises and accounts in bulk)."""
    while True:
        number = core.number_next(kind=kind, per_year=False)
        if not model.objects.filter(number=number).exists():
            return number


def _premise_check(data: dict) -> None:
    if not str(data.get("address_line1", "")).strip():
        raise AccountRefused("A premise needs its service address.")
    if not str(data.get("route", "")).strip():
        raise AccountRefused("A premise needs its meter-reading route.")
    units = data.get("dwelling_units", 1)
    if not isinstance(units, int) or units < 1:
        raise AccountRefused("A premise has at least one dwelling unit.")


@transaction.atomic
def premise_create(*, acting_user, **data) -> Premise:
    data = {k: v for k, v in data.items() if k in PREMISE_FIELDS}
    _premise_check({"dwelling_units": 1, **data})
    premise = Premise.objects.create(number=_free_number(Premise, "P"), created_by=acting_user, **data)
    core.audit(
        actor=acting_user,
        action="utility.premise_create",
        obj=premise,
        after=core.snapshot(premise, PREMISE_FIELDS),
    )
    return premise


@transaction.atomic
def premise_update(*, premise: Premise, acting_user, **data) -> Premise:
    premise = Premise.objects.select_for_update().get(pk=premise.pk)
    before = core.snapshot(premise, PREMISE_FIELDS)
    for key, value in data.items():
        if key in PREMISE_FIELDS:
            setattr(premise, key, value)
    _premise_check(
        {
            "address_line1": premise.address_line1,
            "route": premise.route,
            "dwelling_units": premise.dwelling_units,
        }
    )
    after = core.snapshot(premise, PREMISE_FIELDS)
    if before != after:
        premise.save()
        core.audit(
            actor=acting_user, action="utility.premise_update", obj=premise, before=before, after=after
        )
    return premise


def open_account_at(premise: Premise) -> ServiceAccount | None:
    """The premise's account not yet moved out (one at most: a constraint)."""
    return premise.accounts.filter(move_out__isnull=True).exclude(status=ServiceAccount.Status.CLOSED).first()


@transaction.atomic
def account_open(
    *, premise: Premise, party, move_in: datetime.date, acting_user, services=(), is_owner: bool = False,
    transferred_from: ServiceAccount | None = None, **billing,
) -> ServiceAccount:  # fmt: skip
    """A customer's account at a premise, pending until the move-in read. Refused while another
    customer's account there has no move-out date, or moves out after this move-in."""
    Premise.objects.select_for_update().get(pk=premise.pk)
    current = open_account_at(premise)
    if current is not None:
        raise AccountRefused(
            f"{premise} already has account {current.number} ({current.party.name}) with no move-out; "
            "stop that service first, or transfer it."
        )
    later = premise.accounts.filter(move_out__gt=move_in).exclude(status=ServiceAccount.Status.CLOSED).first()
    if later is not None:
        raise AccountRefused(
            f"Account {later.number} at {premise} moves out on {later.move_out:%m/%d/%Y}; "
            f"a move-in on {move_in:%m/%d/%Y} would overlap it."
        )
    try:
        with transaction.atomic():
            account = ServiceAccount.objects.create(
                number=_free_number(ServiceAccount, "U"), party=party, premise=premise, move_in=move_in,
                is_owner=is_owner, transferred_from=transferred_from, created_by=acting_user,
                **{k: v for k, v in billing.items() if k in BILLING_FIELDS},
            )  # fmt: skip
    except IntegrityError as exc:
        raise AccountRefused(f"{premise} was given another account at the same moment; look again.") from exc
    for service in services or Service.objects.filter(active=True).exclude(kind=Service.Kind.OTHER):
        AccountService.objects.create(account=account, service=service, starts_on=move_in)
    core.audit(
        actor=acting_user, action="utility.account_open", obj=account,
        after={"premise": premise.number, "party": party.number, "move_in": move_in.isoformat()},
    )  # fmt: skip
    return account


def account_charges(account: ServiceAccount):
    """The account's charges, oldest due first (`collect_selectors.account_charges` says which)."""
    from ..collect_selectors import account_charges as charges

    return charges(account).order_by("due_on", "pk")


def account_balance(account: ServiceAccount):
    """What the account owes, from one aggregate."""
    return account_charges(account).balance_total()


@transaction.atomic
def account_billing_change(
    *, account: ServiceAccount, acting_user, effective_on: datetime.date, name: str = "",
    rate_class: RateClass | None = None, cycle: BillingCycle | None = None, order=None, **mail,
) -> ServiceAccount:  # fmt: skip
    """A change in billing: the name on the bill and the mailing address (the account's), the rate
    class and the cycle (the premise's); audited with the date it takes effect."""
    account = ServiceAccount.objects.select_for_update().get(pk=account.pk)
    premise = Premise.objects.select_for_update().get(pk=account.premise_id)
    if effective_on < account.move_in:
        raise AccountRefused(
            f"The change cannot take effect before the move-in on {account.move_in:%m/%d/%Y}."
        )
    before = core.snapshot(account, BILLING_FIELDS) | core.snapshot(premise, ["rate_class", "cycle"])
    if name:
        account.mail_name = name[:200]
    for key, value in mail.items():
        if key in BILLING_FIELDS and value is not None:
            setattr(account, key, value)
    account.save()
    if rate_class is not None:
        premise.rate_class = rate_class
    if cycle is not None:
        premise.cycle = cycle
    premise.save(update_fields=["rate_class", "cycle"])
    after = core.snapshot(account, BILLING_FIELDS) | core.snapshot(premise, ["rate_class", "cycle"])
    core.audit(
        actor=acting_user, action="utility.billing_change", obj=account, before=before,
        after=after | {"effective_on": effective_on.isoformat(), "order": order.number if order else ""},
    )  # fmt: skip
    return account
