"""Utility billing's permissions for each role (current table; migrations grant them, a test checks)."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_MODELS = (
    "service", "rateclass", "billingcycle", "metersize", "utilitypolicy", "premise", "serviceaccount",
    "accountservice", "meter", "meterinstallation", "readbatch", "reading", "rateschedule", "serviceorder",
    "billrun", "bill",
    "readpolicy", "readreject",
)  # fmt: skip
_READ_ALL = [f"utility_billing.view_{m}" for m in _MODELS]
_COUNTER = [
    "utility_billing.view_premise", "utility_billing.view_serviceaccount", "utility_billing.view_meter",
    "utility_billing.view_serviceorder", "utility_billing.view_bill", "utility_billing.view_reading",
    "utility_billing.view_rateschedule",
]  # fmt: skip

# reads (ub-reads): Representatives enter, import and review reads; the field crew enters a read
# only by completing its order (the order's permission), never here
_READS = [
    "utility_billing.enter_reading", "utility_billing.import_readings", "utility_billing.review_reading",
    "utility_billing.view_readbatch",
]  # fmt: skip

PERMISSIONS = {
    ASR_I: sorted(_COUNTER + _READS),
    ASR_II: sorted(_COUNTER + _READS),
    SUPERVISOR: sorted(set(_COUNTER + _READ_ALL + _READS + ["utility_billing.add_readpolicy"])),
    AUDITOR: sorted(_READ_ALL),
    FIELD_CREW: sorted(["utility_billing.view_serviceorder", "utility_billing.view_premise"]),
}

# rates (ub-rates): a supervisor sets rate schedules on screens; clerks and the auditor read them
PERMISSIONS[SUPERVISOR] = sorted({*PERMISSIONS[SUPERVISOR], "utility_billing.add_rateschedule"})
# Accounts, meters and service orders (ub-orders): the counter sets up premises and accounts and
# opens, schedules, assigns, cancels and completes orders; a senior and a supervisor keep the
# meter inventory; the field crew sees its orders, the premises and meters, and completes orders
# (never a money permission); the fee table is configuration.
_ORDERS_COUNTER = [
    "utility_billing.add_premise", "utility_billing.change_premise", "utility_billing.add_serviceaccount",
    "utility_billing.change_serviceaccount", "utility_billing.add_serviceorder",
    "utility_billing.change_serviceorder", "utility_billing.complete_serviceorder",
    "utility_billing.view_utilityfee",
]  # fmt: skip
_METERS = ["utility_billing.add_meter", "utility_billing.change_meter"]
_FEES = ["utility_billing.add_utilityfee", "utility_billing.view_utilityfee"]
PERMISSIONS[ASR_I] = sorted(set(PERMISSIONS[ASR_I] + _ORDERS_COUNTER))
PERMISSIONS[ASR_II] = sorted(set(PERMISSIONS[ASR_II] + _ORDERS_COUNTER + _METERS))
PERMISSIONS[SUPERVISOR] = sorted(set(PERMISSIONS[SUPERVISOR] + _ORDERS_COUNTER + _METERS + _FEES))
PERMISSIONS[AUDITOR] = sorted(set(PERMISSIONS[AUDITOR] + ["utility_billing.view_utilityfee"]))
PERMISSIONS[FIELD_CREW] = sorted(
    set(PERMISSIONS[FIELD_CREW] + ["utility_billing.complete_serviceorder", "utility_billing.view_meter"])
)
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

# Bill runs (ub-bills): a Representative II starts a run (calculation and proof register); a
# supervisor approves, posts, releases or takes it back, never a run they started themselves.
_BILL_RUNS = {
    ASR_I: ["utility_billing.view_billrun"],
    ASR_II: ["utility_billing.view_billrun", "utility_billing.add_billrun"],
    SUPERVISOR: ["utility_billing.add_billrun", "utility_billing.approve_billrun"],
}
for _role, _perms in _BILL_RUNS.items():
    PERMISSIONS[_role] = sorted(set(PERMISSIONS[_role]) | set(_perms))
