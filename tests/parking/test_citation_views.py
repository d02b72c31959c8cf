"""Citation pages through the web: lookup, entry, contest, notices and holds, plans, the report,
paying a plate's citations on one receipt at the counter, and who may do what."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cashiering import services as cs
from cashiering.demo import WALK_IN_NAME
from cashiering.models import Receipt
from parking import selectors
from parking import services as ps
from parking.models import Citation, Contest, PaymentPlan
from revenue import services as core
from revenue.models import Party
from tests.conftest import D
from tests.pdf import pdf_text


def days_ago(n):
    return core.city_today() - datetime.timedelta(days=n)


@pytest.fixture
def cite(policy, clerk):
    numbers = iter(range(1, 1000))

    def make(days=0, code="22500(a)", plate="7ABC123", state="CA", **extra):
        issued = timezone.make_aware(datetime.datetime.combine(days_ago(days), datetime.time(0, 1)))
        return ps.citation_enter(
            number=extra.pop("number", f"W{next(numbers):07d}"),
            issued_at=issued,
            plate=plate,
            state=state,
            violation_code=code,
            location="200 Oak Ave",
            badge="771",
            acting_user=clerk,
            **extra,
        )

    return make


def as_user(client, user):
    client.force_login(user)
    return client


def test_lookup_by_plate_lists_its_citations_with_what_is_owed(client, clerk, cite):
    a, b = cite(days=2), cite(days=30)
    cite(plate="OTHER1")
    page = as_user(client, clerk).get(reverse("parking:citation_lookup"), {"q": "ca 7abc123"})
    body = page.content.decode()
    assert a.number in body and b.number in body and "OTHER1" not in body
    assert "2 open" in body and "$195.00 owed" not in body  # the penalty is added when paid, not on lookup
    assert page.context["open_total"] == D("130.00")
    one = client.get(reverse("parking:citation_lookup"), {"q": a.number.lower()})
    assert one.status_code == 302 and one.url == a.get_absolute_url()


def test_the_citation_page_shows_the_penalty_that_paying_today_adds(client, clerk, cite):
    c = cite(days=30)
    page = as_user(client, clerk).get(c.get_absolute_url())
    assert page.context["late_penalty"] == D("65.00") and page.context["owed_today"] == D("130.00")


def _entry(**over):
    data = {
        "token": str(uuid.uuid4()),
        "number": "HW000123",
        "issued_on": days_ago(1).isoformat(),
        "issued_time": "10:15",
        "plate": "8DEF456",
        "state": "CA",
        "make": "TOYT",
        "violation_code": "10.20.030",
        "fine": "40.00",
        "location": "300 Elm St",
        "badge": "1207",
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    "over, message",
    [
        ({"violation_code": "XYZ"}, "Unknown violation code"),
        ({"plate": "8DE$456"}, "only letters"),
        ({"issued_on": (core.city_today() + datetime.timedelta(days=2)).isoformat()}, "in the future"),
        ({"fine": "-40"}, ""),
        ({"state": "QQ"}, "not a state"),
    ],
)
def test_a_bad_hand_written_citation_is_refused_on_the_form(client, clerk, policy, over, message):
    response = as_user(client, clerk).post(reverse("parking:citation_new"), _entry(**over))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not response.context["form"].is_valid() or response.context["form"].non_field_errors()
    assert not Citation.objects.exists()


def test_a_bad_state_and_date_are_marked_on_their_fields(client, clerk, policy):
    future = (core.city_today() + datetime.timedelta(days=2)).isoformat()
    response = as_user(client, clerk).post(
        reverse("parking:citation_new"), _entry(state="QQ", issued_on=future)
    )
    errors = response.context["form"].errors
    assert "not a state" in errors["state"][0] and "in the future" in errors["issued_on"][0]
    assert "is-invalid" in response.content.decode()


def test_a_hand_written_citation_posted_twice_is_entered_once(client, clerk, policy):
    data = _entry()
    as_user(client, clerk).post(reverse("parking:citation_new"), data)
    again = client.post(reverse("parking:citation_new"), data, follow=True)
    assert "already submitted" in again.content.decode()
    assert Citation.objects.get().fine == D("40.00")


def test_contest_through_the_web_and_who_may_decide(client, clerk, supervisor, cite):
    c = cite(days=3)
    url = reverse("parking:contest_request", args=[c.number])
    as_user(client, clerk).post(
        url,
        {
            "token": str(uuid.uuid4()),
            "level": "review",
            "requested_on": core.city_today(),
            "statement": "Sign down",
        },
    )
    review = Contest.objects.get()
    decide = reverse("parking:contest_decide", args=[c.number, review.pk])
    assert (
        client.post(decide, {"token": str(uuid.uuid4()), "decision": "dismissed", "reason": "x"}).status_code
        == 403
    )
    as_user(client, supervisor).post(
        decide, {"token": str(uuid.uuid4()), "decision": "dismissed", "reason": "Sign was down (photo)"}
    )
    c.refresh_from_db()
    assert c.status == Citation.Status.DISMISSED and selectors.citation_owed(c) == D("0.00")


def test_notices_pdf_and_dmv_file_for_the_supervisor_only(client, clerk, supervisor, cite):
    c = cite(days=40)
    ps.citation_owner_set(
        citation=c, owner_name="Lee, Dana", owner_address="12 Bay View Dr, Alder Bay CA", acting_user=clerk
    )
    assert as_user(client, clerk).get(reverse("parking:notices")).status_code == 403
    as_user(client, supervisor).post(reverse("parking:notices"), {"action": "penalties"})
    client.post(reverse("parking:notices"), {"action": "notices"})
    run = c.__class__.objects.get(pk=c.pk).notice_run
    text = pdf_text(client.get(reverse("parking:notice_letters", args=[run.pk])).content)
    assert "Lee, Dana" in text and c.number in text and "130.00" in text
    Citation.objects.filter(pk=c.pk).update(notice_on=days_ago(30))
    client.post(reverse("parking:notices"), {"action": "holds"})
    page = client.get(reverse("parking:notices"))
    export = page.context["exports"][0]
    csv = client.get(reverse("parking:hold_file", args=[export.pk])).content.decode()
    assert f"PLACE,{c.number},7ABC123,CA,130.00" in csv
    bad = client.post(reverse("parking:notices"), {"action": "holds", "on": "2099-01-01"}, follow=True)
    assert "in the future" in bad.content.decode()


def test_a_plan_through_the_web(client, senior_clerk, clerk, party, cite):
    a, b = cite(days=10), cite(days=12)
    url = reverse("parking:plan_new")
    assert as_user(client, clerk).get(url).status_code == 403
    data = {
        "token": str(uuid.uuid4()),
        "q": "7ABC123",
        "citation": [a.number, b.number],
        "party_number": party.number,
        "months": "6",
        "first_due_on": (core.city_today() + datetime.timedelta(days=30)).isoformat(),
        "qualification": "Receives CalFresh",
    }
    too_fast = as_user(client, senior_clerk).post(url, {**data, "months": "2"})
    assert "more than the 25.00 a month allowed" in too_fast.content.decode()
    assert not PaymentPlan.objects.exists()
    response = client.post(url, data, follow=True)
    plan = PaymentPlan.objects.get()
    assert "6 installments; the counter collects $26.67, $21.67, $21.67" in response.content.decode()
    assert plan.installments().count() == 7  # six installments and the fee
    page = client.get(plan.get_absolute_url())
    assert page.status_code == 200 and f'href="/parties/{party.number}/"' in page.content.decode()
    client.post(url, data)  # the same form again
    assert PaymentPlan.objects.count() == 1


def test_report_and_excel(client, supervisor, clerk, auditor, cite):
    cite(days=1)
    cite(days=1, code="22502(a)")
    assert as_user(client, clerk).get(reverse("parking:citation_report")).status_code == 403
    page = as_user(client, auditor).get(reverse("parking:citation_report"))
    totals = page.context["report"].totals
    assert (totals[3], totals[-1]) == (2, D("110.00"))
    start = days_ago(5).isoformat()
    response = client.get(
        reverse("parking:citation_report_xlsx"), {"start": start, "end": core.city_today().isoformat()}
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "22502(a)" in values and 110 in values


def test_a_plate_typed_at_the_counter_pays_all_its_open_citations_on_one_receipt(
    client, clerk, supervisor, open_session, cite, walk_in_payer
):
    on_time, late = cite(days=3), cite(days=30)
    cite(plate="ZZZ999")
    as_user(client, clerk).post(reverse("cashiering:basket"), {"action": "find", "q": "7ABC123"}, follow=True)
    page = client.get(reverse("cashiering:counter"))
    numbers = [ln["number"] for ln, _f, _i in page.context["pay_rows"]]
    assert sorted(numbers) == sorted([on_time.number, late.number, late.number])  # fine, fine, late penalty
    assert page.context["due"] == D("195.00")
    assert page.context["payer"] == walk_in_payer  # not the registered owners' holding account
    assert all(ln["party"] is None for ln, _f, _i in page.context["pay_rows"])  # nor named on each line
    client.post(reverse("cashiering:basket"), {"action": "payer", "party": walk_in_payer.pk})
    signature = client.get(reverse("cashiering:counter")).context["basket"].signature
    client.post(
        reverse("cashiering:pay"),
        {
            "token": str(uuid.uuid4()),
            "basket": signature,
            "pay-0": "65.00",
            "pay-1": "65.00",
            "pay-2": "65.00",
            "cash": "195.00",
        },
    )
    receipt = Receipt.objects.get()
    lines = {line.charge.source_number for line in receipt.lines.select_related("charge")}
    assert lines == {on_time.number, late.number}
    for c in (on_time, late):
        c.refresh_from_db()
        assert c.status == Citation.Status.PAID
    text = pdf_text(client.get(reverse("cashiering:receipt_pdf", args=[receipt.number, "roll"])).content)
    assert on_time.number in text and late.number in text
    assert text.count("For: Plate 7ABC123 (CA), issued") == 3  # what each line paid for (core.charge_details)
    page = client.get(receipt.get_absolute_url()).content.decode()
    assert "Plate 7ABC123 (CA), issued" in page
    # a void, approved by a supervisor, re-opens both with what they owed
    request = cs.receipt_void_request(receipt=receipt, reason="Wrong plate", acting_user=clerk)
    core.approval_decide(request=request, approve=True, acting_user=supervisor)
    for c in (on_time, late):
        c.refresh_from_db()
        assert c.status == Citation.Status.OPEN
    assert selectors.citation_owed(late) == D("130.00")


@pytest.fixture
def walk_in_payer(counter):

    return Party.objects.get(name=WALK_IN_NAME)


def test_the_plate_lookup_takes_the_same_queries_for_2_or_12_citations(client, clerk, cite):
    client.force_login(clerk)
    for _ in range(2):
        cite(days=2, plate="NPLUS1")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("parking:citation_lookup"), {"q": "NPLUS1"})
    for _ in range(10):
        cite(days=2, plate="NPLUS1")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("parking:citation_lookup"), {"q": "NPLUS1"})
    assert len(many) == len(few)


def test_a_delinquent_notice_is_addressed_for_the_window_with_the_office_phone(
    client, clerk, supervisor, cite, office
):
    from tests.pdf import position_of

    c = cite(days=40)
    ps.citation_owner_set(
        citation=c,
        owner_name="Lee, Dana",
        owner_address="12 Bay View Dr, Alder Bay CA 95000",
        acting_user=clerk,
    )
    as_user(client, supervisor).post(reverse("parking:notices"), {"action": "notices"})
    run = Citation.objects.get(pk=c.pk).notice_run
    pdf = client.get(reverse("parking:notice_letters", args=[run.pk])).content
    text = " ".join(pdf_text(pdf).split())
    assert "(555) 010-4200" in text and "Si necesita ayuda en español, llame al (555) 010-4200." in text
    x, y = position_of(pdf, "Lee, Dana")
    assert 0.85 <= x <= 0.95 and 2.0 <= y <= 2.3
    x, y = position_of(pdf, "Alder Bay CA 95000")
    assert 0.85 <= x <= 0.95 and y <= 3.125
