"""Cashiering's permissions for each role (current table; migrations grant them, a test checks)."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_COUNTER = [
    "cashiering.take_payment", "cashiering.view_receipt", "cashiering.view_cashiersession",
    "cashiering.view_drawer", "cashiering.print_receipt", "cashiering.email_receipt",
]  # fmt: skip
_READ_ALL = [
    f"cashiering.view_{m}"
    for m in (
        "drawer",
        "cashiersession",
        "receipt",
        "receiptline",
        "tender",
        "checkrestriction",
        "cashieringpolicy",
        "deposit",
        "returnedcheck",
        "suspenseitem",
    )
]
# money in suspense is resolved by a senior or a supervisor, never by the clerk who keyed it
_SUSPENSE = ["cashiering.resolve_suspense", "cashiering.view_suspenseitem"]

PERMISSIONS = {
    ASR_I: _COUNTER,
    ASR_II: [*_COUNTER, "cashiering.return_check", "cashiering.view_returnedcheck", *_SUSPENSE],
    SUPERVISOR: sorted(
        set(
            _COUNTER
            + _READ_ALL
            + [
                "cashiering.sign_off_session",
                "cashiering.make_deposit",
                "cashiering.return_check",
                "cashiering.add_drawer",
                "cashiering.change_drawer",
                "cashiering.add_cashieringpolicy",
                *_SUSPENSE,
            ]
        )
    ),
    AUDITOR: _READ_ALL,
    FIELD_CREW: [],
}
