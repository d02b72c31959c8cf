"""Returned checks: the bank sent a deposited check back.

Lock order, as every posting in the project: the party, then the payment, then its charges by
primary key, and only then any number (the journal's, the returned check's, a charge's)."""

from __future__ import annotations

import datetime

from django.db import transaction

from revenue import services as core
from revenue.exceptions import NotAllowed, RevenueError
from revenue.extensions import party_alerts
from revenue.models import ZERO, Account, Charge, Party, Payment

from ..models import CashieringPolicy, CheckRestriction, Deposit, Receipt, ReturnedCheck, Tender
from .sessions import policy_on


def check_ban(party: Party, on: datetime.date | None = None) -> CheckRestriction | None:
    """The ban on checks from a party whose check was returned, if one runs on `on` (the longest)."""
    on = on or core.city_today()
    return party.check_restrictions.filter(until__gte=on).order_by("-until", "-pk").first()


@party_alerts
def _no_checks_alert(party: Party) -> list[str]:
    ban = check_ban(party)
    return [f"No checks accepted until {ban.until:%m/%d/%Y} ({ban.reason})."] if ban else []


@transaction.atomic
def check_return(*, tender: Tender, reason: str, acting_user, returned_on: datetime.date | None = None):
    """The bank returned a deposited check. The receipt's whole payment is reversed out of the
    bank (it was deposited), its other tenders are applied again to the same charges in order, so
    only what the check paid opens again; the returned-check fee is assessed; the payer may not
    pay by check for the policy's number of days; the charges' source objects are told."""
    if not acting_user.has_perm("cashiering.return_check"):
        raise NotAllowed("Your role cannot record returned checks.")
    reason = (reason or "").strip()
    if not reason:
        raise RevenueError("Enter the bank's reason for returning the check.")
    tender = Tender.objects.select_related(
        "receipt__session__deposit", "receipt__payment", "receipt__party"
    ).get(pk=tender.pk)
    returned_on = returned_on or core.city_today()
    _check_returnable(tender, returned_on)
    policy = policy_on(returned_on)
    receipt = tender.receipt
    payment = _lock_payment(receipt.payment)
    if ReturnedCheck.objects.filter(tender=tender).exists():  # asked again now that the payment is ours
        raise RevenueError(f"Check {tender.reference} is already recorded as returned.")
    applications = list(payment.applications.select_related("charge").order_by("pk"))
    owed_back = _credit_owed_back(payment, tender, returned_on, acting_user)
    bank = core.account_for_role(Account.Role.CASH_IN_BANK)
    core.payment_reverse(
        payment=payment,
        acting_user=acting_user,
        on=returned_on,
        reason=f"Check {tender.reference} returned: {reason}",
        account_map={
            core.account_for_role(Account.Role.UNDEPOSITED).pk: bank,
            core.account_for_role(Account.Role.UNDEPOSITED_CHECKS).pk: bank,
        },
    )
    returned = ReturnedCheck(
        tender=tender,
        receipt=receipt,
        deposit=receipt.session.deposit,
        reason=reason[:120],
        returned_on=returned_on,
        reposted_payment=_other_tenders_repost(tender, applications, returned_on, acting_user),
        credit_charge=owed_back,
        created_by=acting_user,
    )
    _returned_record(returned, policy, acting_user)
    core.audit(
        actor=acting_user,
        action="check.returned",
        obj=returned,
        reason=reason,
        after={
            "receipt": receipt.number,
            "check": tender.reference,
            "amount": str(tender.amount),
            "deposit": returned.deposit.number,
        },
    )
    return returned


def _check_returnable(tender: Tender, returned_on: datetime.date) -> None:
    """Only a confirmed, deposited check of a posted receipt, once, between its deposit and today."""
    receipt = tender.receipt
    if tender.kind != Tender.Kind.CHECK:
        raise RevenueError("Only a check can be returned by the bank.")
    if receipt.status != Receipt.Status.POSTED:
        raise RevenueError(f"Receipt {receipt.number} is void; its check was never deposited.")
    deposit = receipt.session.deposit
    if deposit is None or deposit.status != Deposit.Status.DEPOSITED:
        raise RevenueError("This check has not been deposited yet: it cannot have come back from the bank.")
    if not tender.confirmed:
        raise RevenueError(
            f"Check {tender.reference} was not in the drawer at close-out and never went to the "
            "bank (it was booked short at sign-off)."
        )
    if ReturnedCheck.objects.filter(tender=tender).exists():
        raise RevenueError(f"Check {tender.reference} is already recorded as returned.")
    if returned_on > core.city_today() or (deposit.deposited_on and returned_on < deposit.deposited_on):
        raise RevenueError(
            f"The return date must be between the deposit ({deposit.deposited_on:%m/%d/%Y}) and today."
        )


def _lock_payment(payment: Payment) -> Payment:
    """Take every row lock the return needs, in the project's order, before any number: the
    party (its credit), the payment, its charges by primary key."""
    core.lock_party(payment.party)
    payment = Payment.objects.select_for_update(no_key=True).select_related("party").get(pk=payment.pk)
    core.lock_charges(payment.applications.values_list("charge_id", flat=True))
    return payment


def _credit_owed_back(
    payment: Payment, tender: Tender, returned_on: datetime.date, acting_user
) -> Charge | None:
    """Credit this check left on account may since have been refunded or spent: what is gone is
    owed back, as a charge on the payer's account, so the payment can be reversed whole."""
    spent = payment.credit_amount - min(payment.credit_amount, payment.party.credit_balance())
    if spent <= 0:
        return None
    return core.charge_assess(
        party=payment.party,
        amount=spent,
        acting_user=acting_user,
        assessed_on=returned_on,
        description=f"Credit from check {tender.reference} (returned) already refunded or used",
        receivable_account=core.account_for_role(Account.Role.RECEIVABLE),
        revenue_account=core.account_for_role(Account.Role.CUSTOMER_CREDIT),
    )


def _other_tenders_repost(
    tender: Tender, applications, returned_on: datetime.date, acting_user
) -> Payment | None:
    """The receipt's other tenders stand: cash and other checks are in the bank, cards still due
    from the card processor. They pay the same charges again, in order."""
    receipt = tender.receipt
    others = [t for t in receipt.tenders.all() if t.pk != tender.pk]
    in_bank = sum((t.amount for t in others if t.kind != Tender.Kind.CARD), ZERO)
    by_card = sum((t.amount for t in others if t.kind == Tender.Kind.CARD), ZERO)
    kept = in_bank + by_card
    if kept <= 0:
        return None
    left, again = kept, []
    for app in applications:
        part = min(app.amount, left)
        if part > 0:
            again.append((app.charge, part))
            left -= part
    bank = core.account_for_role(Account.Role.CASH_IN_BANK)
    cards = core.account_for_role(Account.Role.CARD_CLEARING)
    return core.payment_post(
        party=receipt.payment.party,
        amount=kept,
        applications=again,
        debits=[(account, part) for account, part in ((bank, in_bank), (cards, by_card)) if part],
        acting_user=acting_user,
        received_on=returned_on,
        reference=f"{receipt.number} less returned check",
        source=receipt,
    )


def _returned_record(returned: ReturnedCheck, policy: CashieringPolicy, acting_user) -> None:
    """Number and save the returned check, bar the payer's checks for the policy's days, and
    assess the returned-check fee (numbered as the returned check)."""
    tender, receipt, returned_on = returned.tender, returned.receipt, returned.returned_on
    returned.number = core.number_next(kind="RC", on=returned_on)
    returned.restriction = CheckRestriction.objects.create(
        party=receipt.party,
        until=returned_on + datetime.timedelta(days=policy.no_checks_days),
        reason=f"check {tender.reference} returned {returned_on:%m/%d/%Y}",
        created_by=acting_user,
    )
    returned.save()
    fee = policy.returned_check_fee
    if (
        fee is not None and core.fee_compute(fee_type=fee, on=returned_on, allow_zero=True)[0]
    ):  # 0.00: not charged
        returned.fee_charge = core.charge_assess_fee(
            party=receipt.party,
            fee_type=policy.returned_check_fee,
            acting_user=acting_user,
            on=returned_on,
            source=returned,
            source_number=returned.number,
        )
        returned.save(update_fields=["fee_charge"])
