"""Parking's operations, by subject. Every change of money or status is here, in a transaction
with its audit row; reads are in parking.selectors, the rules themselves in parking.rules."""

from ..rules import PermitError
from ..selectors import fine_on  # the effective-dated fine, read by the core's admin tests
from .citations import citation_enter, citation_owner_set, penalty_assess
from .contests import contest_decide, contest_request
from .fines import fine_add, violation_add
from .imports import ImportFailed, ImportRefused, citations_import
from .permits import eligibility, permit_apply, permit_assign_tag, permit_renew, permit_replace, terms_on
from .plans import plan_create
from .runs import hold_export, notice_run, penalty_run, plans_default
from .schedule_import import ScheduleRefused, fine_schedule_import
from .stock import serial_mark, stock_receive

__all__ = [
    "citation_enter",
    "citation_owner_set",
    "citations_import",
    "contest_decide",
    "contest_request",
    "eligibility",
    "fine_schedule_import",
    "ScheduleRefused",
    "fine_add",
    "fine_on",
    "hold_export",
    "ImportFailed",
    "ImportRefused",
    "notice_run",
    "penalty_assess",
    "PermitError",
    "penalty_run",
    "permit_apply",
    "permit_assign_tag",
    "permit_renew",
    "permit_replace",
    "plan_create",
    "plans_default",
    "serial_mark",
    "stock_receive",
    "terms_on",
    "violation_add",
]
