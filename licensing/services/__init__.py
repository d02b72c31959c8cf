"""License operations by subject: the tax schedule, applications (apply, review, approve, deny,
issue on payment), certificates, renewals (the yearly run, a renewal's figures, the late
penalty at the counter) and later changes (suspend, reinstate, revoke, close, move or sell).

Importing the package registers the signal receivers (licensing/apps.py)."""

from .applications import (
    application_approve,
    application_deny,
    application_submit,
    business_create,
    signoff_add,
)
from .certificates import certificate_printed
from .changes import (
    STATUS_CHANGES,
    license_change,
    license_close,
    license_reinstate,
    license_revoke,
    license_status_change,
    license_suspend,
)
from .renewals import (
    RENEWAL_CHUNK,
    delinquency_date,
    expire_lapsed,
    penalty_to_date,
    renewal_assess,
    renewal_run,
)
from .schedule import addons_on, compute, current_tax_year, policy_on, rule_for, schedule_roll_forward

__all__ = [
    "RENEWAL_CHUNK",
    "STATUS_CHANGES",
    "application_approve",
    "application_deny",
    "application_submit",
    "business_create",
    "certificate_printed",
    "addons_on",
    "compute",
    "current_tax_year",
    "delinquency_date",
    "expire_lapsed",
    "license_change",
    "license_close",
    "license_reinstate",
    "license_revoke",
    "license_status_change",
    "license_suspend",
    "penalty_to_date",
    "policy_on",
    "renewal_assess",
    "renewal_run",
    "rule_for",
    "schedule_roll_forward",
    "signoff_add",
]
