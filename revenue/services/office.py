"""The office's contact details in force, as letters, notices and receipts print them."""

from __future__ import annotations

import datetime

from django.conf import settings

from ..dates import city_today
from ..models import OfficeConfig
from .fees import in_force


def office_on(on: datetime.date | None = None) -> OfficeConfig:
    """The office's contact details in force on a date (default today). Before a supervisor has
    added any, the installation's settings (department and address) stand in, unsaved, with no
    phone: a letter still prints, and the Configuration page shows what is missing."""
    row = in_force(OfficeConfig.objects.all(), on or city_today())
    if row is not None:
        return row
    return OfficeConfig(
        effective_from=datetime.date.min,
        office_name=settings.CITY_DEPARTMENT,
        address=settings.CITY_ADDRESS.replace(", ", "\n", 1),
        phone="",
        hours="",
        web="",
    )


def document_context(on: datetime.date | None = None) -> dict:
    """What every printed document knows about the city and the office, request or not (a job
    renders letters with no request, so Django's context processors do not run)."""
    return {
        "CITY_NAME": settings.CITY_NAME,
        "CITY_DEPARTMENT": settings.CITY_DEPARTMENT,
        "CITY_ADDRESS": settings.CITY_ADDRESS,
        "office": office_on(on),
    }
