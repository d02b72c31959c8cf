"""Mail payments: controls first, remittances keyed, post only when count and total agree."""

import uuid

import pytest
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import MailBatch, Receipt, Remittance
from revenue import selectors, services
from revenue.exceptions import InvalidAmount
from tests.conftest import D


@pytest.fixture
def mail_session(counter, clerk):
    return cs.session_open(drawer=counter["MAIL"], clerk=clerk, opening_counts={})


def test_a_batch_posts_each_good_remittance_as_a_receipt_once_exceptions_are_resolved(
    mail_session, clerk, party, other_party, make_charge
):
    bill = make_charge(party, "84.20", "Water bill")
    first, second = make_charge(other_party, "30.00"), make_charge(other_party, "50.00")
    batch = cs.batch_create(control_count=4, control_total="254.20", acting_user=clerk)
    cs.remittance_add(
        batch=batch,
        stub_number=bill.source_number,
        amount="84.20",
        check_number="501",
        name_on_check="Rosa Alvarez",
        acting_user=clerk,
    )
    cs.remittance_add(
        batch=batch,
        stub_number=other_party.number,
        amount="60.00",
        check_number="9001",
        name_on_check="Harbor Light Hotel",
        acting_user=clerk,
    )  # an account number: oldest first
    unknown = cs.remittance_add(
        batch=batch,
        stub_number="C2027-999999",
        amount="70.00",
        check_number="12",
        name_on_check="Somebody",
        acting_user=clerk,
    )
    wrong = cs.remittance_add(
        batch=batch,
        stub_number=second.source_number,
        amount="40.00",
        check_number="13",
        name_on_check="Harbor Light Hotel",
        acting_user=clerk,
    )
    assert unknown.status == wrong.status == Remittance.Status.EXCEPTION
    assert (
        "Unknown number" in unknown.exception_reason
        and "does not match the balance" in wrong.exception_reason
    )

    with pytest.raises(services.RevenueError, match="2 exceptions to resolve"):
        cs.batch_post(batch=batch, acting_user=clerk)  # no check is left with nowhere to go
    cs.remittance_resolve(remittance=unknown, how="suspense", acting_user=clerk)
    cs.remittance_resolve(remittance=wrong, how="return", reason="Does not match the bill", acting_user=clerk)
    cs.batch_post(batch=batch, acting_user=clerk)
    batch.refresh_from_db()
    bill.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert batch.status == MailBatch.Status.POSTED and batch.session == mail_session
    assert bill.is_settled and first.is_settled and second.balance == D("20.00")
    assert Receipt.objects.filter(session=mail_session).count() == 2
    assert all(r.tenders.get().kind == "check" for r in Receipt.objects.all())
    assert Remittance.objects.get(pk=unknown.pk).status == Remittance.Status.SUSPENSE
    assert Remittance.objects.get(pk=wrong.pk).status == Remittance.Status.RETURNED
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_a_batch_that_does_not_balance_does_not_post(mail_session, clerk, party, make_charge):
    bill = make_charge(party, "84.20")
    batch = cs.batch_create(control_count=1, control_total="84.02", acting_user=clerk)  # a transposed tape
    cs.remittance_add(
        batch=batch,
        stub_number=bill.source_number,
        amount="84.20",
        check_number="501",
        name_on_check="R A",
        acting_user=clerk,
    )
    with pytest.raises(services.RevenueError, match="does not balance"):
        cs.batch_post(batch=batch, acting_user=clerk)
    batch.refresh_from_db()
    assert batch.status == MailBatch.Status.OPEN and Receipt.objects.count() == 0


def test_posting_needs_an_open_session(counter, clerk, party, make_charge):
    batch = cs.batch_create(control_count=1, control_total="5.00", acting_user=clerk)
    with pytest.raises(cs.SessionClosed):
        cs.batch_post(batch=batch, acting_user=clerk)


@pytest.mark.parametrize(("count", "total"), [("0", "5.00"), ("x", "5.00"), ("1", "-5.00"), ("1", "5.001")])
def test_bad_controls_are_refused(counter, clerk, count, total):
    with pytest.raises(InvalidAmount):
        cs.batch_create(control_count=count, control_total=total, acting_user=clerk)
    assert MailBatch.objects.count() == 0


def test_mail_batch_through_the_web(client, clerk, mail_session, party, make_charge):
    bill = make_charge(party, "84.20")
    client.force_login(clerk)
    response = client.post(reverse("cashiering:batch_list"), {"control_count": "1", "control_total": "84.20"})
    batch = MailBatch.objects.get()
    assert response.url == batch.get_absolute_url()
    client.post(
        batch.get_absolute_url(),
        {
            "stub_number": bill.source_number,
            "token": str(uuid.uuid4()),
            "amount": "84.20",
            "check_number": "501",
            "name_on_check": "Rosa Alvarez",
        },
    )
    page = client.get(batch.get_absolute_url())
    assert page.context["balanced"] and 'id="post-batch"' in page.content.decode()
    client.post(batch.get_absolute_url(), {"action": "post", "token": str(uuid.uuid4())})
    bill.refresh_from_db()
    assert bill.is_settled
    assert client.post(batch.get_absolute_url(), {"action": "post"}, follow=True).status_code == 200
    assert Receipt.objects.count() == 1  # posting again does nothing


def test_a_keying_mistake_is_removed_and_a_double_click_keys_once(
    client, clerk, mail_session, party, make_charge
):
    bill = make_charge(party, "84.20")
    batch = cs.batch_create(control_count=1, control_total="84.20", acting_user=clerk)
    client.force_login(clerk)
    keyed = {
        "token": str(uuid.uuid4()),
        "stub_number": bill.source_number,
        "amount": "48.20",
        "check_number": "501",
        "name_on_check": "Rosa Alvarez",
    }
    client.post(batch.get_absolute_url(), keyed)
    client.post(batch.get_absolute_url(), keyed)  # the double click
    assert batch.remittances.count() == 1
    wrong = batch.remittances.get()
    client.post(batch.get_absolute_url(), {"action": "remove", "remittance": wrong.pk})
    assert batch.remittances.count() == 0
    client.post(batch.get_absolute_url(), {**keyed, "token": str(uuid.uuid4()), "amount": "84.20"})
    assert client.get(batch.get_absolute_url()).context["balanced"]


def test_posting_stops_whole_when_the_session_is_gone(counter, clerk, party, make_charge):
    bill = make_charge(party, "10.00")
    batch = cs.batch_create(control_count=1, control_total="10.00", acting_user=clerk)
    cs.remittance_add(
        batch=batch,
        stub_number=bill.source_number,
        amount="10.00",
        check_number="1",
        name_on_check="R A",
        acting_user=clerk,
    )
    with pytest.raises(cs.SessionClosed):
        cs.batch_post(batch=batch, acting_user=clerk)
    batch.refresh_from_db()
    assert batch.status == MailBatch.Status.OPEN and batch.remittances.get().status == Remittance.Status.READY
