"""One receivables policy rule: the policy in force on the date asked (the core's policy_on). With
none in force, every service, read and page refuses with the same sentence, naming the policy and
the date, and changes nothing; an aging or a statement for a date before the first policy is
refused the same way (no invoice can be dated before it)."""

import datetime
import re

import pytest
from django.urls import reverse

from receivables import selectors
from receivables import services as ar
from receivables.models import DunningRun, Invoice, ReceivablesPolicy
from revenue import services as core

pytestmark = pytest.mark.django_db

FIRST = datetime.date(2024, 1, 1)  # the ar_policy fixture's effective date
DAY = datetime.timedelta(days=1)


def refusal(on: datetime.date) -> str:
    return f"No receivables policy is in force on {on:%m/%d/%Y}; a supervisor must add one in Configuration."


@pytest.mark.parametrize(
    ("on", "edges"),
    [
        (FIRST - DAY, None),
        (FIRST, [30, 60, 90]),
        (FIRST + DAY, [30, 60, 90]),
        (datetime.date(2025, 2, 28), [30, 60, 90]),
        (datetime.date(2025, 3, 1), [15, 45]),
        (datetime.date(2025, 3, 2), [15, 45]),
    ],
)
def test_the_policy_in_force_on_the_date_asked(ar_policy, admin_user, on, edges):
    ReceivablesPolicy.objects.create(
        effective_from=datetime.date(2025, 3, 1),
        receivable_account=ar_policy.receivable_account,
        aging_edges=[45, 15],
        created_by=admin_user,
    )
    if edges is None:
        with pytest.raises(core.NoPolicyInForce, match=re.escape(refusal(on))):
            selectors.policy_on(on)
        with pytest.raises(core.NoPolicyInForce, match=re.escape(refusal(on))):
            selectors.aging(on)
    else:
        assert selectors.policy_on(on).aging_edges in ([30, 60, 90], [45, 15])
        assert selectors.aging(on).edges == edges  # the aging's buckets are the policy's of that day


def test_a_statement_ending_before_the_first_policy_is_refused(ar_policy, party):
    with pytest.raises(core.NoPolicyInForce, match=re.escape(refusal(FIRST - DAY))):
        selectors.statement_compute(party=party, start=FIRST - 30 * DAY, end=FIRST - DAY)
    st = selectors.statement_compute(party=party, start=FIRST - 30 * DAY, end=FIRST)
    assert [label for label, _amount in st.aging][-1] == "Over 90 days"


def test_without_a_policy_every_service_and_read_refuses_the_same_way(
    accounts, fees, party, clerk, senior_clerk
):
    today = core.city_today()
    calls = {
        "invoice": lambda: ar.invoice_create(
            party=party, lines=[{"fee_type": fees["ALARM"], "quantity": 1}], acting_user=clerk
        ),
        "aging": lambda: selectors.aging(today),
        "statement": lambda: selectors.statement_compute(party=party, start=today - 30 * DAY, end=today),
        "dunning": lambda: ar.dunning_run(on=today, acting_user=senior_clerk),
    }
    for name, call in calls.items():
        with pytest.raises(core.NoPolicyInForce, match=re.escape(refusal(today))):
            call()
        assert not Invoice.objects.exists() and not DunningRun.objects.exists(), name


def test_without_a_policy_the_pages_say_so_plainly(client, accounts, party, supervisor):
    sentence = refusal(core.city_today()).encode()
    client.force_login(supervisor)
    for url in (
        reverse("receivables:aging"),
        reverse("receivables:statement", args=[party.pk]),
        reverse("receivables:invoice_new"),
        reverse("receivables:dunning"),
    ):
        page = client.get(url)
        assert page.status_code == 200 and sentence in page.content, url
    xlsx = client.get(reverse("receivables:aging_xlsx"), follow=True)
    assert xlsx.redirect_chain == [(reverse("receivables:aging"), 302)] and sentence in xlsx.content
    run = client.post(reverse("receivables:dunning"), {"on": core.city_today().isoformat()}, follow=True)
    assert sentence in run.content and not DunningRun.objects.exists()
