"""An invoice's lines are core charges, but an invoice is reduced only by a credit memo and
written off only from the invoice, both approved by a supervisor: the core's charge waiver and
write-off (with a clerk's own limit) are refused for them."""

from revenue.extensions import exception_guard
from revenue.models import ApprovalRequest, Charge

from .models import Invoice


@exception_guard
def _invoice_charges(kind, target):
    if (
        isinstance(target, Charge)
        and kind in (ApprovalRequest.Kind.WAIVER, ApprovalRequest.Kind.WRITE_OFF)
        and target.source_type_id
        and target.source_type.model_class() is Invoice
    ):
        what = "a credit memo" if kind == ApprovalRequest.Kind.WAIVER else "a write-off of the invoice"
        return f"{target.source_number} is an invoice: reduce it with {what} from the invoice's page."
    return None
