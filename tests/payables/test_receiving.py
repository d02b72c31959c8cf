"""Partial receipts add up, a return takes back, the receipt that completes a line takes the
line's remaining cents, and a service line is received by amount."""

import pytest

from payables import services
from payables.models import PurchaseOrderLine
from tests.conftest import D


@pytest.mark.django_db
def test_partial_receipts_and_a_return(vendor, make_order, budget, field_crew):
    order = make_order(
        vendor, lines=[{"description": "Hose, ft", "quantity": "3", "unit": "ft", "unit_price": "0.33"}]
    )
    line = order.lines.get()
    assert line.amount == D("0.99")
    services.receipt_record(order=order, lines={line.pk: "1"}, received_by="Yard", acting_user=field_crew)
    services.receipt_record(order=order, lines={line.pk: "1"}, received_by="Yard", acting_user=field_crew)
    assert services.received_by_line([line.pk]) == {line.pk: (D("2.000"), D("0.66"))}
    back = services.receipt_record(order=order, lines={line.pk: "1"}, received_by="Yard", kind="return",
                                   acting_user=field_crew)  # fmt: skip
    assert back.lines.get().quantity == D("-1.000") and back.lines.get().amount == D("-0.33")
    services.receipt_record(order=order, lines={line.pk: "2"}, received_by="Yard", acting_user=field_crew)
    # the completing receipt takes the remaining cents: the line's value is its amount exactly
    assert services.received_by_line([line.pk]) == {line.pk: (D("3.000"), D("0.99"))}


@pytest.mark.django_db
def test_a_service_line_is_received_by_amount(vendor, make_order, budget, field_crew):
    order = make_order(vendor, lines=[{"description": "Mowing, month", "quantity": "3", "unit": "month",
                                       "unit_price": "1200.00"}])  # fmt: skip
    line = order.lines.get()
    PurchaseOrderLine.objects.filter(pk=line.pk).update(receive_by="amount")
    services.receipt_record(
        order=order, lines={line.pk: "1200.00"}, received_by="Parks", acting_user=field_crew
    )
    assert services.received_by_line([line.pk]) == {line.pk: (D("0.000"), D("1200.00"))}
