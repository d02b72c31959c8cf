"""Defects a review found in parking, each proved by a test first: refunds after a reduction and
then a dismissal, refunds split between payers, a returned check after a refund, a defaulted plan
paid in full, the batch runs' permission, the lookup's queries, an out-of-range tag number, and
a decision racing a payment."""

import datetime
import threading
import uuid

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parking import rules, selectors
from parking import services as ps
from parking.models import Citation, PaymentPlan, PermitType
from revenue import services as core
from revenue.exceptions import NotAllowed
from tests.conftest import D
from tests.parking.helpers import days_ago, pay


def _pay_part(citation, amount, payer, undeposited, user):
    (charge,) = list(citation.charges())
    return core.payment_post(
        party=payer,
        amount=D(amount),
        applications=[(charge, D(amount))],
        debit_account=undeposited,
        acting_user=user,
        reference="PART",
    )


def test_a_hearing_dismissal_after_a_paid_reduction_refunds_only_what_was_paid(
    cite, clerk, supervisor, undeposited, party
):
    c = cite(days=5)  # $65, paid in full: also the hearing deposit
    pay(c, undeposited, clerk, party)
    review = ps.contest_request(citation=c, level="review", statement="No sign", acting_user=clerk)
    ps.contest_decide(
        contest=review, decision="reduced", reduced_to="40.00", reason="Partly", acting_user=supervisor
    )
    assert party.credit_balance() == D("25.00")
    hearing = ps.contest_request(citation=c, level="hearing", statement="Appeal", acting_user=clerk)
    with pytest.raises(rules.RuleError, match=r"less than the \$40.00"):
        ps.contest_decide(
            contest=hearing, decision="reduced", reduced_to="45.00", reason="x", acting_user=supervisor
        )
    ps.contest_decide(contest=hearing, decision="dismissed", reason="Officer error", acting_user=supervisor)
    assert party.credit_balance() == D("65.00")


def test_a_dismissal_refunds_each_payer_what_they_paid(
    cite, clerk, supervisor, undeposited, party, other_party
):
    c = cite(days=5)
    _pay_part(c, "30.00", party, undeposited, clerk)
    _pay_part(c, "35.00", other_party, undeposited, clerk)
    review = ps.contest_request(citation=c, level="review", statement="No sign", acting_user=clerk)
    ps.contest_decide(contest=review, decision="dismissed", reason="No sign", acting_user=supervisor)
    assert (party.credit_balance(), other_party.credit_balance()) == (D("30.00"), D("35.00"))


@pytest.mark.parametrize(
    "decision, reduced_to, owed_after", [("dismissed", None, "0.00"), ("reduced", "40.00", "40.00")]
)
def test_a_returned_check_after_a_refund_takes_the_refund_back_and_the_decision_stands(
    cite, clerk, supervisor, undeposited, party, decision, reduced_to, owed_after
):
    c = cite(days=5)
    payment = pay(c, undeposited, clerk, party)
    review = ps.contest_request(citation=c, level="review", statement="No sign", acting_user=clerk)
    ps.contest_decide(
        contest=review, decision=decision, reduced_to=reduced_to, reason="x", acting_user=supervisor
    )
    assert party.credit_balance() > 0
    core.payment_reverse(payment=payment, reason="Returned check NSF", acting_user=supervisor)
    c.refresh_from_db()
    assert party.credit_balance() == D("0.00")
    assert selectors.citation_owed(c) == D(owed_after)
    assert c.status == ("dismissed" if decision == "dismissed" else "open")


def test_a_defaulted_plan_paid_in_full_completes_and_its_citations_are_paid(
    cite, senior_clerk, supervisor, party, undeposited
):
    a = cite(days=10)
    plan = ps.plan_create(
        party=party,
        citations=[a],
        months=3,
        first_due_on=days_ago(0),
        qualification="CalFresh",
        acting_user=senior_clerk,
    )
    assert ps.plans_default(on=plan.first_due_on + datetime.timedelta(days=16), acting_user=supervisor) == [
        plan.number
    ]
    pay(plan.installments(), undeposited, senior_clerk, party)
    a.refresh_from_db()
    plan.refresh_from_db()
    assert (a.status, plan.status) == (Citation.Status.PAID, PaymentPlan.Status.COMPLETED)


@pytest.mark.parametrize("run", ["penalty_run", "plans_default", "notice_run", "hold_export"])
def test_batch_runs_refuse_a_counter_clerk(cite, clerk, run):
    cite(days=40)
    with pytest.raises(NotAllowed):
        getattr(ps, run)(acting_user=clerk)


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
    assert response.status_code in (200, 302, 400)


@pytest.mark.django_db(transaction=True)
def test_a_dismissal_and_a_payment_at_the_same_moment_queue_instead_of_deadlocking(
    cite, clerk, supervisor, undeposited, party, monkeypatch
):
    c = cite(days=5)
    review = ps.contest_request(citation=c, level="review", statement="No sign", acting_user=clerk)
    locked, go_on = threading.Event(), threading.Event()
    real_adjust = core.charge_adjust

    def slow_adjust(**kw):
        locked.set()
        go_on.wait(5)
        return real_adjust(**kw)

    monkeypatch.setattr(core, "charge_adjust", slow_adjust)
    errors = []

    def decide():
        try:
            ps.contest_decide(contest=review, decision="dismissed", reason="No sign", acting_user=supervisor)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    def payment():
        try:
            locked.wait(5)
            threading.Timer(0.5, go_on.set).start()
            pay(Citation.objects.get(pk=c.pk), undeposited, clerk, party)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=decide), threading.Thread(target=payment)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not [e for e in errors if "deadlock" in str(e).lower()], errors
