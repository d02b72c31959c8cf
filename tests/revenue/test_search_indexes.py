"""The one search at scale (issue 16.4): what a short word matches, and every way of finding a
party or a document is an index lookup (the plan with sequential scans switched off holds no
sequential scan of the table, so an unindexable condition shows here, not at a million rows)."""

import pytest
from django.db import connection

from revenue import selectors, services


@pytest.fixture
def people(admin_user):
    rows = [
        ("Li, Wei", "12 Oak St", "95002", "(555) 201-3344", "wei@example.org"),
        ("Smith, Jo", "7 Cedar Ave", "95003", "", ""),
        ("Lindqvist, Anna", "400 Li Way", "95004", "555.777.1234", ""),
        ("Olivares, Mateo", "88 Harbor Blvd", "95005", "", "MATEO@Example.org"),
    ]
    return {
        name: services.party_create(
            acting_user=admin_user,
            kind="person",
            name=name,
            address_line1=address,
            postal_code=postal,
            phone=phone,
            email=email,
        )
        for name, address, postal, phone, email in rows
    }


def names(query):
    return sorted(p.name for p in selectors.party_search(query))


def test_a_short_word_alone_matches_the_start_of_a_name_or_address(people):
    assert names("Li") == ["Li, Wei", "Lindqvist, Anna"]
    assert names("12") == ["Li, Wei"]
    # not the middle of a word: "li" is inside "Olivares", which a two-letter word does not find
    assert "Olivares, Mateo" not in names("li")


def test_a_short_word_beside_a_longer_one_matches_the_start_of_any_word(people):
    assert names("Smith Jo") == ["Smith, Jo"]
    assert names("Jo Smith") == ["Smith, Jo"]
    assert names("Smith Ja") == []
    assert names("Anna Li") == ["Lindqvist, Anna"]  # "Li" starts "Lindqvist" and "Li Way"


def test_number_email_postal_code_and_phone_whatever_their_case_or_punctuation(people):
    wei = people["Li, Wei"]
    assert names(wei.number.lower()) == ["Li, Wei"]
    assert names("mateo@example.ORG") == ["Olivares, Mateo"]
    assert names("95003") == ["Smith, Jo"]
    assert names("555-777-1234") == ["Lindqvist, Anna"]
    assert names("201-3344") == ["Li, Wei"]
    assert names("3344") == []  # seven digits are needed before a query is taken as a phone


def _plan(sql, params):
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.mark.parametrize(
    "query",
    [
        "Okafor",
        "Garcia Maria",
        "Li",
        "Ito Ja",
        "4711 Cedar",
        "P0123456",
        "95123",
        "555-123-4567",
        "p3@example.org",
    ],
)
def test_every_way_of_finding_a_party_is_an_index_lookup(people, query):
    sql, params = selectors.party_search(query).query.sql_with_params()
    plan = _plan(sql, params)
    assert "Seq Scan on revenue_party" not in plan, plan


@pytest.mark.parametrize(
    ("model", "field"),
    [("JournalEntry", "number"), ("Payment", "reference"), ("Charge", "source_number")],
)
def test_documents_are_found_by_number_through_an_index(db, model, field):
    from revenue import models

    qs = getattr(models, model).objects.filter(**{f"{field}__iexact": "R2027-000001"})
    sql, params = qs.query.sql_with_params()
    plan = _plan(sql, params)
    assert "Seq Scan" not in plan, plan
