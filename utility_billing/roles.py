"""Utility billing's permissions for each role (current table; migrations grant them, a test checks)."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_MODELS = (
    "service", "rateclass", "billingcycle", "metersize", "utilitypolicy", "premise", "serviceaccount",
    "accountservice", "meter", "meterinstallation", "readbatch", "reading", "rateschedule", "serviceorder",
    "billrun", "bill",
)  # fmt: skip
_READ_ALL = [f"utility_billing.view_{m}" for m in _MODELS]
_COUNTER = [
    "utility_billing.view_premise", "utility_billing.view_serviceaccount", "utility_billing.view_meter",
    "utility_billing.view_serviceorder", "utility_billing.view_bill", "utility_billing.view_reading",
    "utility_billing.view_rateschedule",
]  # fmt: skip

PERMISSIONS = {
    ASR_I: sorted(_COUNTER),
    ASR_II: sorted(_COUNTER),
    SUPERVISOR: sorted(set(_COUNTER + _READ_ALL)),
    AUDITOR: sorted(_READ_ALL),
    FIELD_CREW: sorted(["utility_billing.view_serviceorder", "utility_billing.view_premise"]),
}

# deposits and the six reports (ub-deposits): the reports for a senior clerk, the supervisor and
# the auditor (as receivables' aging is); deposits seen at the counter, the policy by supervisors
_DEPOSITS = ["utility_billing.view_deposit"]
_DEPOSIT_CONFIG = ["utility_billing.view_depositpolicy", "utility_billing.view_depositamount"]
_REPORTS = ["utility_billing.view_utility_reports"]
PERMISSIONS[ASR_I] = sorted(PERMISSIONS[ASR_I] + _DEPOSITS)
PERMISSIONS[ASR_II] = sorted(PERMISSIONS[ASR_II] + _DEPOSITS + _REPORTS)
PERMISSIONS[SUPERVISOR] = sorted(
    PERMISSIONS[SUPERVISOR] + _DEPOSITS + _DEPOSIT_CONFIG + _REPORTS + ["utility_billing.add_depositpolicy"]
)
PERMISSIONS[AUDITOR] = sorted(PERMISSIONS[AUDITOR] + _DEPOSITS + _DEPOSIT_CONFIG + _REPORTS)
