"""Die Seite einer Familie for caseworkers: change the household, change and end a need, close
the case, narrow a consent and add its evidence; through the real app and Neo4j, with the
records written, the errors at the fields, stale versions, and who may not reach the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.web import german
from graph import Graph
from graph.audit import query_events
from tests.browser.helpers import load_demo
from tests.webclient import csrf_of, sign_in, web_client

OWN = "jobcenter-stuttgart"
# A case of the own office: recorded by it, or referred by it (the demo's households).
OWN_CASE = (
    "(EXISTS { (h)-[:CASE_OF]->(:Organization {id: $org}) } OR EXISTS { "
    "(h)<-[:FOR_HOUSEHOLD]-(:Referral)-[:FROM_ORGANIZATION]->(:Organization {id: $org}) })"
)


@pytest.fixture(scope="module")
def demo_graph(graph: Graph) -> Graph:
    load_demo(graph, "small")
    return graph


@pytest.fixture
def client(demo_graph: Graph) -> Iterator[TestClient]:
    with web_client(demo_graph) as c:
        assert sign_in(c, "fallmanagement").status_code == 303
        yield c


_TAKEN: set[str] = set()


def _family(graph: Graph, *, consent: bool = False) -> str:
    """An open case of the own office with an open need (each test takes its own)."""
    rows = graph.query(
        "MATCH (h:Household) WHERE " + OWN_CASE + " "
        "AND h.closed_on IS NULL AND EXISTS { (h)-[:HAS_NEED]->(:Need {status: 'open'}) } "
        "AND (NOT $consent OR EXISTS { (c:Consent)-[:GIVEN_BY]->(h) "
        "  WHERE c.revoked_at IS NULL AND size(c.data_categories) > 1 "
        "  AND c.valid_to > date() + duration({days: 30}) }) "
        "RETURN h.id AS id ORDER BY h.id",
        {"org": OWN, "consent": consent},
    )
    for row in rows:
        if row["id"] not in _TAKEN:
            _TAKEN.add(str(row["id"]))
            return str(row["id"])
    raise AssertionError("keine passende Familie in der Demo")


def _household(graph: Graph, ident: str) -> dict[str, Any]:
    (row,) = graph.query(
        "MATCH (h:Household {id: $id})-[:LIVES_IN]->(a:Area) "
        "RETURN h.household_type AS type, h.age_bands AS ages, h.version AS version, "
        "h.closed_on AS closed, a.name AS area",
        {"id": ident},
    )
    return dict(row)


def _open_need(graph: Graph, household: str) -> str:
    rows = graph.query(
        "MATCH (:Household {id: $id})-[:HAS_NEED]->(n:Need {status: 'open'}) "
        "RETURN n.id AS id ORDER BY n.id LIMIT 1",
        {"id": household},
    )
    return str(rows[0]["id"])


def _post(client: TestClient, path: str, **fields: Any) -> Any:
    page = client.get(path)
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_of(page.text), **fields}
    found = re.search(r'name="version" value="(\d+)"', page.text)
    if found and "version" not in fields:
        data["version"] = found.group(1)
    return client.post(path, data=data)


def test_the_family_page_shows_the_case_and_links_each_change(
    client: TestClient, demo_graph: Graph
) -> None:
    household = _family(demo_graph)
    need = _open_need(demo_graph, household)
    page = client.get(f"/familien/{household}")
    assert page.status_code == 200
    assert household in page.text
    assert f'href="/familien/{household}/aendern"' in page.text
    assert f'href="/familien/{household}/bedarfe/{need}/aendern"' in page.text
    assert f'href="/familien/{household}/bedarfe/{need}/beenden"' in page.text
    assert f'href="/familien/{household}/abschliessen"' in page.text
    assert "Handlungsbedarfe" in page.text
    assert "Einwilligungen" in page.text
    # A referral's page links to the family.
    (referral,) = demo_graph.query(
        "MATCH (r:Referral)-[:FOR_HOUSEHOLD]->(:Household {id: $h}) "
        "RETURN r.id AS id ORDER BY r.id LIMIT 1",
        {"h": household},
    )
    shown = client.get(f"/ueberleitungen/{referral['id']}")
    assert f'href="/familien/{household}"' in shown.text


def test_a_caseworker_changes_the_households_details(client: TestClient, demo_graph: Graph) -> None:
    household = _family(demo_graph)
    before = _household(demo_graph, household)
    path = f"/familien/{household}/aendern"

    wrong = _post(client, path, wohnort="Atlantis", haushaltstyp="", alter=["0-2"])
    assert wrong.status_code == 400
    assert 'href="#wohnort"' in wrong.text
    assert 'href="#haushaltstyp"' in wrong.text
    assert 'id="wohnort-fehler"' in wrong.text
    assert 'id="haushaltstyp-fehler"' in wrong.text
    assert "Wählen Sie, wie die Familie zusammenlebt." in wrong.text
    assert _household(demo_graph, household) == before

    done = _post(
        client,
        path,
        wohnort="Bad Cannstatt",
        haushaltstyp="paar-mit-kindern",
        alter=["0-2", "25-34"],
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/familien/{household}?erfolg=familie-geaendert"
    after = _household(demo_graph, household)
    assert (after["type"], sorted(after["ages"]), after["area"]) == (
        "paar-mit-kindern",
        ["0-2", "25-34"],
        "Bad Cannstatt",
    )
    assert after["version"] == before["version"] + 1
    shown = client.get(done.headers["location"])
    assert "Angaben der Familie gespeichert." in shown.text
    assert "Paar mit Kindern" in shown.text
    events = query_events(demo_graph, record=f"Household:{household}", limit=5)
    assert any("updateHousehold" in e.operation and e.action == "write" for e in events)


def test_a_form_sent_twice_writes_once(client: TestClient, demo_graph: Graph) -> None:
    household = _family(demo_graph)
    before = _household(demo_graph, household)
    path = f"/familien/{household}/aendern"
    page = client.get(path).text
    key = re.search(r'name="vorgang" value="([^"]+)"', page)
    assert key is not None
    form = {
        "csrf_token": csrf_of(page),
        "version": str(before["version"]),
        "vorgang": key.group(1),
        "wohnort": "Bad Cannstatt",
        "haushaltstyp": "mehrgenerationen",
    }
    first = client.post(path, data=form)
    again = client.post(path, data=form)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert _household(demo_graph, household)["version"] == before["version"] + 1


def test_a_stale_form_changes_nothing_and_shows_the_new_state(
    client: TestClient, demo_graph: Graph
) -> None:
    household = _family(demo_graph)
    before = _household(demo_graph, household)
    answer = _post(
        client,
        f"/familien/{household}/aendern",
        wohnort="Bad Cannstatt",
        haushaltstyp="alleinstehend",
        version=str(before["version"] - 1),
    )
    assert answer.status_code == 409
    assert "inzwischen geändert" in answer.text
    assert _household(demo_graph, household) == before


def test_a_caseworker_changes_and_ends_a_need(client: TestClient, demo_graph: Graph) -> None:
    household = _family(demo_graph)
    need = _open_need(demo_graph, household)
    (current,) = demo_graph.query(
        "MATCH (n:Need {id: $id})-[:OF_CATEGORY]->(c) RETURN c.id AS category", {"id": need}
    )
    other = demo_graph.query(
        "MATCH (c:Category) WHERE c.id <> $c RETURN c.id AS id ORDER BY c.id LIMIT 1",
        {"c": current["category"]},
    )[0]["id"]
    change = f"/familien/{household}/bedarfe/{need}/aendern"
    tomorrow = german.datum(german.today() + timedelta(days=1))
    wrong = _post(client, change, bereich=other, festgestellt_am=tomorrow)
    assert wrong.status_code == 400
    assert 'id="festgestellt_am-fehler"' in wrong.text
    done = _post(client, change, bereich=other, festgestellt_am="02.11.2026")
    assert done.headers["location"] == f"/familien/{household}?erfolg=bedarf-geaendert"
    (row,) = demo_graph.query(
        "MATCH (n:Need {id: $id})-[:OF_CATEGORY]->(c) "
        "RETURN c.id AS category, n.identified_on AS on, n.status AS status",
        {"id": need},
    )
    assert (row["category"], row["on"].to_native(), row["status"]) == (
        other,
        date(2026, 11, 2),
        "open",
    )

    end = f"/familien/{household}/bedarfe/{need}/beenden"
    unanswered = _post(client, end)
    assert unanswered.status_code == 400
    assert 'id="ergebnis-fehler"' in unanswered.text
    ended = _post(client, end, ergebnis="MET")
    assert ended.headers["location"] == f"/familien/{household}?erfolg=bedarf-beendet"
    (row,) = demo_graph.query("MATCH (n:Need {id: $id}) RETURN n.status AS s", {"id": need})
    assert row["s"] == "met"
    page = client.get(ended.headers["location"])
    assert "Bedarf beendet." in page.text
    assert "erfüllt" in page.text
    assert f"/bedarfe/{need}/aendern" not in page.text
    # An ended need's pages send back to the family.
    assert client.get(end).status_code == 303


def test_closing_a_case_says_what_happens_then_closes_its_needs(
    client: TestClient, demo_graph: Graph
) -> None:
    household = _family(demo_graph)
    path = f"/familien/{household}/abschliessen"
    confirm = client.get(path)
    assert confirm.status_code == 200
    for words in (
        "Fall abschließen?",
        "werden die offenen Bedarfe beendet",
        "bleibt der Verlauf erhalten",
        "keine neuen Bedarfe und Einwilligungen",
        "Ja, Fall abschließen",
    ):
        assert words in confirm.text
    future = german.datum(german.today() + timedelta(days=3))
    wrong = _post(client, path, abgeschlossen_am=future)
    assert wrong.status_code == 400
    assert 'id="abgeschlossen_am-fehler"' in wrong.text
    assert _household(demo_graph, household)["closed"] is None

    done = _post(client, path, abgeschlossen_am=german.datum(german.today()))
    assert done.headers["location"] == f"/familien/{household}?erfolg=fall-abgeschlossen"
    assert _household(demo_graph, household)["closed"].to_native() == german.today()
    still_open = demo_graph.query(
        "MATCH (:Household {id: $id})-[:HAS_NEED]->(n:Need {status: 'open'}) RETURN n",
        {"id": household},
    )
    assert still_open == []
    page = client.get(done.headers["location"])
    assert "Fall abgeschlossen am" in page.text
    assert f'href="/familien/{household}/aendern"' not in page.text
    # The change pages of a closed case lead back to it.
    assert client.get(f"/familien/{household}/aendern").status_code == 303
    assert client.get(path).status_code == 303


def test_a_consent_is_narrowed_and_its_evidence_recorded_but_never_widened(
    client: TestClient, demo_graph: Graph
) -> None:
    household = _family(demo_graph, consent=True)
    (consent,) = demo_graph.query(
        "MATCH (c:Consent)-[:GIVEN_BY]->(:Household {id: $id}) "
        "WHERE c.revoked_at IS NULL AND size(c.data_categories) > 1 "
        "AND c.valid_to > date() + duration({days: 30}) "
        "MATCH (c)-[:GRANTS_TO]->(o:Organization) "
        "RETURN c.id AS id, c.data_categories AS data, c.valid_to AS until, "
        "collect(o.id) AS orgs ORDER BY c.id LIMIT 1",
        {"id": household},
    )
    path = f"/familien/{household}/einwilligungen/{consent['id']}/aendern"
    until = consent["until"].to_native()
    later = _post(
        client,
        path,
        traeger=consent["orgs"],
        daten=consent["data"],
        gueltig_bis=german.datum(until + timedelta(days=30)),
    )
    assert later.status_code == 400
    assert 'id="gueltig_bis-fehler"' in later.text
    assert "neue Einwilligung" in later.text

    kept = sorted(consent["data"])[:1]
    earlier = until - timedelta(days=10)
    done = _post(
        client,
        path,
        traeger=consent["orgs"],
        daten=kept,
        gueltig_bis=german.datum(earlier),
        nachweis="WRITTEN",
        erteilt_am="01.12.2026",
    )
    assert done.headers["location"] == f"/familien/{household}?erfolg=einwilligung-geaendert"
    (row,) = demo_graph.query(
        "MATCH (c:Consent {id: $id}) RETURN c.data_categories AS data, c.valid_to AS until, "
        "c.evidence AS evidence",
        {"id": consent["id"]},
    )
    assert (list(row["data"]), row["until"].to_native(), row["evidence"]) == (
        kept,
        earlier,
        "schriftlich am 01.12.2026",
    )
    assert "schriftlich am 01.12.2026" in client.get(done.headers["location"]).text


@pytest.mark.parametrize("who", ["traeger", "planung", "koordination"])
def test_other_roles_never_reach_the_family_pages(demo_graph: Graph, who: str) -> None:
    household = demo_graph.query(
        "MATCH (h:Household) WHERE " + OWN_CASE + " "
        "MATCH (h)-[:HAS_NEED]->(n:Need) RETURN h.id AS id, n.id AS need ORDER BY h.id LIMIT 1",
        {"org": OWN},
    )[0]
    before = _household(demo_graph, str(household["id"]))
    base = f"/familien/{household['id']}"
    with web_client(demo_graph) as c:
        assert sign_in(c, who).status_code == 303
        token = csrf_of(c.get("/").text)
        for path in (
            base,
            f"{base}/aendern",
            f"{base}/abschliessen",
            f"{base}/bedarfe/{household['need']}/aendern",
            f"{base}/bedarfe/{household['need']}/beenden",
        ):
            page = c.get(path)
            assert page.status_code == 403, path
            assert "Kein Zugriff" in page.text
            sent = c.post(path, data={"csrf_token": token, "version": "1"})
            assert sent.status_code in (403, 405), path
    assert _household(demo_graph, str(household["id"])) == before


def test_signed_out_goes_to_the_login_and_another_offices_case_is_not_found(
    client: TestClient, demo_graph: Graph
) -> None:
    household = _family(demo_graph)
    with web_client(demo_graph) as anonymous:
        answer = anonymous.get(f"/familien/{household}")
        assert answer.status_code in (302, 303, 401)
    foreign = demo_graph.query(
        "MATCH (h:Household) WHERE NOT " + OWN_CASE + " RETURN h.id AS id LIMIT 1",
        {"org": OWN},
    )
    if not foreign:
        pytest.skip("die kleine Demo hat keinen Fall einer anderen Stelle")
    page = client.get(f"/familien/{foreign[0]['id']}")
    assert page.status_code == 404
    assert "Seite nicht gefunden" in page.text
