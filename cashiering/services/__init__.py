"""Counter operations, by subject. Every change of money or status runs in one transaction with
its audit row, and locks in a fixed order: the cashier session first, then the core's party,
payment and charges (by primary key), numbers last. Importing this package registers the void
approval handler (cashiering/apps.py does so at start-up)."""

from ..exceptions import ChecksRefused, NoWalkInParty, SessionClosed, TenderShort
from .closeout import (
    session_checks,
    session_close,
    session_expected,
    session_sign_off,
    session_suspense_checks,
)
from .counter import CounterFind, charges_bring_up_to_date, counter_find, counter_pick, walk_in_party
from .deposits import (
    deposit_checks,
    deposit_confirm,
    deposit_prepare,
    deposit_split,
    deposit_suspense_checks,
)
from .email import receipt_email, receipt_pdf, receipt_print_context
from .mail import (
    batch_create,
    batch_post,
    batch_tally,
    batch_totals,
    remittance_add,
    remittance_remove,
    remittance_resolve,
)
from .receipts import (
    Item,
    TenderIn,
    receipt_issue,
    receipt_printed,
    receipt_void_at_window,
    receipt_void_request,
)
from .returned_checks import check_ban, check_return
from .sessions import (
    clean_counts,
    drawers_in_use,
    expected_hidden_from,
    lock_session,
    policy_on,
    session_for,
    session_open,
)
from .suspense import suspense_apply, suspense_hold, suspense_return

__all__ = [
    "expected_hidden_from",
    "drawers_in_use",
    "suspense_return",
    "suspense_hold",
    "suspense_apply",
    "session_suspense_checks",
    "remittance_resolve",
    "deposit_suspense_checks",
    "batch_tally",
    "ChecksRefused",
    "CounterFind",
    "Item",
    "NoWalkInParty",
    "SessionClosed",
    "TenderIn",
    "TenderShort",
    "batch_create",
    "batch_post",
    "batch_totals",
    "charges_bring_up_to_date",
    "check_ban",
    "check_return",
    "clean_counts",
    "counter_find",
    "counter_pick",
    "deposit_checks",
    "deposit_confirm",
    "deposit_prepare",
    "deposit_split",
    "lock_session",
    "policy_on",
    "receipt_email",
    "receipt_issue",
    "receipt_pdf",
    "receipt_print_context",
    "receipt_printed",
    "receipt_void_at_window",
    "receipt_void_request",
    "remittance_add",
    "remittance_remove",
    "session_checks",
    "session_close",
    "session_expected",
    "session_for",
    "session_open",
    "session_sign_off",
    "walk_in_party",
]
