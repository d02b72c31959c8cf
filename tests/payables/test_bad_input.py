"""Bad input is refused with a sentence and changes nothing: a negative quantity, a price with
three decimals, an inactive vendor, a routing number that fails its check digit, a receipt
dated in the future or above what was ordered, a return of more than was received."""

import datetime

import pytest

from payables import rules, services
from payables.errors import BadLine, BankDetailsInvalid, ReceiptRefused, VendorNotUsable
from payables.models import PaymentTerms, PurchaseOrder, Receipt, Requisition, Vendor
from revenue import services as core


def _line(accounts, **over):
    return {"description": "Cold patch", "quantity": "10", "unit": "bag", "unit_price": "18.50",
            "account": accounts["100-5110"], **over}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("over", "message"),
    [
        ({"quantity": "-1"}, "more than zero"),
        ({"quantity": "0"}, "more than zero"),
        ({"quantity": "1.0005"}, "at most 3 decimal places"),
        ({"quantity": "ten"}, "Enter a quantity"),
        ({"unit_price": "18.505"}, "whole cents"),
        ({"unit_price": "-2.00"}, "cannot be negative"),
        ({"description": "  "}, "say what is bought"),
    ],
)
def test_a_bad_line_is_refused_and_nothing_is_made(accounts, department, vendor, clerk, over, message):
    with pytest.raises(BadLine, match=message):
        services.requisition_create(department=department, vendor=vendor, acting_user=clerk,
                                    lines=[_line(accounts), _line(accounts, **over)])  # fmt: skip
    assert not Requisition.objects.exists()


@pytest.mark.django_db
def test_a_line_on_a_revenue_account_is_refused(accounts, department, clerk, payables_setup):
    with pytest.raises(BadLine, match="expense account"):
        services.requisition_create(department=department, acting_user=clerk,
                                    lines=[_line(accounts, account=accounts["100-4150"])])  # fmt: skip


@pytest.mark.django_db
def test_three_decimal_price_and_negative_quantity_are_refused_by_the_database_too(
    vendor, make_order, budget
):
    from django.db import IntegrityError, transaction

    order = make_order(vendor)
    line = order.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(quantity=-1)


@pytest.mark.django_db
def test_an_inactive_vendor_is_refused_everywhere(accounts, department, vendor, clerk, senior_clerk, make_order,
                                                  budget, field_crew):  # fmt: skip
    order = make_order(vendor)
    services.vendor_status_set(vendor=vendor, status=Vendor.Status.INACTIVE, acting_user=senior_clerk)
    with pytest.raises(VendorNotUsable, match="inactive vendor"):
        services.requisition_create(
            department=department, vendor=vendor, acting_user=clerk, lines=[_line(accounts)]
        )
    with pytest.raises(VendorNotUsable, match="inactive vendor"):
        services.receipt_record(order=order, lines={order.lines.first().pk: "1"}, received_by="Yard",
                                acting_user=field_crew)  # fmt: skip
    assert not Receipt.objects.exists()


@pytest.mark.django_db
def test_a_vendor_on_hold_gets_no_new_order(accounts, department, vendor, clerk, senior_clerk):
    req = services.requisition_create(
        department=department, vendor=vendor, acting_user=clerk, lines=[_line(accounts)]
    )
    services.requisition_decide(requisition=req, approve=True, acting_user=senior_clerk)
    services.vendor_status_set(vendor=vendor, status="hold", reason="W-9 expired", acting_user=senior_clerk)
    with pytest.raises(VendorNotUsable, match="on hold"):
        services.order_issue(requisition=req, vendor=vendor, acting_user=senior_clerk)
    assert not PurchaseOrder.objects.exists()


@pytest.mark.parametrize(
    ("routing", "valid"),
    [("011000015", True), ("121000358", True), ("021000021", True), ("011000016", False), ("121000359", False),
     ("000000000", False), ("12100035", False), ("12100035a", False), ("", False)],
)  # fmt: skip
def test_the_routing_number_check_digit(routing, valid):
    assert rules.routing_number_valid(routing) is valid


@pytest.mark.django_db
def test_a_routing_number_failing_its_check_digit_makes_no_vendor(payables_setup, senior_clerk):
    with pytest.raises(BankDetailsInvalid, match="fails its check digit"):
        services.vendor_create(
            acting_user=senior_clerk, party_data={"name": "Bad Bank LLC"}, terms=PaymentTerms.objects.first(),
            payment_method="ach", bank_routing="121000359", bank_account="12345678",
        )  # fmt: skip
    assert not Vendor.objects.exists()
    with pytest.raises(BankDetailsInvalid, match="routing number and an account"):
        services.vendor_create(acting_user=senior_clerk, party_data={"name": "No Bank LLC"},
                               terms=PaymentTerms.objects.first(), payment_method="ach")  # fmt: skip


@pytest.mark.django_db
def test_the_audit_row_keeps_the_bank_account_by_its_last_four(payables_setup, senior_clerk):
    vendor = services.vendor_create(
        acting_user=senior_clerk, party_data={"name": "Bayview Landscaping"}, terms=PaymentTerms.objects.first(),
        payment_method="ach", bank_routing="121000358", bank_account="4400917725",
    )  # fmt: skip
    trail = core.audit_trail(vendor).get()
    assert trail.after["bank_account"] == "••••7725"
    assert "4400917725" not in str(trail.after)
    assert vendor.account_last4 == "••••7725"


@pytest.mark.django_db
def test_receipts_in_the_future_over_the_order_or_returns_over_receipts_are_refused(
    vendor, make_order, budget, field_crew
):
    order = make_order(vendor)
    patch = order.lines.get(line_no=1)
    tomorrow = core.city_today() + datetime.timedelta(days=1)
    with pytest.raises(ReceiptRefused, match="future"):
        services.receipt_record(order=order, lines={patch.pk: "1"}, received_by="Yard", received_on=tomorrow,
                                acting_user=field_crew)  # fmt: skip
    with pytest.raises(ReceiptRefused, match="more than the 80.000 ordered"):
        services.receipt_record(
            order=order, lines={patch.pk: "81"}, received_by="Yard", acting_user=field_crew
        )
    with pytest.raises(ReceiptRefused, match="more than zero"):
        services.receipt_record(
            order=order, lines={patch.pk: "-5"}, received_by="Yard", acting_user=field_crew
        )
    services.receipt_record(order=order, lines={patch.pk: "10"}, received_by="Yard", acting_user=field_crew)
    with pytest.raises(ReceiptRefused, match="no more can be returned"):
        services.receipt_record(order=order, lines={patch.pk: "11"}, received_by="Yard", kind="return",
                                acting_user=field_crew)  # fmt: skip
    assert Receipt.objects.count() == 1
