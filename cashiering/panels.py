"""What cashiering adds to the core's pages: an approval of a void shows the receipt itself."""

from revenue.extensions import approval_panel

from . import selectors
from .models import Receipt


@approval_panel
def receipt_of_void(req, request) -> dict | None:
    """The receipt a void request is about, with its lines and tenders, on the approval page."""
    if req.target_type.model_class() is not Receipt:
        return None
    receipt = Receipt.objects.select_related("payment", "session__drawer", "created_by").get(pk=req.target_id)
    return {
        "title": f"Receipt {receipt.number}",
        "template": "cashiering/_receipt_panel.html",
        "receipt": receipt,
        "lines": selectors.receipt_lines(receipt),
        "tenders": list(receipt.tenders.all()),
    }
