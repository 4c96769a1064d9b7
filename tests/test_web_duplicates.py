"""The Dubletten page of the coordination area: suggestions with evidence, Bestätigen merges,
Ablehnen is remembered (through confirmDuplicate / rejectDuplicate)."""

from __future__ import annotations

from graph import Graph
from graph.repo import link_decisions
from loaders.demo.organizations import DUPLICATE_RECORDS
from tests.browser.helpers import load_demo
from tests.webclient import csrf_of, sign_in, web_client


def test_coordinator_confirms_and_rejects_suggestions(graph: Graph) -> None:
    load_demo(graph, "small")
    with web_client(graph) as client:
        sign_in(client, "koordination")
        page = client.get("/dubletten")
        assert page.status_code == 200
        assert "Derselbe Träger (3)" in page.text
        assert "gleiche Website release-stuttgart.example" in page.text
        first, second = DUPLICATE_RECORDS[0], DUPLICATE_RECORDS[1]
        token = csrf_of(page.text)
        rejected = client.post(
            "/dubletten/ablehnen",
            data={"csrf_token": token, "a": first.original_id, "b": first.id, "ergebnis": "same"},
            follow_redirects=False,
        )
        assert rejected.status_code == 303
        after = client.get(rejected.headers["location"])
        assert "Abgelehnt. Das Paar wird nicht wieder vorgeschlagen." in after.text
        assert "Derselbe Träger (2)" in after.text
        confirmed = client.post(
            "/dubletten/bestaetigen",
            data={"csrf_token": token, "a": second.original_id, "b": second.id, "ergebnis": "same"},
            follow_redirects=False,
        )
        assert confirmed.status_code == 303
        assert "Derselbe Träger (1)" in client.get("/dubletten").text
        assert graph.query("MATCH (o:Organization {id: $id}) RETURN o", {"id": second.id}) == []
        verdicts = {(d.a_id, d.b_id): d.verdict for d in link_decisions.decisions(graph)}
        assert verdicts[tuple(sorted((first.id, first.original_id)))] == "rejected"
        assert verdicts[tuple(sorted((second.id, second.original_id)))] == "confirmed"
        # Without the form's token nothing happens.
        refused = client.post(
            "/dubletten/ablehnen",
            data={"a": "x", "b": "y", "ergebnis": "same"},
            follow_redirects=False,
        )
        assert refused.status_code == 400
        assert len(link_decisions.decisions(graph)) == 2
