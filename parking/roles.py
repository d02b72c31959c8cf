"""Parking's permissions for each role (current table; migrations grant them, a test checks)."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_MODELS = (
    "parkingpolicy", "permitzone", "zonestreet", "permittype", "permitterms", "stockreceipt",
    "permitserial", "permit", "violation", "violationfine", "penaltytier", "importbatch", "importreject",
    "citation", "contest", "noticerun", "holdexport", "paymentplan",
)  # fmt: skip
_READ_ALL = [f"parking.view_{m}" for m in _MODELS]
_COUNTER = [
    "parking.view_citation", "parking.view_permit", "parking.view_permittype", "parking.view_permitserial",
    "parking.view_violation", "parking.view_paymentplan", "parking.view_importbatch", "parking.view_contest",
    "parking.enter_citation", "parking.request_contest", "parking.issue_permit",
]  # fmt: skip

PERMISSIONS = {
    ASR_I: sorted(_COUNTER),
    ASR_II: sorted([*_COUNTER, "parking.import_citations", "parking.arrange_plan"]),
    SUPERVISOR: sorted(
        set(
            _COUNTER
            + _READ_ALL
            + [
                "parking.import_citations",
                "parking.arrange_plan",
                "parking.decide_contest",
                "parking.run_parking_notices",
                "parking.view_parking_reports",
                "parking.manage_stock",
                "parking.add_parkingpolicy",
                "parking.add_permitterms",
                "parking.add_violationfine",
                "parking.add_penaltytier",
                "parking.add_violation",
                "parking.change_violation",
                "parking.add_permittype",
                "parking.change_permittype",
                "parking.add_permitzone",
                "parking.change_permitzone",
                "parking.add_zonestreet",
                "parking.change_zonestreet",
                "parking.delete_zonestreet",
            ]
        )
    ),
    AUDITOR: sorted([*_READ_ALL, "parking.view_parking_reports"]),
    FIELD_CREW: [],
}
