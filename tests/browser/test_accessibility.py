"""axe-core (WCAG 2.1 A/AA) on every page of the web application, as the role that uses it:
0 serious or critical violations. The referral loop's own test covers the wizard's steps."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from graph import Graph
from loaders.demo import Demo
from tests.browser.helpers import BrowserWatch, assert_accessible, login, screenshot


def _ids(graph: Graph) -> dict[str, str]:
    def one(cypher: str) -> str:
        rows = graph.query(cypher)  # type: ignore[arg-type]
        assert rows, cypher
        return str(rows[0]["id"])

    found = {
        "service": one(
            "MATCH (:Organization {id: 'caritas-stuttgart'})-[:PROVIDES]->(s:Service) "
            "RETURN s.id AS id ORDER BY id LIMIT 1"
        ),
        "sent": one(
            "MATCH (r:Referral {status: 'created'})-[:FROM_ORGANIZATION]->"
            "(:Organization {id: 'jobcenter-stuttgart'}) RETURN r.id AS id ORDER BY id LIMIT 1"
        ),
        # A family the Jobcenter referred, with an open need and a consent in force.
        "family": one(
            "MATCH (:Organization {id: 'jobcenter-stuttgart'})<-[:FROM_ORGANIZATION]-(:Referral)"
            "-[:FOR_HOUSEHOLD]->(h:Household)<-[:GIVEN_BY]-(c:Consent) "
            "WHERE c.revoked_at IS NULL AND EXISTS { (h)-[:HAS_NEED]->(:Need {status: 'open'}) } "
            "RETURN h.id AS id ORDER BY id LIMIT 1"
        ),
        "received": one(
            "MATCH (r:Referral {status: 'created'})-[:TO_SERVICE]->(:Service)<-[:PROVIDES]-"
            "(o:Organization {id: 'caritas-stuttgart'}), (r)-[:UNDER_CONSENT]->(c:Consent)"
            "-[:GRANTS_TO]->(o) WHERE c.revoked_at IS NULL AND (c.valid_to IS NULL OR "
            "c.valid_to >= date()) RETURN r.id AS id ORDER BY r.created_at DESC LIMIT 1"
        ),
    }
    family = {"id": found["family"]}
    found["need"] = str(
        graph.query(
            "MATCH (:Household {id: $id})-[:HAS_NEED]->(n:Need {status: 'open'}) "
            "RETURN n.id AS id ORDER BY id LIMIT 1",
            family,
        )[0]["id"]
    )
    found["consent"] = str(
        graph.query(
            "MATCH (:Household {id: $id})<-[:GIVEN_BY]-(c:Consent) WHERE c.revoked_at IS NULL "
            "RETURN c.id AS id ORDER BY id LIMIT 1",
            family,
        )[0]["id"]
    )
    return found


PAGES: list[tuple[str, str, str]] = [
    ("fallmanagement", "/", "start-fallmanagement"),
    ("fallmanagement", "/angebote?bedarf=suchtberatung&sozialraum=Mitte", "angebote-mitte"),
    ("fallmanagement", "/angebote/{service}", "angebot-detail"),
    ("fallmanagement", "/angebote/{service}/handzettel", "handzettel"),
    ("fallmanagement", "/ueberleitungen", "ueberleitungen"),
    ("fallmanagement", "/ueberleitungen?status=neu&ueberfaellig=1", "ueberleitungen-ueberfaellig"),
    ("fallmanagement", "/ueberleitungen/{sent}", "ueberleitung-detail"),
    ("fallmanagement", "/ueberleitungen/{sent}/zurueckziehen", "ueberleitung-zurueckziehen"),
    ("fallmanagement", "/familien/{family}", "familie"),
    ("fallmanagement", "/familien/{family}/aendern", "familie-aendern"),
    ("fallmanagement", "/familien/{family}/bedarfe/{need}/aendern", "bedarf-aendern"),
    ("fallmanagement", "/familien/{family}/bedarfe/{need}/beenden", "bedarf-beenden"),
    ("fallmanagement", "/familien/{family}/einwilligungen/{consent}/aendern", "einwilligung"),
    ("fallmanagement", "/familien/{family}/abschliessen", "fall-abschliessen"),
    ("traeger", "/familien/{family}", "familie-kein-zugriff"),
    ("traeger", "/", "start-traeger"),
    ("traeger", "/eingang", "eingang-liste"),
    ("traeger", "/eingang/{received}", "eingang-detail"),
    ("traeger", "/unsere-angebote", "unsere-angebote"),
    ("koordination", "/", "start-koordination"),
    ("koordination", "/netzwerk", "netzwerk"),
    ("koordination", "/netzwerk?traeger=caritas-stuttgart", "netzwerk-umfeld"),
    ("koordination", "/traeger", "traeger-liste"),
    ("koordination", "/traeger/caritas-stuttgart", "traeger-detail"),
    ("koordination", "/pflege/traeger/caritas-stuttgart", "traeger-bearbeiten"),
    ("koordination", "/pflege/angebot/{service}", "angebot-bearbeiten"),
    ("koordination", "/pflege/vereinbarung/neu?traeger=caritas-stuttgart", "vereinbarung-neu"),
    ("koordination", "/sozialraeume", "sozialraeume"),
    ("koordination", "/sozialraeume/stuttgart-mitte", "sozialraum-detail"),
    ("koordination", "/dubletten", "dubletten"),
    ("koordination", "/import", "import"),
    ("planung", "/", "start-planung"),
    ("planung", "/planung/karte", "planung-karte"),
    ("planung", "/planung/karte?ebene=stadtteile", "planung-karte-stadtteile"),
    ("planung", "/planung/luecken", "planung-luecken"),
    ("planung", "/planung/doppelstrukturen", "planung-doppelstrukturen"),
    ("planung", "/planung/doppelbetreuung", "planung-doppelbetreuung"),
    ("planung", "/planung/schwachstellen", "planung-schwachstellen"),
    ("planung", "/planung/ueberleitungswege", "planung-ueberleitungswege"),
    ("planung", "/planung/trends", "planung-trends-alle"),
    ("planung", "/planung/luecken?sozialraum=gibt-es-nicht", "planung-filterfehler"),
    ("planung", "/planung/bericht", "planung-bericht"),
    ("planung", "/angebote", "kein-zugriff"),
    ("planung", "/gibt-es-nicht", "nicht-gefunden"),
]


@pytest.mark.parametrize(("user", "template", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_page_is_accessible(
    page: Page,
    live_server: str,
    demo: Demo,
    graph: Graph,
    watch: BrowserWatch,
    user: str,
    template: str,
    name: str,
) -> None:
    # The error pages answer 403/404 on purpose; Chromium logs that as a console error.
    watch.allow(r"status of 40[34]")
    login(page, live_server, user)
    page.goto(live_server + template.format(**_ids(graph)))
    screenshot(page, f"a11y-{name}")
    assert_accessible(page)
