"""Licensing's permissions for each role (current table; migrations grant them, a test checks)."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_COUNTER = [
    "licensing.view_business", "licensing.add_business", "licensing.change_business",
    "licensing.view_license", "licensing.add_license", "licensing.view_classification",
    "licensing.print_certificate",
]  # fmt: skip
_READ_ALL = [
    f"licensing.view_{m}"
    for m in (
        "business",
        "license",
        "classification",
        "taxrule",
        "bracket",
        "addon",
        "licensingpolicy",
        "signoff",
    )
]

PERMISSIONS = {
    ASR_I: _COUNTER,
    ASR_II: [*_COUNTER, "licensing.review_license"],
    SUPERVISOR: sorted(
        set(
            _COUNTER
            + _READ_ALL
            + [
                "licensing.review_license",
                "licensing.decide_license",
                "licensing.set_license_tax",
                "licensing.add_classification",
                "licensing.change_classification",
                "licensing.add_taxrule",
                "licensing.change_taxrule",
                "licensing.add_bracket",
                "licensing.change_bracket",
                "licensing.delete_bracket",
                "licensing.add_addon",
                "licensing.add_licensingpolicy",
            ]
        )
    ),
    AUDITOR: _READ_ALL,
    FIELD_CREW: [],
}
