"""The premise, account, meter and order screens and the field crew's pages, through the web:
a start of service at the counter, the duplicate-order warning, the crew completing the read-in
on its phone page (bad input kept on the form), the work-order PDF, and what the crew may not do."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from revenue import services as core
from tests.pdf import pdf_text
from utility_billing import services as ub
from utility_billing.models import Reading, ServiceAccount, ServiceOrder

from .orders_fixtures import walk

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _token(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def _post_new(client, kind, **data):
    page = client.get(reverse("utility_billing:order_new") + f"?kind={kind}")
    assert page.status_code == 200
    return client.post(reverse("utility_billing:order_new"), {"kind": kind, "token": _token(page), **data})


def test_start_service_at_the_counter_and_the_crew_completes_the_read_in(premise, party, clerk, field_crew):
    counter = _client(clerk)
    today = core.city_today().isoformat()
    response = _post_new(
        counter,
        "start",
        premise_number=premise.number.lower(),
        party_number=party.number,
        move_in=today,
        deposit="0",
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    order = ServiceOrder.objects.get(kind="start")
    assert response["Location"] == order.get_absolute_url()
    page = counter.get(order.get_absolute_url()).content.decode()
    assert "Establishing service" in page and "$35.00" in page
    walk(order, clerk=clerk, crew=field_crew)

    crew = _client(field_crew)
    queue = crew.get(reverse("utility_billing:field_queue")).content.decode()
    assert f'id="field-{order.number}"' in queue and "Route R1" in queue
    phone = crew.get(reverse("utility_billing:field_order", args=[order.number]))
    assert "Read-in" in phone.content.decode()
    bad = crew.post(phone.request["PATH_INFO"], {"token": _token(phone), "read": "10O4", "notes": ""})
    assert bad.status_code == 200 and "must be whole digits" in bad.content.decode()
    assert not Reading.objects.filter(order=order).exists()
    good = crew.post(
        phone.request["PATH_INFO"], {"token": _token(bad), "read": "1004", "notes": "Gate code 1234"}
    )
    assert good.status_code == 302
    account = ServiceAccount.objects.get(pk=order.account_id)
    assert account.status == "active"
    assert Reading.objects.get(order=order).value == 1004
    # the account's page and the party's page show it
    assert account.number in counter.get(reverse("party_detail", args=[party.number])).content.decode()
    assert "$35.00" in counter.get(account.get_absolute_url()).content.decode()


def test_the_form_warns_of_an_open_order_of_the_same_kind_and_the_clerk_confirms(premise, party, clerk):
    counter = _client(clerk)
    data = {
        "premise_number": premise.number,
        "party_number": party.number,
        "reason": "Customer disputes the read",
    }
    assert _post_new(counter, "reread", **data).status_code == 302
    again = _post_new(counter, "reread", **data)
    page = again.content.decode()
    assert again.status_code == 200 and 'id="duplicate-warning"' in page
    assert ServiceOrder.objects.get(kind="reread").number in page
    assert ServiceOrder.objects.filter(kind="reread").count() == 1
    confirmed = counter.post(
        reverse("utility_billing:order_new"),
        {"kind": "reread", "token": _token(again), "confirmed": "on", **data},
    )
    assert confirmed.status_code == 302
    assert ServiceOrder.objects.filter(kind="reread").count() == 2


def test_the_workflow_buttons_schedule_assign_and_cancel(premise, party, clerk, field_crew):
    order = ub.order_request(kind="meter_change", premise=premise, party=party, acting_user=clerk)
    counter = _client(clerk)
    page = counter.get(order.get_absolute_url())
    today = core.city_today().isoformat()
    url = reverse("utility_billing:order_schedule", args=[order.number])
    assert counter.post(url, {"token": _token(page), "on": today}).status_code == 302
    page = counter.get(order.get_absolute_url())
    url = reverse("utility_billing:order_assign", args=[order.number])
    assert counter.post(url, {"token": _token(page), "to": field_crew.pk}).status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == "assigned"
    page = counter.get(order.get_absolute_url())
    url = reverse("utility_billing:order_cancel", args=[order.number])
    assert counter.post(url, {"token": _token(page), "reason": "Customer fixed the leak"}).status_code == 302
    assert ServiceOrder.objects.get(pk=order.pk).status == "cancelled"


def test_the_work_order_pdf_and_the_day_s_work_orders(premise, party, clerk, field_crew):
    order = ub.order_request(kind="meter_change", premise=premise, party=party, acting_user=clerk)
    walk(order, clerk=clerk, crew=field_crew)
    crew = _client(field_crew)
    one = crew.get(reverse("utility_billing:order_pdf", args=[order.number]))
    assert one["Content-Type"] == "application/pdf"
    text = pdf_text(one.content)
    assert (
        order.number in text
        and "12 Cypress Ln" in text
        and "M100" in text
        and "Old meter's final read" in text
    )
    day = crew.get(reverse("utility_billing:field_queue_pdf"))
    assert order.number in pdf_text(day.content)


def test_the_screens_show_premise_meter_account_and_lists(premise, party, clerk, senior_clerk):
    order = ub.service_start(
        premise=premise, party=party, move_in=core.city_today(), acting_user=clerk, deposit=0
    )
    counter = _client(senior_clerk)
    assert order.account.number in counter.get(premise.get_absolute_url()).content.decode()
    meter_page = counter.get(reverse("utility_billing:meter", args=["M100"])).content.decode()
    assert "12 Cypress Ln" in meter_page and "1000" in meter_page
    assert "M100" in counter.get(reverse("utility_billing:meter_list") + "?status=installed").content.decode()
    listed = counter.get(reverse("utility_billing:order_list") + "?kind=start&status=open").content.decode()
    assert order.number in listed
    assert order.number not in counter.get(reverse("utility_billing:order_list") + "?age=30").content.decode()


def test_installing_a_meter_installed_elsewhere_is_refused_on_its_page(make_premise, senior_clerk):
    make_premise(address="1 Bay St", meter_serial="M500")
    other = make_premise(address="2 Bay St", meter_serial="")
    counter = _client(senior_clerk)
    page = counter.get(reverse("utility_billing:meter", args=["M500"]))
    url = reverse("utility_billing:meter_install", args=["M500"])
    response = counter.post(
        url, {"token": _token(page), "premise_number": other.number, "on": "2026-01-05", "read": "5"}
    )
    assert response.status_code == 200 and "already installed at 1 Bay St" in response.content.decode()


def test_the_field_crew_completes_orders_and_touches_no_money(premise, party, clerk, field_crew):
    crew = _client(field_crew)
    forbidden = [
        reverse("utility_billing:order_new") + "?kind=start",
        reverse("cashiering:counter"),
        reverse("charge_create", args=[party.number]),
        reverse("utility_billing:meter_new"),
        reverse("utility_billing:premise_new"),
    ]
    for url in forbidden:
        assert crew.get(url).status_code == 403, url
    start = ub.service_start(
        premise=premise, party=party, move_in=core.city_today(), acting_user=clerk, deposit=0
    )
    assert crew.get(start.account.get_absolute_url()).status_code == 403  # balances are not the crew's
    assert (
        crew.post(
            reverse("utility_billing:order_schedule", args=[start.number]), {"on": "2030-01-01"}
        ).status_code
        == 403
    )
    assert not field_crew.get_all_permissions() & {
        "cashiering.take_payment", "revenue.add_charge", "revenue.add_payment", "utility_billing.add_serviceorder",
    }  # fmt: skip
