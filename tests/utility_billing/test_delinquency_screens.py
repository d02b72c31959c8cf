# ruff: noqa: F811 - the fixtures are imported from collect_fixtures and named as arguments
"""Collection's screens: the delinquent list sends notices, the shut-off list opens disconnect
orders (a clerk may not), the letters and door hangers print, a plan is set up from its form, and
bad input is told on the form with nothing changed."""

import datetime

from django.urls import reverse

from revenue import services as core
from tests.pdf import pdf_text
from tests.utility_billing.collect_fixtures import (  # noqa: F401 - fixtures
    D,
    make_account,
    make_bill,
    utility,
)
from utility_billing.models import DelinquencyNotice, PaymentPlan, ServiceAccount, ServiceOrder


def _delinquent(make_account, make_bill, days, **fields):
    account = make_account(**fields)
    make_bill(account, core.city_today() - datetime.timedelta(days=days))
    return account


def test_notices_from_the_delinquent_list_with_a_landlord_copy(
    client, make_account, make_bill, senior_clerk, office
):
    landlord = core.party_create(
        acting_user=senior_clerk, kind="person", name="Brightwater Rentals", address_line1="9 Bay Rd"
    )
    account = _delinquent(make_account, make_bill, 40, landlord=landlord, notify_landlord=True)
    client.force_login(senior_clerk)
    page = client.get(reverse("utility_billing:delinquency"))
    assert account.number in page.content.decode()
    client.post(reverse("utility_billing:delinquency"), {"action": "notices"})
    notice = DelinquencyNotice.objects.get(account=account)
    assert notice.landlord_copy and notice.past_due == D("100.00")
    pdf = client.get(reverse("utility_billing:notices_pdf") + f"?on={core.city_today().isoformat()}")
    text = pdf_text(pdf.content)
    assert text.count("Notice of shut-off") == 2 and "Landlord's copy" in text and account.number in text


def test_the_shut_off_list_opens_disconnect_orders_and_prints_door_hangers(
    client, make_account, make_bill, supervisor, clerk, office
):
    account = _delinquent(make_account, make_bill, 75)
    DelinquencyNotice.objects.create(
        account=account, bill=account.bills.get(), sent_on=core.city_today() - datetime.timedelta(days=20),
        shutoff_on=core.city_today(), past_due=D("100.00"), created_by=supervisor,
    )  # fmt: skip
    client.force_login(clerk)
    assert account.number in client.get(reverse("utility_billing:shutoff")).content.decode()
    client.post(reverse("utility_billing:shutoff"), {"account": [account.number]})
    assert not ServiceOrder.objects.filter(account=account).exists()  # a clerk does not order shut-offs
    client.force_login(supervisor)
    client.post(reverse("utility_billing:shutoff"), {"account": [account.number]})
    order = ServiceOrder.objects.get(account=account, kind="disconnect")
    response = client.post(reverse("utility_billing:door_hangers"), {"order": [order.number]})
    assert response["Content-Type"] == "application/pdf"
    assert "WATER SHUT-OFF" in pdf_text(response.content) and order.number in pdf_text(response.content)
    assert DelinquencyNotice.objects.filter(account=account, kind="door_hanger").count() == 1


def test_a_plan_from_its_form_and_bad_input_told(client, make_account, make_bill, senior_clerk):
    account = _delinquent(make_account, make_bill, 40)
    client.force_login(senior_clerk)
    url = reverse("utility_billing:plan_new", args=[account.number])
    page = client.get(url)
    token = page.context["form"]["token"].value()
    bad = client.post(url, {"action": "set_up", "months": "99", "first_due": "2026-13-01", "token": token})
    assert bad.status_code == 200 and not PaymentPlan.objects.exists()
    assert bad.context["form"].errors
    first_due = (core.city_today() + datetime.timedelta(days=30)).isoformat()
    done = client.post(url, {"action": "set_up", "months": "4", "first_due": first_due, "token": token})
    plan = PaymentPlan.objects.get(account=account)
    assert done.status_code == 302 and plan.total == D("100.00") and plan.installments.count() == 4
    assert "25.00" in client.get(plan.get_absolute_url()).content.decode()
    assert ServiceAccount.objects.get(pk=account.pk).plans.get().status == "active"


def test_the_state_count_and_the_account_page(client, make_account, make_bill, auditor, supervisor):
    account = _delinquent(make_account, make_bill, 70)
    order = ServiceOrder.objects.create(
        number="SO2099-000001", kind="disconnect", premise=account.premise, account=account,
        effective_on=core.city_today(), status="completed", completed_at=__import__("django.utils.timezone").utils.timezone.now(),
        created_by=supervisor,
    )  # fmt: skip
    client.force_login(auditor)
    page = client.get(reverse("utility_billing:disconnections")).content.decode()
    assert f"<td>{order.completed_at.year}</td>" in page
    account_page = client.get(
        reverse("utility_billing:collect_account", args=[account.number])
    ).content.decode()
    assert order.number in account_page and "100.00" in account_page
    assert client.post(reverse("utility_billing:delinquency"), {"action": "notices"}).status_code == 302
    assert not DelinquencyNotice.objects.exists()  # the Auditor sends nothing
