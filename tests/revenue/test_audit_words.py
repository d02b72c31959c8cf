"""History panels speak plainly: field names as words, dates formatted, lists joined, people by
name; the stored audit rows are unchanged."""

import datetime

from django.urls import reverse
from django.utils import timezone

from revenue import audit_words
from revenue import services as core


def test_changes_in_plain_words():
    rows = audit_words.changes(
        {"status": "active", "first_due_on": "2026-12-31", "closed": False},
        {
            "status": "in_plan",
            "first_due_on": "2028-02-29",
            "closed": True,
            "citations": ["T0000001", "T0000002"],
            "party_id": 12,
            "note": "",
            "terms": {"max_installment": "25.00"},
        },
    )
    assert rows == [
        ("Status", "active", "in plan"),
        ("First due on", "12/31/2026", "02/29/2028"),
        ("Closed", "no", "yes"),
        ("Citations", None, "T0000001, T0000002"),
        ("Party", None, "12"),
        ("Terms", None, "Max installment: 25.00"),
    ]
    assert audit_words.text([]) == "none" and audit_words.text(None) == "—"
    with timezone.override("America/Los_Angeles"):
        assert audit_words.text("2026-12-01T18:30:00+00:00") == "12/01/2026 10:30"  # city time
    assert audit_words.text("2026-12-01T18:30:00+00:00") == "12/01/2026 13:30"  # the suite's city: Eastern
    assert audit_words.text("R2027-000123") == "R2027-000123"


def test_a_person_is_named_by_full_name_or_user_name(clerk, admin_user):
    clerk.last_name = "Nakamura"
    assert audit_words.person(clerk) == "Clerk1 Nakamura"
    assert audit_words.person(admin_user) == "sysadmin" and audit_words.person(None) == "system"


def test_the_shared_history_panel_shows_plain_words_and_names(client, supervisor, party):
    supervisor.first_name, supervisor.last_name = "Dana", "Whitfield"
    supervisor.save()
    core.audit(
        actor=supervisor,
        action="party.changed",
        obj=party,
        before={"status_on": datetime.date(2026, 11, 30), "tags": ["walk_in"]},
        after={"status_on": datetime.date(2026, 12, 31), "tags": ["walk_in", "mail_only"]},
    )
    client.force_login(supervisor)
    page = client.get(reverse("party_detail", args=[party.number])).content.decode()
    panel = page.split("audit-change", 1)[1] if "audit-change" in page else page
    assert "Dana Whitfield" in page
    assert "<strong>Status on</strong>: <del>11/30/2026</del> → 12/31/2026" in panel
    assert "<strong>Tags</strong>: <del>walk in</del> → walk in, mail only" in panel
    assert "[&#x27;" not in page and "status_on" not in page and "2026-12-31" not in page
