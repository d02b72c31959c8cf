"""Utility billing's tables, by subject: set-up, premises and accounts, meters and reads, rates,
service orders, bills."""

from .bills import Bill, BillLine, BillRun
from .meters import Meter, MeterInstallation, ReadBatch, Reading
from .orders import ServiceOrder
from .premises import AccountService, Premise, ServiceAccount
from .rates import FixedCharge, RateBlock, RateSchedule, RefuseRate, Surcharge
from .reads import ReadPolicy, ReadReject
from .setup import BillingCycle, MeterSize, RateClass, Service, UtilityPolicy

__all__ = [
    "AccountService",
    "Bill",
    "BillLine",
    "BillRun",
    "BillingCycle",
    "FixedCharge",
    "Meter",
    "MeterInstallation",
    "MeterSize",
    "Premise",
    "RateBlock",
    "RateClass",
    "RateSchedule",
    "ReadBatch",
    "ReadPolicy",
    "ReadReject",
    "Reading",
    "RefuseRate",
    "Service",
    "ServiceAccount",
    "ServiceOrder",
    "Surcharge",
    "UtilityPolicy",
]
