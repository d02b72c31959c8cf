"""TOT's permissions for each role (current table; migrations grant them, a test checks)."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_MODELS = ("totpolicy", "totrate", "operator", "totreturn", "nonfilernotice")
_READ_ALL = [f"tot.view_{m}" for m in _MODELS]
_COUNTER = [
    "tot.view_operator", "tot.view_totreturn", "tot.view_totrate", "tot.file_return",
    "tot.add_operator", "tot.change_operator",
]  # fmt: skip

PERMISSIONS = {
    ASR_I: sorted(_COUNTER),
    ASR_II: sorted([*_COUNTER, "tot.view_tot_reports", "tot.view_nonfilernotice"]),
    SUPERVISOR: sorted(
        set(
            _COUNTER
            + _READ_ALL
            + ["tot.adjust_return", "tot.view_tot_reports", "tot.add_totpolicy", "tot.add_totrate"]
        )
    ),
    AUDITOR: sorted([*_READ_ALL, "tot.view_tot_reports"]),
    FIELD_CREW: [],
}
