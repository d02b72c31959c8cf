"""Who may do what in payables, through the screens and the services: clerks ask, senior clerks
approve within their limit and issue orders, supervisors adopt and amend the budget (another
supervisor approves), the field crew receives, the auditor reads; nobody approves their own."""

import io
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from payables import services
from payables.errors import OverLimit
from payables.models import BudgetAmendment, Requisition, Vendor
from revenue import services as core
from tests.conftest import D


def _client(user):
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def _post(client, url, **data):
    return client.post(url, {"token": str(uuid.uuid4()), **data})


def _requisition(accounts, department, user, price="18.50", quantity="10"):
    return services.requisition_create(department=department, acting_user=user, lines=[
        {"description": "Cold patch", "quantity": quantity, "unit": "bag", "unit_price": price,
         "account": accounts["100-5110"]}])  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "url_name", "status"),
    [
        ("clerk", "payables:vendor_new", 403), ("senior_clerk", "payables:vendor_new", 200),
        ("auditor", "payables:vendor_list", 200), ("auditor", "payables:requisition_new", 403),
        ("field_crew", "payables:vendor_list", 403), ("field_crew", "payables:order_list", 200),
        ("clerk", "payables:budget_actual", 200), ("auditor", "payables:budget_actual_xlsx", 200),
        ("clerk", "payables:requisition_new", 200),
    ],
)  # fmt: skip
def test_pages_by_role(request, payables_setup, who, url_name, status):
    assert _client(request.getfixturevalue(who)).get(reverse(url_name)).status_code == status


@pytest.mark.django_db
def test_a_clerk_cannot_approve_and_nobody_approves_their_own(
    accounts, department, clerk, senior_clerk, supervisor
):
    req = _requisition(accounts, department, clerk)
    url = reverse("payables:requisition_decide", args=[req.number])
    assert _post(_client(clerk), url, decision="approve").status_code == 403
    own = _requisition(accounts, department, senior_clerk)
    with pytest.raises(core.NotAllowed, match="Someone else"):
        services.requisition_decide(requisition=own, approve=True, acting_user=senior_clerk)
    _post(_client(senior_clerk), url, decision="approve")
    req.refresh_from_db()
    assert req.status == "approved" and req.decided_by == senior_clerk


@pytest.mark.django_db
def test_above_the_senior_clerks_limit_a_supervisor_must_approve(accounts, department, clerk, senior_clerk,
                                                                 supervisor):  # fmt: skip
    req = _requisition(accounts, department, clerk, price="600.00")  # 6,000.00 over the 5,000.00 limit
    with pytest.raises(OverLimit, match="up to \\$5,000.00"):
        services.requisition_decide(requisition=req, approve=True, acting_user=senior_clerk)
    response = _post(
        _client(senior_clerk), reverse("payables:requisition_decide", args=[req.number]), decision="approve"
    )
    assert response.status_code == 302
    assert Requisition.objects.get(pk=req.pk).status == "submitted"
    services.requisition_decide(requisition=req, approve=True, acting_user=supervisor)
    assert Requisition.objects.get(pk=req.pk).status == "approved"


@pytest.mark.django_db
def test_a_budget_amendment_is_approved_by_another_supervisor(
    budget, supervisor, other_supervisor, senior_clerk
):
    amendment = services.amendment_request(budget=budget, amount="-2500.00", reason="Transfer to parks",
                                           acting_user=supervisor)  # fmt: skip
    with pytest.raises(core.NotAllowed):
        services.amendment_decide(amendment=amendment, approve=True, acting_user=supervisor)
    with pytest.raises(core.NotAllowed):
        services.amendment_decide(amendment=amendment, approve=True, acting_user=senior_clerk)
    assert services.budget_total(budget) == D("10000.00")
    _post(
        _client(other_supervisor),
        reverse("payables:amendment_decide", args=[amendment.pk]),
        decision="approve",
    )
    assert BudgetAmendment.objects.get(pk=amendment.pk).status == "approved"
    assert services.budget_total(budget) == D("7500.00")


@pytest.mark.django_db
def test_the_field_crew_receives_but_cannot_change_or_close(vendor, make_order, budget, field_crew):
    order = make_order(vendor)
    line = order.lines.get(line_no=1)
    c = _client(field_crew)
    response = _post(c, reverse("payables:receipt_new", args=[order.number]), kind="receipt",
                     received_on=core.city_today().isoformat(), received_by="Yard", **{f"line-{line.pk}": "40"})  # fmt: skip
    assert response.status_code == 302
    assert services.received_by_line([line.pk])[line.pk] == (D("40.000"), D("740.00"))
    assert _post(c, reverse("payables:po_close", args=[order.number]), reason="x").status_code == 403
    assert c.get(reverse("payables:po_change", args=[order.number])).status_code == 403


@pytest.mark.django_db
def test_bad_input_on_the_forms_changes_nothing(accounts, department, clerk, senior_clerk, payables_setup):
    c = _client(clerk)
    data = {"department": department.pk, "line-TOTAL_FORMS": "5", "line-INITIAL_FORMS": "0",
            "line-0-description": "Cold patch", "line-0-quantity": "-1", "line-0-unit_price": "18.50",
            "line-0-account": accounts["100-5110"].pk}  # fmt: skip
    response = _post(c, reverse("payables:requisition_new"), **data)
    assert response.status_code == 200 and "more than zero" in response.content.decode()
    data["line-0-quantity"], data["line-0-unit_price"] = "1", "18.505"
    response = _post(c, reverse("payables:requisition_new"), **data)
    assert response.status_code == 200 and "whole cents" in response.content.decode()
    assert not Requisition.objects.exists()
    terms = services.default_terms()
    response = _post(_client(senior_clerk), reverse("payables:vendor_new"), name="Bad Bank LLC", terms=terms.pk,
                     payment_method="ach", bank_routing="121000359", bank_account="12345678",
                     bank_account_kind="checking")  # fmt: skip
    assert response.status_code == 200 and "fails its check digit" in response.content.decode()
    assert not Vendor.objects.exists()


@pytest.mark.django_db
def test_the_vendor_page_shows_the_bank_account_by_its_last_four(payables_setup, senior_clerk, clerk):
    vendor = services.vendor_create(acting_user=senior_clerk, party_data={"name": "Bayview Landscaping"},
                                    terms=services.default_terms(), payment_method="ach", bank_routing="121000358",
                                    bank_account="4400917725")  # fmt: skip
    page = _client(clerk).get(vendor.get_absolute_url()).content.decode()
    assert "••••7725" in page and "4400917725" not in page
    form = _client(senior_clerk).get(reverse("payables:vendor_edit", args=[vendor.number])).content.decode()
    assert "4400917725" not in form


@pytest.mark.django_db
def test_budget_against_actual_xlsx_has_the_figures(vendor, make_order, budget, auditor):
    from openpyxl import load_workbook

    make_order(vendor)
    response = _client(auditor).get(reverse("payables:budget_actual_xlsx") + "?level=department")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    row = next(r for r in values if r and r[0] == "Public Works")
    assert [D(str(v)) for v in row[1:5]] == [D("10000"), D("2002"), D("0"), D("7998")]


@pytest.mark.django_db
def test_the_purchase_order_pdf_names_the_order_and_its_total(vendor, make_order, budget, field_crew):
    from pypdf import PdfReader

    order = make_order(vendor)
    response = _client(field_crew).get(reverse("payables:po_pdf", args=[order.number]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert order.number in text and "2,002.00" in text
