"""Vendors: created on a core party (a new one or one the city already knows), changed, put on
hold and taken off, made inactive; the contact log. The bank account never leaves this module
whole except for the ACH file: audit rows and screens carry its last four digits."""

from __future__ import annotations

from django.db import transaction

from revenue import services as core
from revenue.models import Party

from .. import rules
from ..errors import BankDetailsInvalid, PayablesError, VendorNotUsable
from ..models import PaymentTerms, Vendor, VendorContact

VENDOR_FIELDS = [
    "remit_name", "remit_line1", "remit_line2", "remit_city", "remit_state", "remit_postal_code",
    "contact_name", "contact_email", "contact_phone", "terms", "payment_method", "bank_routing",
    "bank_account", "bank_account_kind", "w9_on_file", "tin_last4", "is_1099", "box_1099",
]  # fmt: skip


def _snapshot(vendor: Vendor) -> dict:
    """The vendor as an audit row records it: the bank account by its last four digits."""
    values = core.snapshot(vendor, [*VENDOR_FIELDS, "status", "hold_reason"])
    values["bank_account"] = rules.last_four(vendor.bank_account)
    values["terms"] = str(vendor.terms) if vendor.terms_id else ""
    return values


def _check(vendor: Vendor) -> None:
    """The rules a vendor's details keep, as sentences (the database keeps them too)."""
    vendor.bank_routing = (vendor.bank_routing or "").strip()
    vendor.bank_account = (vendor.bank_account or "").replace(" ", "").replace("-", "")
    if vendor.bank_routing:
        problem = rules.routing_number_problem(vendor.bank_routing)
        if problem:
            raise BankDetailsInvalid(problem)
    if vendor.bank_account and not (vendor.bank_account.isdigit() and 4 <= len(vendor.bank_account) <= 17):
        raise BankDetailsInvalid("A bank account number is 4 to 17 digits.")
    if vendor.payment_method == Vendor.Method.ACH and not (vendor.bank_routing and vendor.bank_account):
        raise BankDetailsInvalid("An ACH vendor needs a routing number and an account number.")
    if vendor.is_1099 and not vendor.box_1099:
        raise PayablesError("Choose the 1099 box the payments are reported in.")
    if not vendor.is_1099:
        vendor.box_1099 = ""
    if vendor.tin_last4 and not (vendor.tin_last4.isdigit() and len(vendor.tin_last4) == 4):
        raise PayablesError("The TIN is kept by its last four digits only.")
    if vendor.w9_on_file and vendor.w9_on_file > core.city_today():
        raise PayablesError("The W-9 cannot be on file from a future date.")


@transaction.atomic
def vendor_create(
    *, acting_user, party: Party | None = None, party_data: dict | None = None, **data
) -> Vendor:
    """A vendor on an existing party, or on a new business party made from `party_data`."""
    if party is None:
        if not (party_data or {}).get("name"):
            raise PayablesError("A vendor needs a name.")
        party = core.party_create(acting_user=acting_user, **{"kind": Party.Kind.BUSINESS, **party_data})
    elif Vendor.objects.filter(party=party).exists():
        raise PayablesError(f"{party.name} is already a vendor.")
    if not data.get("terms"):
        raise PayablesError("Choose the vendor's payment terms.")
    vendor = Vendor(
        party=party, created_by=acting_user, **{k: v for k, v in data.items() if k in VENDOR_FIELDS}
    )
    _check(vendor)
    vendor.save()
    core.audit(actor=acting_user, action="payables.vendor_created", obj=vendor, after=_snapshot(vendor))
    return vendor


@transaction.atomic
def vendor_update(*, vendor: Vendor, acting_user, party_data: dict | None = None, **data) -> Vendor:
    vendor = Vendor.objects.select_for_update().select_related("party", "terms").get(pk=vendor.pk)
    if party_data:
        core.party_update(party=vendor.party, acting_user=acting_user, **party_data)
    before = _snapshot(vendor)
    for key, value in data.items():
        if key in VENDOR_FIELDS:
            if key == "bank_account" and not value:
                continue  # the form shows the last four only: blank keeps the account on file
            setattr(vendor, key, value)
    _check(vendor)
    after = _snapshot(vendor)
    if before != after:
        vendor.save()
        core.audit(
            actor=acting_user, action="payables.vendor_changed", obj=vendor, before=before, after=after
        )
    return vendor


@transaction.atomic
def vendor_status_set(*, vendor: Vendor, status: str, acting_user, reason: str = "") -> Vendor:
    """Active, on hold (with a reason), or inactive (nothing new may be ordered or entered)."""
    vendor = Vendor.objects.select_for_update().get(pk=vendor.pk)
    if status not in Vendor.Status.values:
        raise PayablesError(f"There is no vendor status called {status!r}.")
    reason = (reason or "").strip()
    if status == Vendor.Status.HOLD and not reason:
        raise PayablesError("Say why the vendor is on hold.")
    before = {"status": vendor.status, "hold_reason": vendor.hold_reason}
    vendor.status = status
    vendor.hold_reason = reason[:250] if status == Vendor.Status.HOLD else ""
    vendor.save(update_fields=["status", "hold_reason", "changed_at"])
    core.audit(
        actor=acting_user,
        action="payables.vendor_status",
        obj=vendor,
        before=before,
        after={"status": vendor.status, "hold_reason": vendor.hold_reason},
        reason=reason,
    )
    return vendor


def vendor_usable(vendor: Vendor, *, doing: str) -> Vendor:
    """Refuse to order from, receive for or enter an invoice of an inactive vendor (its status
    read again, under a share lock, inside the caller's transaction). Returns the vendor as stored."""
    vendor = Vendor.objects.select_for_update(no_key=True).select_related("party").get(pk=vendor.pk)
    if vendor.status == Vendor.Status.INACTIVE:
        raise VendorNotUsable(f"{vendor.name} is an inactive vendor: reactivate it before {doing}.")
    return vendor


def default_terms() -> PaymentTerms | None:
    return PaymentTerms.objects.filter(active=True).order_by("net_days", "discount_percent").first()


@transaction.atomic
def vendor_contact_log(*, vendor: Vendor, acting_user, contacted_on=None, **data) -> VendorContact:
    """Record a contact with the vendor (a call, an e-mail, a letter) and its follow-up date."""
    if not (data.get("subject") or "").strip():
        raise PayablesError("Say what the contact was about.")
    contacted_on = contacted_on or core.city_today()
    if contacted_on > core.city_today():
        raise PayablesError("A contact is recorded on the day it happened, not a future day.")
    contact = VendorContact.objects.create(
        vendor=vendor, contacted_on=contacted_on, created_by=acting_user,
        **{k: v for k, v in data.items() if k in ("method", "person", "subject", "note", "follow_up_on", "invoice", "statement")},
    )  # fmt: skip
    core.audit(
        actor=acting_user, action="payables.vendor_contact", obj=vendor, after={"subject": contact.subject}
    )
    return contact
