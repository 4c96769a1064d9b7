"""Überleitung anlegen through the web wizard: every step against the real app and Neo4j,
the records it writes, the errors at the fields and the Doppelbetreuung warning."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from graph import Graph
from tests.browser.helpers import load_demo
from tests.webclient import csrf_of, sign_in, web_client


@pytest.fixture(scope="module")
def demo_graph(graph: Graph) -> Graph:
    load_demo(graph, "small")
    return graph


@pytest.fixture
def client(demo_graph: Graph) -> Iterator[TestClient]:
    with web_client(demo_graph) as c:
        assert sign_in(c, "fallmanagement").status_code == 303
        yield c


def _service(graph: Graph) -> tuple[str, str]:
    rows = graph.query(
        "MATCH (:Organization {id: 'caritas-stuttgart'})-[:PROVIDES]->(s:Service)"
        "-[:IN_CATEGORY]->(c:Category) WHERE s.status = 'active' "
        "MATCH (s)-[:SERVES]->(a:Area) RETURN s.id AS id, c.id AS category, a.name AS area "
        "ORDER BY s.id LIMIT 1"
    )
    assert rows
    return str(rows[0]["id"]), str(rows[0]["category"])


def _post(client: TestClient, path: str, **fields: str | list[str]) -> object:
    token = csrf_of(client.get(path).text)
    return client.post(path, data={"csrf_token": token, **fields})


def test_new_family_need_and_consent_become_one_referral(
    client: TestClient, demo_graph: Graph
) -> None:
    service, category = _service(demo_graph)
    start = client.get(f"/ueberleitungen/neu?angebot={service}&bedarf={category}")
    assert start.status_code == 303
    assert start.headers["location"] == "/ueberleitungen/neu/familie"

    # Step 1 without an answer: the error is at the field.
    empty = _post(client, "/ueberleitungen/neu/familie")
    assert empty.status_code == 200  # type: ignore[attr-defined]
    assert 'id="familie-fehler"' in empty.text  # type: ignore[attr-defined]
    family = _post(
        client,
        "/ueberleitungen/neu/familie",
        familie="neu",
        wohnort="Bad Cannstatt",
        haushaltstyp="alleinerziehend",
        alter=["25-34", "3-5"],
    )
    assert family.headers["location"] == "/ueberleitungen/neu/bedarf"  # type: ignore[attr-defined]
    need = _post(client, "/ueberleitungen/neu/bedarf", bedarf="neu", bereich=category)
    assert need.headers["location"] == "/ueberleitungen/neu/einwilligung"  # type: ignore[attr-defined]
    # A consent valid until yesterday is refused at its field.
    late = _post(
        client,
        "/ueberleitungen/neu/einwilligung",
        einwilligung="neu",
        daten=["stammdaten", "bedarfslage"],
        gueltig_bis="01.01.2020",
        nachweis="gespraech",
    )
    assert 'id="gueltig_bis-fehler"' in late.text  # type: ignore[attr-defined]
    consent = _post(
        client,
        "/ueberleitungen/neu/einwilligung",
        einwilligung="neu",
        daten=["stammdaten", "bedarfslage"],
        gueltig_bis="31.12.2030",
        nachweis="schriftlich",
        schriftlich_am="01.12.2026",
    )
    assert consent.headers["location"] == "/ueberleitungen/neu/pruefen"  # type: ignore[attr-defined]
    check = client.get("/ueberleitungen/neu/pruefen")
    assert "Angaben prüfen" in check.text
    assert "schriftlich am 01.12.2026" in check.text
    done = _post(client, "/ueberleitungen/neu/pruefen", notiz="Schulden seit Trennung")
    location = done.headers["location"]  # type: ignore[attr-defined]
    assert location.startswith("/ueberleitungen/ref-")
    referral = location.split("/")[2].split("?")[0]
    (row,) = demo_graph.query(
        "MATCH (r:Referral {id: $id})-[:FOR_HOUSEHOLD]->(h:Household), "
        "(r)-[:UNDER_CONSENT]->(c:Consent), (r)-[:FOR_NEED]->(n:Need)-[:OF_CATEGORY]->(k), "
        "(r)-[:TO_SERVICE]->(s:Service), (h)-[:CASE_OF]->(o:Organization) "
        "RETURN r.status AS status, h.household_type AS type, h.age_bands AS ages, "
        "c.data_categories AS data, c.evidence AS evidence, k.id AS category, s.id AS service, "
        "o.id AS office",
        {"id": referral},
    )
    assert row["status"] == "created"
    assert row["type"] == "alleinerziehend"
    assert sorted(row["ages"]) == ["25-34", "3-5"]
    assert sorted(row["data"]) == ["bedarfslage", "stammdaten"]
    assert row["evidence"] == "schriftlich am 01.12.2026"
    assert (row["category"], row["service"], row["office"]) == (
        category,
        service,
        "jobcenter-stuttgart",
    )


def test_second_open_referral_for_the_same_need_is_warned_and_needs_a_yes(
    client: TestClient, demo_graph: Graph
) -> None:
    (row,) = demo_graph.query(
        "MATCH (r:Referral {status: 'created'})-[:FROM_ORGANIZATION]->"
        "(:Organization {id: 'jobcenter-stuttgart'}), (r)-[:FOR_HOUSEHOLD]->(h), "
        "(r)-[:FOR_NEED]->(n), (r)-[:TO_SERVICE]->(s), (r)-[:UNDER_CONSENT]->(c) "
        "WHERE c.revoked_at IS NULL AND (c.valid_to IS NULL OR c.valid_to >= date()) "
        "RETURN h.id AS household, n.id AS need, s.id AS service, c.id AS consent, r.id AS ref "
        "ORDER BY r.id LIMIT 1"
    )
    client.get(f"/ueberleitungen/neu?angebot={row['service']}")
    _post(client, "/ueberleitungen/neu/familie", familie="bekannt", pseudonym=row["household"])
    _post(client, "/ueberleitungen/neu/bedarf", bedarf=row["need"])
    _post(client, "/ueberleitungen/neu/einwilligung", einwilligung=row["consent"])
    check = client.get("/ueberleitungen/neu/pruefen")
    assert "schon eine offene Überleitung für diesen Bedarf" in check.text
    assert f"/ueberleitungen/{row['ref']}" in check.text
    before = demo_graph.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"]
    refused = _post(client, "/ueberleitungen/neu/pruefen")
    assert 'id="trotzdem-fehler"' in refused.text  # type: ignore[attr-defined]
    assert demo_graph.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"] == before
    confirmed = _post(client, "/ueberleitungen/neu/pruefen", trotzdem="ja")
    assert confirmed.headers["location"].startswith("/ueberleitungen/ref-")  # type: ignore[attr-defined]
    assert demo_graph.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"] == before + 1


def test_unknown_pseudonym_and_other_offices_families_are_not_found(
    client: TestClient, demo_graph: Graph
) -> None:
    service, _ = _service(demo_graph)
    client.get(f"/ueberleitungen/neu?angebot={service}")
    unknown = _post(client, "/ueberleitungen/neu/familie", familie="bekannt", pseudonym="hh-zzz")
    assert "gibt es in Ihren Fällen nicht" in unknown.text  # type: ignore[attr-defined]
    (other,) = demo_graph.query(
        "MATCH (h:Household) WHERE NOT EXISTS { (h)<-[:FOR_HOUSEHOLD]-(:Referral)-"
        "[:FROM_ORGANIZATION]->(:Organization {id: 'jobcenter-stuttgart'}) } "
        "AND NOT EXISTS { (h)-[:CASE_OF]->(:Organization {id: 'jobcenter-stuttgart'}) } "
        "RETURN h.id AS id LIMIT 1"
    )
    foreign = _post(client, "/ueberleitungen/neu/familie", familie="bekannt", pseudonym=other["id"])
    assert "gibt es in Ihren Fällen nicht" in foreign.text  # type: ignore[attr-defined]


def test_wizard_is_for_caseworkers_only(demo_graph: Graph) -> None:
    with web_client(demo_graph) as partner:
        sign_in(partner, "traeger")
        assert partner.get("/ueberleitungen/neu?angebot=x").status_code == 403


def test_the_check_page_sent_twice_creates_one_referral(
    client: TestClient, demo_graph: Graph
) -> None:
    """A double click (or a reload after a lost answer) sends the last form twice, both with
    the session as it was: the hidden key of the rendered page makes the second send replay
    the first one's family, need, consent and referral instead of writing them again."""
    service, category = _service(demo_graph)
    client.get(f"/ueberleitungen/neu?angebot={service}&bedarf={category}")
    family = _post(
        client,
        "/ueberleitungen/neu/familie",
        familie="neu",
        wohnort="Bad Cannstatt",
        haushaltstyp="paar-mit-kindern",
        alter=["35-44"],
    )
    assert family.headers["location"] == "/ueberleitungen/neu/bedarf"  # type: ignore[attr-defined]
    _post(client, "/ueberleitungen/neu/bedarf", bedarf="neu", bereich=category)
    consent = _post(
        client,
        "/ueberleitungen/neu/einwilligung",
        einwilligung="neu",
        daten=["stammdaten"],
        gueltig_bis="31.12.2030",
        nachweis="gespraech",
    )
    assert consent.headers["location"] == "/ueberleitungen/neu/pruefen"  # type: ignore[attr-defined]
    page = client.get("/ueberleitungen/neu/pruefen").text
    found = re.search(r'name="vorgang" value="([^"]+)"', page)
    assert found is not None
    form = {"csrf_token": csrf_of(page), "vorgang": found.group(1), "notiz": "Doppelt geklickt"}
    before = demo_graph.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"]
    households = demo_graph.query("MATCH (h:Household) RETURN count(h) AS n")[0]["n"]
    session = dict(client.cookies)
    first = client.post("/ueberleitungen/neu/pruefen", data=form)
    client.cookies.clear()
    client.cookies.update(session)
    second = client.post("/ueberleitungen/neu/pruefen", data=form)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert first.headers["location"].startswith("/ueberleitungen/ref-")
    assert demo_graph.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"] == before + 1
    assert demo_graph.query("MATCH (h:Household) RETURN count(h) AS n")[0]["n"] == households + 1
