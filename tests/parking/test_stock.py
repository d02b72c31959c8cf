"""The counted stock of permit tags: receiving ranges, marking tags, and an inventory that always
reconciles (received = issued + returned + void + lost + stolen + on hand)."""

import datetime
import io
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parking import selectors
from parking import services as pm
from parking.models import Permit, PermitSerial, PermitType, StockReceipt
from revenue import services as core
from revenue.exceptions import NotAllowed
from tests.parking.test_permits import apply, fresh, pay

S = PermitSerial.Status
TODAY = core.city_today
DAY = datetime.date(2026, 1, 5)


def receive(ptype, first, last, user, on=DAY, note=""):
    return pm.stock_receive(
        permit_type=ptype, first=first, last=last, received_on=on, acting_user=user, note=note
    )


def counts(code):
    return next(r for r in selectors.inventory() if r.permit_type.code == code)


def test_receiving_a_range_makes_one_tag_per_number(permit_types, supervisor):
    receipt = receive(permit_types["RES"], 1000, 1199, supervisor, note="Vendor slip 88")
    assert receipt.count == 200
    tags = PermitSerial.objects.filter(receipt=receipt)
    assert tags.count() == 200 and set(tags.values_list("status", flat=True)) == {S.IN_STOCK}
    assert (
        tags.order_by("number").first().label == "R001000"
        and tags.order_by("number").last().label == "R001199"
    )
    row = counts("RES")
    assert (row.received, row.in_stock, row.reconciles) == (200, 200, True)
    assert [e.action for e in core.audit_trail(receipt)] == ["stock.received"]


def test_a_large_range_is_one_statement(permit_types, supervisor, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        receive(permit_types["EMP"], 1, 100_000, supervisor)
    assert PermitSerial.objects.filter(permit_type=permit_types["EMP"]).count() == 100_000


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        (1100, 1300, "Tags R001100–R001300 overlap R001000–R001199, received on 01/05/2026"),
        (900, 1000, "overlap R001000–R001199"),
        (1199, 1199, "overlap R001000–R001199"),
        (0, 10, "Tag numbers start at 1"),
        (500, 400, "is before the first"),
        (2000, 102_000, "more than one receipt may hold"),
    ],
)
def test_bad_ranges_are_refused(permit_types, supervisor, first, last, message):
    receive(permit_types["RES"], 1000, 1199, supervisor)
    with pytest.raises(pm.PermitError, match=message):
        receive(permit_types["RES"], first, last, supervisor)
    assert StockReceipt.objects.count() == 1 and PermitSerial.objects.count() == 200


def test_the_same_numbers_of_another_type_are_another_tag(permit_types, supervisor):
    receive(permit_types["RES"], 1000, 1009, supervisor)
    receive(permit_types["GST"], 1000, 1009, supervisor)
    receive(permit_types["RES"], 1010, 1019, supervisor)  # adjoining is fine
    assert PermitSerial.objects.count() == 30


def test_stock_cannot_be_received_in_the_future(permit_types, supervisor):
    with pytest.raises(pm.PermitError, match="in the future"):
        receive(permit_types["RES"], 1, 10, supervisor, on=TODAY() + datetime.timedelta(days=1))
    assert not PermitSerial.objects.exists()


def test_marking_tags(permit_types, supervisor, clerk, party, undeposited):
    receive(permit_types["RES"], 1000, 1004, supervisor)
    tag = PermitSerial.objects.get(number=1000)
    with pytest.raises(pm.PermitError, match="A reason is required"):
        pm.serial_mark(serial=tag, status=S.VOID, reason=" ", acting_user=supervisor)
    with pytest.raises(pm.PermitError, match="can only be marked void or lost or stolen"):
        pm.serial_mark(serial=tag, status=S.RETURNED, reason="x", acting_user=supervisor)
    with pytest.raises(NotAllowed):
        pm.serial_mark(serial=tag, status=S.VOID, reason="torn", acting_user=clerk)
    pm.serial_mark(serial=tag, status=S.VOID, reason="torn in the printer", acting_user=supervisor)
    tag.refresh_from_db()
    assert tag.status == S.VOID and tag.status_reason == "torn in the printer" and tag.status_on == TODAY()
    with pytest.raises(pm.PermitError, match="is void: it cannot change"):
        pm.serial_mark(serial=tag, status=S.LOST, reason="x", acting_user=supervisor)
    audit = core.audit_trail(tag).get()
    assert (
        audit.action == "tag.void"
        and audit.before["status"] == "in_stock"
        and audit.after["status"] == "void"
    )
    # an issued tag handed back ends its permit and is never reissued
    permit = apply(party, permit_types["RES"], clerk)
    pay(permit, clerk, undeposited)
    issued = fresh(permit).serial
    assert issued.number == 1001  # the voided 1000 is skipped
    with pytest.raises(pm.PermitError, match="lost or stolen or returned"):
        pm.serial_mark(serial=issued, status=S.VOID, reason="x", acting_user=supervisor)
    pm.serial_mark(serial=issued, status=S.RETURNED, reason="moved away", acting_user=supervisor)
    permit = fresh(permit)
    assert permit.status == Permit.Status.CANCELLED and "returned" in permit.status_reason
    assert permit.serial.status == S.RETURNED


def test_the_counts_reconcile_after_every_kind_of_movement(
    permit_types, supervisor, clerk, party, other_party, undeposited
):
    ptype = permit_types["RES"]

    def check(**expected):
        row = counts("RES")
        assert row.reconciles, row
        assert row.received == row.issued + row.returned + row.void + row.lost + row.stolen + row.in_stock
        for field, value in expected.items():
            assert getattr(row, field) == value, (field, row)

    receive(ptype, 1000, 1009, supervisor)
    check(received=10, in_stock=10)
    a = apply(party, ptype, clerk, plate="A1")
    b = apply(party, ptype, clerk, plate="B1")
    c = apply(other_party, ptype, clerk, plate="C1", address="300 Elm St")
    pay(a, clerk, undeposited)
    pay_b = pay(b, clerk, undeposited)
    pay(c, clerk, undeposited)
    check(issued=3, in_stock=7)
    pm.serial_mark(
        serial=PermitSerial.objects.get(number=1009), status=S.VOID, reason="bent", acting_user=supervisor
    )
    pm.serial_mark(
        serial=PermitSerial.objects.get(number=1008), status=S.LOST, reason="shelf", acting_user=supervisor
    )
    check(issued=3, void=1, lost=1, in_stock=5)
    new_a = pm.permit_replace(permit=a, reason="stolen", note="", acting_user=clerk)
    check(issued=2, stolen=1, in_stock=5)
    pay(new_a, clerk, undeposited)
    check(issued=3, stolen=1, in_stock=4)
    core.payment_reverse(payment=pay_b, acting_user=supervisor, reason="check returned")
    check(issued=2, void=2, stolen=1, lost=1, in_stock=4)
    pm.serial_mark(serial=fresh(c).serial, status=S.RETURNED, reason="sold the car", acting_user=supervisor)
    check(issued=1, returned=1, void=2, lost=1, stolen=1, in_stock=4)
    pm.serial_mark(serial=fresh(new_a).serial, status=S.LOST, reason="reported", acting_user=supervisor)
    check(issued=0, returned=1, void=2, lost=2, stolen=1, in_stock=4)
    receive(ptype, 2000, 2004, supervisor)
    check(received=15, in_stock=9)


# --------------------------------------------------------------------------- screens


def test_the_inventory_page_and_its_spreadsheet(client, supervisor, clerk, auditor, permit_types):

    receive(permit_types["RES"], 1000, 1099, supervisor)
    pm.serial_mark(
        serial=PermitSerial.objects.get(number=1000), status=S.VOID, reason="bent", acting_user=supervisor
    )
    for user in (supervisor, clerk, auditor):
        client.force_login(user)
        page = client.get(reverse("parking:inventory"), {"tag": "R001000"})
        assert page.status_code == 200
        html = page.content.decode()
        assert "R001000–R001099" in html and "bent" in html
        assert ('id="receive-form"' in html) == (user == supervisor)
    response = client.get(reverse("parking:inventory_xlsx"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in ws[4]][:3] == ["Permit type", "Prefix", "Received"]
    res = next(row for row in ws.iter_rows(min_row=5, values_only=True) if row[0] == "Residential")
    assert res[2:] == (100, 0, 0, 1, 0, 0, 99, 99, "yes")
    assert ws.freeze_panes == "A5"


def test_receiving_and_marking_through_the_page(client, supervisor, permit_types):
    client.force_login(supervisor)
    data = {
        "receive-token": str(uuid.uuid4()),
        "receive-permit_type": permit_types["GST"].pk,
        "receive-first": "1",
        "receive-last": "50",
        "receive-received_on": TODAY().isoformat(),
        "receive-note": "Box 1",
    }
    response = client.post(reverse("parking:inventory_receive"), data)
    assert response.status_code == 302
    client.post(reverse("parking:inventory_receive"), data)  # sent twice: received once
    assert PermitSerial.objects.count() == 50
    again = client.post(reverse("parking:inventory_receive"), {**data, "receive-token": str(uuid.uuid4())})
    assert again.status_code == 200 and "overlap G000001–G000050" in again.content.decode()
    future = {**data, "receive-token": str(uuid.uuid4()), "receive-first": "100", "receive-last": "110"}
    future["receive-received_on"] = (TODAY() + datetime.timedelta(days=3)).isoformat()
    assert "in the future" in client.post(reverse("parking:inventory_receive"), future).content.decode()
    mark = {
        "mark-token": str(uuid.uuid4()),
        "mark-tag": "g000007",
        "mark-status": "stolen",
        "mark-reason": "break-in",
    }
    response = client.post(reverse("parking:inventory_mark"), mark)
    assert response.status_code == 302 and PermitSerial.objects.get(number=7).status == S.STOLEN
    bad = {**mark, "mark-token": str(uuid.uuid4()), "mark-tag": "G999999"}
    assert "No tag has that number" in client.post(reverse("parking:inventory_mark"), bad).content.decode()
    bad = {**mark, "mark-token": str(uuid.uuid4()), "mark-reason": ""}
    assert client.post(reverse("parking:inventory_mark"), bad).status_code == 200
    assert StockReceipt.objects.count() == 1


def test_a_clerk_cannot_receive_or_mark_tags(client, clerk, supervisor, permit_types):
    receive(permit_types["RES"], 1, 5, supervisor)
    client.force_login(clerk)
    response = client.post(
        reverse("parking:inventory_receive"),
        {
            "receive-token": str(uuid.uuid4()),
            "receive-permit_type": permit_types["RES"].pk,
            "receive-first": "10",
            "receive-last": "20",
            "receive-received_on": TODAY().isoformat(),
        },
    )
    assert response.status_code == 403
    response = client.post(
        reverse("parking:inventory_mark"),
        {"mark-token": str(uuid.uuid4()), "mark-tag": "R000001", "mark-status": "void", "mark-reason": "x"},
    )
    assert response.status_code == 403
    assert PermitSerial.objects.count() == 5 and not PermitSerial.objects.exclude(status=S.IN_STOCK).exists()


def test_an_out_of_range_tag_number_is_a_form_error(client, supervisor, permit_types):
    client.raise_request_exception = False
    client.force_login(supervisor)
    ptype = PermitType.objects.order_by("pk").first()
    response = client.post(
        reverse("parking:inventory_receive"),
        {
            "receive-permit_type": ptype.pk,
            "receive-first": "3000000000",
            "receive-last": "3000000001",
            "receive-received_on": str(core.city_today()),
            "receive-token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200  # the page again, with the error on the field
    assert response.context["receive_form"].errors["last"]
    assert not StockReceipt.objects.exists()
