"""The party page shows a person's parking permits, offers a new permit and a new invoice, and
the permit page has the counter button."""

from django.urls import reverse

from parking.services import permit_apply
from receivables import demo as ar_demo


def test_the_party_page_lists_permits_and_offers_new_ones(
    client, clerk, policy, permit_types, party, admin_user
):

    ar_demo.load_receivables(acting_user=admin_user)
    permit = permit_apply(
        party=party,
        permit_type=permit_types["RES"],
        address="220 Elm St",
        unit="",
        plate="8ABC123",
        plate_state="CA",
        acting_user=clerk,
    )
    client.force_login(clerk)
    page = client.get(reverse("party_detail", args=[party.number])).content.decode()
    assert permit.number in page and "8ABC123" in page
    assert f"/parking/permits/new/?party={party.number}" in page
    assert f"/receivables/invoices/new/?party={party.number}" in page
    detail = client.get(permit.get_absolute_url()).content.decode()
    assert 'id="pay-now"' in detail and f'name="q" value="{permit.number}"' in detail
