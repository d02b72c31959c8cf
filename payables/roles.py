"""Payables' permissions for each role (current table; migrations grant them, a test checks).

Clerks (ASR I) enter requisitions, receipts, invoices, statements and contacts; senior clerks
(ASR II) also keep vendors, issue and change purchase orders, approve requisitions and invoices
within their limits and select payment runs; supervisors adopt and amend budgets, approve
variances, amendments and payment runs; the field crew records what was received."""

from revenue.roles import ASR_I, ASR_II, AUDITOR, FIELD_CREW, SUPERVISOR

_MODELS = (
    "department", "paymentterms", "payablespolicy", "approvallimit", "vendor", "vendorcontact", "budget",
    "budgetamendment", "encumbrance", "requisition", "purchaseorder", "receipt", "invoice", "matchresult",
    "discrepancyletter", "paymentrun", "disbursement", "paymentline", "vendorstatement",
)  # fmt: skip
_READ_ALL = [f"payables.view_{m}" for m in _MODELS]
_CLERK = [
    "payables.view_department", "payables.view_paymentterms", "payables.view_vendor", "payables.view_vendorcontact",
    "payables.view_budget", "payables.view_requisition", "payables.view_purchaseorder", "payables.view_receipt",
    "payables.view_invoice", "payables.view_matchresult", "payables.view_discrepancyletter",
    "payables.view_paymentrun", "payables.view_disbursement", "payables.view_vendorstatement",
    "payables.add_requisition", "payables.add_receipt", "payables.add_invoice", "payables.change_invoice",
    "payables.add_vendorcontact", "payables.add_vendorstatement", "payables.add_discrepancyletter",
]  # fmt: skip
_SENIOR = [
    "payables.add_vendor", "payables.change_vendor", "payables.add_purchaseorder", "payables.change_purchaseorder",
    "payables.approve_requisition", "payables.approve_invoice", "payables.add_paymentrun",
]  # fmt: skip
_SUPERVISOR = [
    "payables.add_budget", "payables.change_budget", "payables.add_budgetamendment",
    "payables.approve_budgetamendment", "payables.approve_variance", "payables.approve_paymentrun",
    "payables.change_disbursement", "payables.add_payablespolicy", "payables.add_approvallimit",
    "payables.add_paymentterms", "payables.change_paymentterms", "payables.add_department",
    "payables.change_department",
]  # fmt: skip

PERMISSIONS = {
    ASR_I: sorted(_CLERK),
    ASR_II: sorted(set(_CLERK + _SENIOR)),
    SUPERVISOR: sorted(set(_CLERK + _SENIOR + _SUPERVISOR + _READ_ALL)),
    AUDITOR: sorted(_READ_ALL),
    FIELD_CREW: sorted(["payables.view_purchaseorder", "payables.view_receipt", "payables.add_receipt"]),
}
