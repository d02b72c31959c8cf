"""Fine schedules as ordinances write them: late penalties that grow in tiers (each added once, the
day after its days have passed: amounts add up), and a catch-all code whose fine the officer
writes within a range. The demo's code 28 owes +16.00 after 21 days and +32.00 more after 60;
code 3 may be written from 25.00 to 300.00."""

import datetime
import io
import uuid

import pytest
from django.core.management import call_command
from django.urls import reverse

from parking import rules, selectors
from parking import services as ps
from parking.models import Citation, ImportBatch
from parking.services import imports
from revenue import services as core
from revenue.models import Charge
from tests.conftest import D
from tests.parking.test_import import csv_file, row

DAY = datetime.timedelta(days=1)
POLICY = type("Policy", (), {"penalty_after_days": 21})()
TIERED = rules.FinePeriod(
    1, "28", datetime.date(2024, 1, 1), None, D("40.00"), D("16.00"), tiers=((60, D("32.00")),)
)


def _penalties(citation):
    return [c.amount for c in citation.charges().filter(description__startswith="Late penalty")]


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize(
    "days_unpaid, reached",
    [(20, 0), (21, 0), (22, 1), (23, 1), (59, 1), (60, 1), (61, 2), (62, 2), (400, 2)],
)
def test_each_tier_applies_from_the_day_after_its_days(days_unpaid, reached):
    """Day 21 is the last day without the first penalty, day 22 the first with it (and 23 after);
    day 60 the last without the tier, 61 the first with it (and 62 after)."""
    on = datetime.date(2026, 6, 1)
    steps = TIERED.penalty_steps(POLICY)
    assert [(s.number, s.after_days, s.amount) for s in steps] == [(1, 21, D("16.00")), (2, 60, D("32.00"))]
    assert rules.steps_reached(on - days_unpaid * DAY, on, steps) == reached


# --------------------------------------------------------------------------- the set-based run


def test_the_penalty_run_adds_each_tier_once_when_its_day_passes(cite, supervisor):
    by_days = {d: cite(days=d, code="28") for d in (21, 22, 23, 60, 61, 62)}
    assert ps.penalty_run(acting_user=supervisor) == 7  # 22, 23, 60: the first; 61, 62: both
    for d, c in by_days.items():
        c.refresh_from_db()
        expected = {21: [], 22: [D("16.00")], 23: [D("16.00")], 60: [D("16.00")]}.get(
            d, [D("16.00"), D("32.00")]
        )
        assert _penalties(c) == expected, d
        assert c.penalty_tiers == len(expected)
        assert selectors.citation_owed(c) == D("40.00") + sum(expected, D("0"))
    assert ps.penalty_run(acting_user=supervisor) == 0  # a second run adds nothing
    tomorrow = core.city_today() + DAY
    assert ps.penalty_run(on=tomorrow, acting_user=supervisor) == 2  # day 22 of one, day 61 of another
    assert _penalties(by_days[21]) == [D("16.00")]
    assert _penalties(by_days[60]) == [D("16.00"), D("32.00")]
    assert ps.penalty_run(on=tomorrow, acting_user=supervisor) == 0
    descriptions = list(by_days[61].charges().values_list("description", flat=True))
    issued = by_days[61].issued_on
    assert descriptions[1:] == [
        f"Late penalty (unpaid after {issued + 21 * DAY:%m/%d/%Y})",
        f"Late penalty (unpaid after {issued + 60 * DAY:%m/%d/%Y})",
    ]


def test_the_nightly_command_applies_tiers(cite, supervisor):
    c = cite(days=61, code="28")
    out = io.StringIO()
    call_command("parking_nightly", user=supervisor.username, stdout=out)
    assert "2 late penalties added" in out.getvalue()
    assert _penalties(c) == [D("16.00"), D("32.00")]


def test_the_notices_page_counts_citations_owing_a_tier(cite, supervisor):
    cite(days=30, code="28")
    late = cite(days=61, code="28")
    policy = selectors.policy_on()
    assert selectors.run_counts(core.city_today(), policy)["penalty_due"] == 2
    ps.penalty_assess(citation=late, on=core.city_today() - 2 * DAY, acting_user=supervisor)  # day 59
    assert selectors.run_counts(core.city_today(), policy)["penalty_due"] == 2  # still owes its tier
    ps.penalty_run(acting_user=supervisor)
    assert selectors.run_counts(core.city_today(), policy)["penalty_due"] == 0


# --------------------------------------------------------------------------- at the counter


def test_paying_on_a_day_adds_the_tiers_whose_days_have_passed(cite, clerk):
    c = cite(days=100, code="28")
    issued = c.issued_on
    assert ps.penalty_assess(citation=c, on=issued + 21 * DAY, acting_user=clerk) == []
    (first,) = ps.penalty_assess(citation=c, on=issued + 22 * DAY, acting_user=clerk)
    assert first.amount == D("16.00")
    assert ps.penalty_assess(citation=c, on=issued + 23 * DAY, acting_user=clerk) == []
    assert ps.penalty_assess(citation=c, on=issued + 60 * DAY, acting_user=clerk) == []
    (second,) = ps.penalty_assess(citation=c, on=issued + 61 * DAY, acting_user=clerk)
    assert second.amount == D("32.00")
    assert ps.penalty_assess(citation=c, on=issued + 62 * DAY, acting_user=clerk) == []
    assert selectors.citation_owed(c) == D("88.00")


def test_a_citation_first_seen_past_both_tiers_owes_both_at_the_counter(client, clerk, open_session, cite):
    c = cite(days=61, code="28")
    client.force_login(clerk)
    page = client.get(c.get_absolute_url())
    assert page.context["late_penalty"] == D("48.00") and page.context["owed_today"] == D("88.00")
    client.post(reverse("cashiering:basket"), {"action": "find", "q": c.number})
    assert sorted(_penalties(c)) == [D("16.00"), D("32.00")]
    assert Charge.objects.filter(source_number=c.number).count() == 3


# --------------------------------------------------------------------------- the officer's fine


def test_a_fine_written_within_the_codes_range_is_kept_with_the_citation(cite):
    c = cite(code="3", fine="120.00")
    assert (c.fine, c.fine_written) == (D("120.00"), True)
    (charge,) = c.charges()
    assert charge.amount == D("120.00")
    for edge in ("25.00", "300.00"):
        assert cite(code="3", fine=edge).fine == D(edge)
    scheduled = cite(code="3")
    assert (scheduled.fine, scheduled.fine_written) == (D("50.00"), False)


@pytest.mark.parametrize(
    "code, fine, message",
    [
        ("3", "24.99", "from 25.00 to 300.00; 24.99 is outside that range"),
        ("3", "300.01", "300.01 is outside that range"),
        ("22500(a)", "70.00", "is 65.00, not 70.00 (the officer may not write another amount"),
    ],
)
def test_a_fine_outside_its_range_or_on_a_fixed_code_is_refused(cite, code, fine, message):
    with pytest.raises(rules.RuleError, match=message.replace("(", r"\(")):
        cite(code=code, fine=fine)
    assert not Citation.objects.exists() and not Charge.objects.exists()


def test_the_entry_form_takes_a_written_fine(client, clerk, policy):
    client.force_login(clerk)
    today = core.city_today()
    form = {
        "number": "W1000001",
        "issued_on": today.isoformat(),
        "issued_time": "00:01",
        "plate": "7ABC123",
        "state": "CA",
        "violation_code": "3",
        "location": "100 Elm St",
        "badge": "4411",
    }
    bad = client.post("/parking/citations/new/", {**form, "fine": "500.00", "token": str(uuid.uuid4())})
    assert "outside that range" in bad.content.decode() and not Citation.objects.exists()
    client.post("/parking/citations/new/", {**form, "fine": "75.00", "token": str(uuid.uuid4())})
    c = Citation.objects.get()
    assert (c.fine, c.fine_written) == (D("75.00"), True)


@pytest.mark.django_db(transaction=True)
def test_the_import_takes_a_written_fine_in_range_and_rejects_one_outside(policy, senior_clerk):
    rows = [
        row("I0000001", code="3", fine="120.00"),
        row("I0000002", code="3", fine="400.00"),
        row("I0000003", code="3", fine=""),  # blank: the schedule's
        row("I0000004", code="22500(a)", fine="70.00"),
    ]
    batch = imports.citations_import(csv_file(*rows), "written.csv", acting_user=senior_clerk)
    assert batch.status == ImportBatch.Status.FINISHED
    got = {c.number: (c.fine, c.fine_written) for c in Citation.objects.all()}
    assert got == {"I0000001": (D("120.00"), True), "I0000003": (D("50.00"), False)}
    rejects = dict(batch.rejects.values_list("citation_number", "message"))
    assert (
        "outside that range" in rejects["I0000002"] and "does not match the schedule" in rejects["I0000004"]
    )


@pytest.mark.django_db(transaction=True)
def test_the_fine_column_may_be_left_out(policy, senior_clerk):
    header = "citation_number,issued_at,plate,state,make,violation_code,location,badge"
    line = row("J0000001", code="28").rsplit(",", 1)[0]
    batch = imports.citations_import(csv_file(line, header=header), "nofine.csv", acting_user=senior_clerk)
    assert batch.status == ImportBatch.Status.FINISHED and batch.rows_imported == 1
    assert Citation.objects.get().fine == D("40.00")
