"""Plates typed with a state: "HI MOM" is plate MOM of Hawaii only when Hawaii's MOM is on file;
otherwise it is the vanity plate HIMOM; when both are on file, the lookup and the counter ask."""

from django.urls import reverse

from parking import selectors
from tests.parking.test_counter_review import _basket_numbers


def test_hi_mom_without_a_hawaii_plate_mom_is_the_plate_himom(client, clerk, open_session, cite):
    vanity = cite(days=3, plate="HIMOM", state="CA")
    found, label = selectors.lookup("HI MOM")
    assert found == [vanity] and label == "Plate HIMOM"
    assert selectors.lookup("MOM HI")[0] == []  # MOMHI: no such plate, and no MOM in Hawaii
    client.force_login(clerk)
    client.post(reverse("cashiering:basket"), {"action": "find", "q": "HI MOM"})
    assert _basket_numbers(client) == [vanity.number]


def test_hi_mom_with_a_hawaii_plate_mom_only_is_that_plate(client, clerk, open_session, cite):
    hawaii = cite(days=3, plate="MOM", state="HI")
    cite(days=3, plate="MOM", state="CA")
    found, label = selectors.lookup("HI MOM")
    assert found == [hawaii] and label == "Plate MOM HI"
    assert selectors.lookup("MOM HI")[0] == [hawaii]
    client.force_login(clerk)
    client.post(reverse("cashiering:basket"), {"action": "find", "q": "HI MOM"})
    assert _basket_numbers(client) == [hawaii.number]


def test_hi_mom_with_both_on_file_asks_which(client, clerk, open_session, cite):
    hawaii, vanity = cite(days=3, plate="MOM", state="HI"), cite(days=3, plate="HIMOM", state="CA")
    assert selectors.lookup("HI MOM") == ([], "")
    assert [r.typed for r in selectors.plate_readings("HI MOM")] == ["HI/MOM", "HIMOM"]
    client.force_login(clerk)
    page = client.get(reverse("parking:citation_lookup"), {"q": "HI MOM"})
    html = page.content.decode()
    assert 'id="choices"' in html and "?q=HI/MOM" in html and "?q=HIMOM" in html
    assert [(r.label, n) for r, n in page.context["choices"]] == [("Plate MOM HI", 1), ("Plate HIMOM", 1)]
    assert [
        c for c, _o in client.get(reverse("parking:citation_lookup"), {"q": "HI/MOM"}).context["rows"]
    ] == [hawaii]

    response = client.post(reverse("cashiering:basket"), {"action": "find", "q": "HI MOM"}, follow=True)
    text = response.content.decode()
    assert "reads as two plates on file" in text and "type HI/MOM" in text and "type HIMOM" in text
    assert _basket_numbers(client) == []
    client.post(reverse("cashiering:basket"), {"action": "find", "q": "HI/MOM"})
    assert _basket_numbers(client) == [hawaii.number]
    client.post(reverse("cashiering:basket"), {"action": "find", "q": "HIMOM"})
    assert _basket_numbers(client) == [hawaii.number, vanity.number]
