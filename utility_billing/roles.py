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

# collection (ub-collect): late fees, notices, shut-off, plans
_COLLECT_VIEW = [
    "utility_billing.view_collection", "utility_billing.view_latefee", "utility_billing.view_delinquencynotice",
    "utility_billing.view_paymentplan", "utility_billing.view_planinstallment",
]  # fmt: skip
_COLLECT = {
    ASR_I: _COLLECT_VIEW,
    ASR_II: _COLLECT_VIEW + ["utility_billing.send_notices", "utility_billing.manage_plans"],
    SUPERVISOR: _COLLECT_VIEW
    + [
        "utility_billing.view_delinquencypolicy",
        "utility_billing.run_late_fees",
        "utility_billing.send_notices",
        "utility_billing.order_disconnects",
        "utility_billing.manage_plans",
    ],  # fmt: skip
    AUDITOR: _COLLECT_VIEW + ["utility_billing.view_delinquencypolicy"],
}
for _role, _perms in _COLLECT.items():
    PERMISSIONS[_role] = sorted(set(PERMISSIONS[_role]) | set(_perms))
