"""Mail payment exceptions: a check that does not fit is applied with the overage to credit, held
in suspense (real money: in the drawer's close-out and deposit) or returned with a letter; a batch
balances only when every keyed check is accounted for."""

import uuid

import pytest
from django.urls import reverse

from cashiering import services as cs
from cashiering.models import MailBatch, Remittance, SuspenseItem
from revenue import selectors, services
from revenue.exceptions import NotAllowed
from revenue.models import Account, Payment
from tests.conftest import D, balance_of
from tests.pdf import pdf_text


@pytest.fixture
def mail_session(counter, clerk):
    return cs.session_open(drawer=counter["MAIL"], clerk=clerk, opening_counts={})


@pytest.fixture
def invoice(party, make_charge):
    return make_charge(party, "280.00", "Invoice balance")


def key(batch, clerk, stub, amount, check="480", name="Rosa Alvarez"):
    return cs.remittance_add(
        batch=batch,
        stub_number=stub,
        amount=amount,
        check_number=check,
        name_on_check=name,
        acting_user=clerk,
    )


def suspense_account():
    return Account.objects.get(role=Account.Role.SUSPENSE)


def test_an_overpaying_check_is_an_exception_and_the_batch_does_not_balance_until_resolved(
    mail_session, clerk, invoice
):
    batch = cs.batch_create(control_count=1, control_total="480.00", acting_user=clerk)
    over = key(batch, clerk, invoice.source_number, "480.00")
    assert over.status == Remittance.Status.EXCEPTION
    tally = cs.batch_tally(batch)
    assert tally.keyed == (1, D("480.00")) and not tally.balanced  # keyed equals control, yet not balanced
    with pytest.raises(services.RevenueError, match="1 exception to resolve"):
        cs.batch_post(batch=batch, acting_user=clerk)
    # taking the check out of the batch does not balance it either: it cannot just disappear
    cs.remittance_remove(remittance=over, acting_user=clerk)
    tally = cs.batch_tally(batch)
    assert not tally.balanced and "does not balance" in tally.problem
    with pytest.raises(services.RevenueError, match="does not balance"):
        cs.batch_post(batch=batch, acting_user=clerk)
    batch.refresh_from_db()
    assert batch.status == MailBatch.Status.OPEN


def test_applied_with_the_overage_to_the_payers_credit_on_account(mail_session, clerk, party, invoice):
    batch = cs.batch_create(control_count=1, control_total="480.00", acting_user=clerk)
    over = key(batch, clerk, invoice.source_number, "480.00")
    cs.remittance_resolve(remittance=over, how="credit", acting_user=clerk)
    assert cs.batch_tally(batch).balanced
    cs.batch_post(batch=batch, acting_user=clerk)
    over.refresh_from_db()
    invoice.refresh_from_db()
    assert over.status == Remittance.Status.POSTED and invoice.is_settled
    assert over.receipt.total == D("480.00") and over.receipt.payment.credit_amount == D("200.00")
    assert party.credit_balance() == D("200.00")
    assert cs.session_expected(mail_session)["checks"] == D("480.00")  # the whole check is in the drawer
    assert cs.batch_tally(batch).balanced
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_credit_needs_a_known_payer_and_a_policy_that_keeps_credit(mail_session, clerk, invoice):
    from cashiering.models import CashieringPolicy

    batch = cs.batch_create(control_count=2, control_total="550.00", acting_user=clerk)
    unknown = key(batch, clerk, "C2027-999999", "70.00", check="12")
    with pytest.raises(services.RevenueError, match="names nobody"):
        cs.remittance_resolve(remittance=unknown, how="credit", acting_user=clerk)
    CashieringPolicy.objects.update(check_overpayment=CashieringPolicy.Overpayment.REFUSE)
    over = key(batch, clerk, invoice.source_number, "480.00")
    with pytest.raises(services.RevenueError, match="does not keep check overpayments"):
        cs.remittance_resolve(remittance=over, how="credit", acting_user=clerk)
    assert Remittance.objects.filter(status=Remittance.Status.EXCEPTION).count() == 2


def test_held_in_suspense_goes_through_the_close_out_and_the_deposit(
    mail_session, clerk, supervisor, other_supervisor, invoice
):
    batch = cs.batch_create(control_count=1, control_total="480.00", acting_user=clerk)
    over = key(batch, clerk, invoice.source_number, "480.00")
    cs.remittance_resolve(remittance=over, how="suspense", acting_user=clerk)
    cs.batch_post(batch=batch, acting_user=clerk)
    item = SuspenseItem.objects.get()
    assert item.remittance == over and item.session == mail_session and item.amount == D("480.00")
    assert balance_of(suspense_account()) == D("-480.00")  # a liability, credited
    assert {ln.account.role for ln in item.entry.lines.all()} == {"undeposited_checks", "suspense"}
    assert cs.batch_tally(batch).balanced
    assert cs.session_expected(mail_session)["checks"] == D("480.00")

    cs.session_close(
        session=mail_session,
        counted_counts={},
        confirmed_check_ids=[],
        confirmed_suspense_ids=[item.pk],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    mail_session.refresh_from_db()
    assert mail_session.counted_checks == D("480.00") and mail_session.over_short_total == D("0.00")
    cs.session_sign_off(session=mail_session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[mail_session], acting_user=supervisor)
    assert deposit.checks_total == D("480.00")
    assert list(cs.deposit_suspense_checks(deposit)) == [item]
    cs.deposit_confirm(deposit=deposit, bank_reference="BK-1", acting_user=other_supervisor)
    assert balance_of(Account.objects.get(role=Account.Role.UNDEPOSITED_CHECKS)) == D("0.00")
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


@pytest.fixture
def held(mail_session, clerk, invoice):
    batch = cs.batch_create(control_count=1, control_total="480.00", acting_user=clerk)
    over = key(batch, clerk, invoice.source_number, "480.00")
    cs.remittance_resolve(remittance=over, how="suspense", acting_user=clerk)
    cs.batch_post(batch=batch, acting_user=clerk)
    return SuspenseItem.objects.get()


def test_suspense_is_resolved_by_applying_it_to_a_partys_charges_and_credit(
    held, clerk, senior_clerk, party, invoice
):
    with pytest.raises(NotAllowed, match="senior representative or a supervisor"):
        cs.suspense_apply(item=held, party=party, acting_user=clerk)
    entries_before = set(held.entry.lines.values_list("pk", "debit", "credit"))
    cs.suspense_apply(item=held, party=party, acting_user=senior_clerk)
    held.refresh_from_db()
    invoice.refresh_from_db()
    assert (
        held.status == SuspenseItem.Status.APPLIED
        and held.party == party
        and held.resolved_by == senior_clerk
    )
    assert invoice.is_settled and party.credit_balance() == D("200.00")
    assert held.payment.journal_entry.lines.get(account__role="suspense").debit == D("480.00")
    assert set(held.entry.lines.values_list("pk", "debit", "credit")) == entries_before  # never edited
    assert balance_of(suspense_account()) == D("0.00")
    with pytest.raises(services.RevenueError, match="already resolved"):
        cs.suspense_apply(item=held, party=party, acting_user=senior_clerk)
    assert Payment.objects.filter(source_id=held.pk).count() == 1
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_who_posted_the_suspense_does_not_resolve_it(counter, supervisor, other_supervisor, party, invoice):
    session = cs.session_open(drawer=counter["MAIL"], clerk=supervisor, opening_counts={})
    batch = cs.batch_create(control_count=1, control_total="480.00", acting_user=supervisor)
    over = key(batch, supervisor, invoice.source_number, "480.00")
    cs.remittance_resolve(remittance=over, how="suspense", acting_user=supervisor)
    cs.batch_post(batch=batch, acting_user=supervisor)
    item = SuspenseItem.objects.get(session=session)
    with pytest.raises(NotAllowed, match="another senior or supervisor"):
        cs.suspense_apply(item=item, party=party, acting_user=supervisor)
    cs.suspense_apply(item=item, party=party, acting_user=other_supervisor)


def test_suspense_is_returned_with_a_refund_and_a_letter(held, senior_clerk, client):
    with pytest.raises(services.RevenueError, match="Write why"):
        cs.suspense_return(item=held, reason=" ", acting_user=senior_clerk)
    cs.suspense_return(item=held, reason="We cannot identify the account", acting_user=senior_clerk)
    held.refresh_from_db()
    assert held.status == SuspenseItem.Status.RETURNED
    assert balance_of(suspense_account()) == D("0.00")
    assert balance_of(Account.objects.get(role=Account.Role.REFUNDS_PAYABLE)) == D("-480.00")
    client.force_login(senior_clerk)
    text = pdf_text(client.get(reverse("cashiering:suspense_letter", args=[held.number])).content)
    assert "$480.00" in text and "We cannot identify the account" in text and held.number in text


def test_a_check_returned_to_the_sender_is_recorded_with_a_letter_and_never_posted(
    mail_session, clerk, party, invoice, client
):
    bill = invoice
    batch = cs.batch_create(control_count=2, control_total="760.00", acting_user=clerk)
    good = key(batch, clerk, bill.source_number, "280.00", check="100")
    over = key(batch, clerk, party.number, "480.00", check="101")
    assert over.status == Remittance.Status.EXCEPTION  # more than the party owes
    with pytest.raises(services.RevenueError, match="Write why"):
        cs.remittance_resolve(remittance=over, how="return", acting_user=clerk)
    cs.remittance_resolve(remittance=over, how="return", reason="Check is not signed", acting_user=clerk)
    cs.batch_post(batch=batch, acting_user=clerk)
    good.refresh_from_db()
    over.refresh_from_db()
    assert good.status == Remittance.Status.POSTED and over.status == Remittance.Status.RETURNED
    assert over.receipt is None and not SuspenseItem.objects.exists()
    tally = cs.batch_tally(batch)
    assert tally.part("returned") == (1, D("480.00")) and tally.balanced
    assert cs.session_expected(mail_session)["checks"] == D(
        "280.00"
    )  # the returned check is not in the drawer
    client.force_login(clerk)
    url = reverse("cashiering:remittance_letter", args=[batch.number, over.pk])
    text = pdf_text(client.get(url).content)
    assert "Check is not signed" in text and "$480.00" in text and "enclosed" in text
    assert (
        client.get(reverse("cashiering:remittance_letter", args=[batch.number, good.pk])).status_code == 404
    )


def test_every_keyed_check_ends_in_the_deposit_or_is_returned(
    mail_session, clerk, supervisor, party, other_party, make_charge, invoice
):
    paid_meanwhile = make_charge(other_party, "50.00")
    make_charge(party, "100.00")
    batch = cs.batch_create(control_count=5, control_total="1300.00", acting_user=clerk)
    key(batch, clerk, invoice.source_number, "280.00", check="1")
    credit = key(batch, clerk, party.number, "420.00", check="2")  # owes 380.00
    late = key(batch, clerk, paid_meanwhile.source_number, "50.00", check="3")
    unknown = key(batch, clerk, "NOPE-1", "70.00", check="4")
    returned = key(batch, clerk, "NOPE-2", "480.00", check="5")
    cs.remittance_resolve(remittance=credit, how="credit", acting_user=clerk)
    cs.remittance_resolve(remittance=unknown, how="suspense", acting_user=clerk)
    cs.remittance_resolve(remittance=returned, how="return", reason="No stub, no name", acting_user=clerk)
    # the charge is paid at the counter before the batch posts: that check goes to suspense, not nowhere
    services.payment_post(
        party=other_party,
        amount="50.00",
        applications=[(paid_meanwhile, D("50.00"))],
        debit_account=Account.objects.get(role=Account.Role.UNDEPOSITED),
        acting_user=supervisor,
    )
    cs.batch_post(batch=batch, acting_user=clerk)
    late.refresh_from_db()
    assert late.status == Remittance.Status.SUSPENSE and "Could not post" in late.exception_reason
    credit.refresh_from_db()
    assert credit.status == Remittance.Status.POSTED and credit.receipt.payment.credit_amount == D("320.00")
    checks = list(cs.session_checks(mail_session))
    suspense = list(cs.session_suspense_checks(mail_session))
    cs.session_close(
        session=mail_session,
        counted_counts={},
        confirmed_check_ids=[t.pk for t in checks],
        confirmed_suspense_ids=[i.pk for i in suspense],
        card_batch_total="0",
        explanation="",
        acting_user=clerk,
    )
    cs.session_sign_off(session=mail_session, acting_user=supervisor)
    deposit = cs.deposit_prepare(sessions=[mail_session], acting_user=supervisor)
    in_deposit = {t.reference for t in cs.deposit_checks(deposit)} | {
        i.check_number for i in cs.deposit_suspense_checks(deposit)
    }
    recorded_returned = set(
        batch.remittances.filter(status="returned").values_list("check_number", flat=True)
    )
    keyed = set(batch.remittances.values_list("check_number", flat=True))
    assert in_deposit | recorded_returned == keyed and not in_deposit & recorded_returned
    assert deposit.checks_total + D("480.00") == batch.control_total
    assert selectors.trial_balance(as_of=services.city_today()).in_balance


def test_the_days_reconciliation_lists_the_mail_exceptions(
    mail_session, clerk, senior_clerk, supervisor, party, invoice, client
):
    batch = cs.batch_create(control_count=3, control_total="1030.00", acting_user=clerk)
    for check, how in (("7", "credit"), ("8", "suspense"), ("9", "return")):
        r = key(
            batch,
            clerk,
            invoice.source_number if how == "credit" else "NOPE",
            "480.00" if how != "suspense" else "70.00",
            check=check,
        )
        cs.remittance_resolve(remittance=r, how=how, reason="Not signed", acting_user=clerk)
    cs.batch_post(batch=batch, acting_user=clerk)
    cs.suspense_apply(item=SuspenseItem.objects.get(), party=party, acting_user=senior_clerk)
    client.force_login(supervisor)
    page = client.get(reverse("cashiering:day"))
    rows = [r[0] for r in page.context["exceptions"].rows]
    assert sorted(rows) == ["Held in suspense", "Overage to credit", "Returned to sender", "Suspense applied"]
    html = page.content.decode()
    assert 'id="day-exceptions"' in html and "200.00 on account" in html
    text = " ".join(pdf_text(client.get(reverse("cashiering:day_pdf")).content).split())  # cells wrap
    assert "Overage to credit" in text and "Held in suspense" in text and "Returned to sender" in text


def test_resolving_in_the_batch_page_and_who_may_resolve_suspense(
    mail_session, clerk, senior_clerk, auditor, party, invoice, client
):
    batch = cs.batch_create(control_count=1, control_total="480.00", acting_user=clerk)
    over = key(batch, clerk, invoice.source_number, "480.00")
    client.force_login(clerk)
    page = client.get(batch.get_absolute_url())
    assert not page.context["balanced"] and f'id="resolve-{over.pk}"' in page.content.decode()
    client.post(batch.get_absolute_url(), {"action": "resolve", "remittance": over.pk, "how": "suspense"})
    client.post(batch.get_absolute_url(), {"action": "post"})
    item = SuspenseItem.objects.get()
    # a clerk neither sees the worklist nor resolves: a senior or a supervisor does
    assert client.get(reverse("cashiering:suspense_list")).status_code == 403
    apply = {"action": "apply", "party_number": party.number, "token": str(uuid.uuid4())}
    assert client.post(item.get_absolute_url(), apply).status_code == 403
    client.force_login(auditor)
    assert client.get(reverse("cashiering:suspense_list")).status_code == 200
    assert client.post(item.get_absolute_url(), apply).status_code == 403
    item.refresh_from_db()
    assert item.status == SuspenseItem.Status.OPEN
    client.force_login(senior_clerk)
    listing = client.get(reverse("cashiering:suspense_list"))
    assert item.number in listing.content.decode() and listing.context["total"] == D("480.00")
    client.post(item.get_absolute_url(), {**apply, "party_number": "P999999"})
    item.refresh_from_db()
    assert item.status == SuspenseItem.Status.OPEN  # no such party: told on the form
    response = client.post(item.get_absolute_url(), apply)
    assert response.status_code == 302
    client.post(item.get_absolute_url(), apply)  # the double click
    item.refresh_from_db()
    assert (
        item.status == SuspenseItem.Status.APPLIED and Payment.objects.filter(source_id=item.pk).count() == 1
    )
    assert list(client.get(reverse("cashiering:suspense_list")).context["page"]) == []  # off the worklist
