"""The demo city's collection: the states the screens and the access matrix rely on."""

from utility_billing import demo
from utility_billing.collect_selectors import disconnections_by_year, shutoff_list
from utility_billing.demo_collect import load_collection


def test_the_demo_has_an_account_in_each_state_of_collection(accounts, admin_user, field_crew):
    utility = demo.load_utility(acting_user=admin_user)
    loaded = load_collection(admin_user, utility)
    picked = loaded["collect_accounts"]
    listed = {d.number: d for d in shutoff_list(everyone=True)}
    assert listed[picked["shutoff"].number].eligible
    assert not listed[picked["medical"].number].eligible  # certified, a plan asked for
    assert listed[picked["plan"].number].why_not == "On a payment plan"
    assert listed[picked["notice_due"].number].why_not == "40 days delinquent; 60 needed"
    assert sum(y["disconnections"] for y in disconnections_by_year()) == 1
    assert loaded["collect_plan"].installments.count() == 4
