"""Receivables' permissions for each role (current table; migrations grant them, a test checks)."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_MODELS = (
    "receivablespolicy", "dunninglevel", "invoice", "invoiceline", "creditmemo", "dunningrun",
    "dunningnotice", "followup",
)  # fmt: skip
_READ_ALL = [f"receivables.view_{m}" for m in _MODELS]
_COUNTER = [
    "receivables.view_invoice", "receivables.view_invoiceline", "receivables.view_creditmemo",
    "receivables.view_followup", "receivables.view_dunningnotice",
    "receivables.issue_invoice", "receivables.add_creditmemo", "receivables.log_followup",
]  # fmt: skip

PERMISSIONS = {
    ASR_I: sorted(_COUNTER),
    ASR_II: sorted([*_COUNTER, "receivables.run_dunning", "receivables.view_receivables_reports"]),
    SUPERVISOR: sorted(
        set(
            _COUNTER
            + _READ_ALL
            + [
                "receivables.run_dunning",
                "receivables.view_receivables_reports",
                "receivables.add_receivablespolicy",
                "receivables.add_dunninglevel",
            ]
        )
    ),
    AUDITOR: sorted([*_READ_ALL, "receivables.view_receivables_reports"]),
    FIELD_CREW: [],
}
