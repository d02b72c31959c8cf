"""TOT operations by subject: operators, filing returns, late charges (penalties and interest
brought up to the day of payment at the counter), amendments and audit adjustments, and
non-filer notices. Reads are in tot/selectors.py, reports in tot/reports.py.

Importing the package registers the signal receivers and the approval handler (tot/apps.py)."""

from .amendments import audit_adjustment_request, return_amend
from .late import late_view, penalties_to_date
from .nonfilers import nonfiler_notices_send
from .operators import operator_create, operator_update
from .periods import filing_window, period_terms, policy_on
from .returns import figures_check, return_file, return_preview

__all__ = [
    "audit_adjustment_request",
    "figures_check",
    "filing_window",
    "late_view",
    "nonfiler_notices_send",
    "operator_create",
    "operator_update",
    "penalties_to_date",
    "period_terms",
    "policy_on",
    "return_amend",
    "return_file",
    "return_preview",
]
