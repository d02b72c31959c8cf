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

# Bill runs (ub-bills): a Representative II starts a run (calculation and proof register); a
# supervisor approves, posts, releases or takes it back, never a run they started themselves.
_BILL_RUNS = {
    ASR_I: ["utility_billing.view_billrun"],
    ASR_II: ["utility_billing.view_billrun", "utility_billing.add_billrun"],
    SUPERVISOR: ["utility_billing.add_billrun", "utility_billing.approve_billrun"],
}
for _role, _perms in _BILL_RUNS.items():
    PERMISSIONS[_role] = sorted(set(PERMISSIONS[_role]) | set(_perms))
