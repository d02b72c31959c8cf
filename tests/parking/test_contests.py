"""What a contest's decision does to the money: a dismissal or a reduction waives what is open and
moves what was paid beyond it to each payer's credit; a payment reversed after a refund takes the
refund back while the decision stands; and a decision racing a payment queues behind it."""

import threading

import pytest
from django.db import close_old_connections, connection

from parking import rules, selectors
from parking import services as ps
from parking.models import Citation
from revenue import services as core
from tests.conftest import D
from tests.parking.helpers import pay


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
