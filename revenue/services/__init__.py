"""Core operations. Every change of money or status happens here, in one transaction, with an
audit row. Functions are keyword-only and named <entity>_<action>; they raise a RevenueError
(with a sentence for the clerk) and change nothing when they refuse.

Duty apps import this package as `core` (`from revenue import services as core`) and use only
the names below; the modules behind them are the core's own business."""

from ..dates import city_today, fiscal_year_bounds, fiscal_year_of
from ..exceptions import (
    AccountNotConfigured,
    AlreadyDecided,
    AlreadyReversed,
    DuplicateSubmission,
    InsufficientCredit,
    InvalidAmount,
    NoPolicyInForce,
    NoRateInForce,
    NotAllowed,
    OverApplied,
    OverpaymentRefused,
    RevenueError,
    Unbalanced,
)
from ..models import ZERO
from ..money import CENT, MAX_AMOUNT, money, round_money
from .approvals import (
    approval_decide,
    approval_handler,
    approval_request,
    exception_limit,
    exception_limit_row,
    involvement,
    role_change_request,
)
from .audit import audit, audit_trail, jsonable, snapshot
from .charges import (
    NewCharge,
    charge_adjust,
    charge_assess,
    charge_assess_fee,
    charge_details,
    charges_assess_set,
    charges_transfer,
    fee_compute,
    lock_charges,
    lock_party,
)
from .fees import fee_rate_on, fee_rate_set, in_force, policy_on
from .jobs import (
    STALLED_AFTER_SECONDS,
    Progress,
    job_handler,
    job_retry,
    job_stalled,
    job_start,
    job_start_nightly,
    upload_discard,
    upload_keep,
)
from .ledger import Line, account_for_role, journal_post, journal_reverse
from .numbers import (
    NumberBlock,
    number_format,
    number_next,
    numbers_reserve,
    submission_claim,
    submission_release,
    submission_result,
)
from .office import document_context, office_on
from .parties import PARTY_FIELDS, party_create, party_update
from .payments import credit_apply, payment_post, payment_reverse

__all__ = [
    "InvalidAmount",
    "Unbalanced",
    "AlreadyReversed",
    "OverApplied",
    "OverpaymentRefused",
    "InsufficientCredit",
    "NoRateInForce",
    "NoPolicyInForce",
    "AccountNotConfigured",
    "NotAllowed",
    "AlreadyDecided",
    "DuplicateSubmission",
    "CENT",
    "MAX_AMOUNT",
    "PARTY_FIELDS",
    "ZERO",
    "Line",
    "Progress",
    "STALLED_AFTER_SECONDS",
    "NewCharge",
    "NumberBlock",
    "RevenueError",
    "account_for_role",
    "approval_decide",
    "approval_handler",
    "approval_request",
    "audit",
    "audit_trail",
    "charge_adjust",
    "charge_assess",
    "charge_assess_fee",
    "charge_details",
    "charges_assess_set",
    "charges_transfer",
    "city_today",
    "credit_apply",
    "document_context",
    "exception_limit",
    "exception_limit_row",
    "involvement",
    "fee_compute",
    "fee_rate_on",
    "fee_rate_set",
    "fiscal_year_bounds",
    "fiscal_year_of",
    "in_force",
    "job_handler",
    "job_retry",
    "job_stalled",
    "job_start",
    "job_start_nightly",
    "jsonable",
    "journal_post",
    "journal_reverse",
    "lock_charges",
    "lock_party",
    "money",
    "number_format",
    "office_on",
    "number_next",
    "numbers_reserve",
    "party_create",
    "party_update",
    "payment_post",
    "payment_reverse",
    "policy_on",
    "role_change_request",
    "round_money",
    "snapshot",
    "submission_claim",
    "submission_release",
    "submission_result",
    "upload_discard",
    "upload_keep",
]
