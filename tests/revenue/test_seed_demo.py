"""The demo city loads once, through the real services, and leaves a balanced ledger."""

from django.contrib.auth.models import User
from django.core.management import call_command

from revenue import selectors, services
from revenue.models import Fund, JournalEntry, Party


def test_seed_demo_loads_once_with_one_user_per_role(role_groups, capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "Demo data loaded." in first and "counter-demo" in first
    entries, parties = JournalEntry.objects.count(), Party.objects.count()
    assert {f.name for f in Fund.objects.all()} == {
        "General Fund",
        "Parking Fund",
        "Water Fund",
        "Wastewater Fund",
    }
    assert parties >= 30
    for username, role in [
        ("clerk1", "Account Services Representative I"),
        ("supervisor", "Revenue Supervisor"),
        ("auditor", "Auditor"),
        ("field", "Field Crew"),
    ]:
        assert User.objects.get(username=username).groups.get().name == role

    call_command("seed_demo")
    assert "already loaded" in capsys.readouterr().out
    assert (JournalEntry.objects.count(), Party.objects.count()) == (entries, parties)

    tb = selectors.trial_balance(as_of=services.city_today())
    assert tb.in_balance and all(group.in_balance for group in tb.by_fund)
    # the water connection, parking permits, the utility's bills and deposits (water and sewer)
    assert {g.fund.code for g in tb.by_fund} == {"100", "240", "501", "502"}
