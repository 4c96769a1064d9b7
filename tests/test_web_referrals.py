"""Meine Überleitungen, one referral, withdrawing it, and the Handzettel: the caseworker's
pages against the real Neo4j, signed in through the real login form."""

from __future__ import annotations

import re
from html import unescape

import pytest

from graph import Graph
from schema.principal import Principal
from tests.webkit import (
    CASEWORKER,
    ask,
    csrf,
    load_web_world,
    referral_links,
    sign_in,
    web_client,
)

ALL_IDS = """
query($filter: ReferralFilterInput, $after: String) {
  referrals(filter: $filter, first: 100, after: $after) { nodes { id } }
}
"""


def _ids(graph: Graph, principal: Principal, **filter: object) -> list[str]:
    data = ask(graph, principal, ALL_IDS, filter=filter or None)
    return [n["id"] for n in data["referrals"]["nodes"]]


def _text(html: str) -> str:
    """The page's words without tags (for reading it as a person would)."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_list_shows_exactly_what_graphql_returns_page_by_page(db: Graph) -> None:
    load_web_world(db, extra_closed=25)
    expected = _ids(db, CASEWORKER)
    assert len(expected) == 31  # 6 own + 25 closed; never the Jugendamt's r-ja
    assert "r-ja" not in expected
    with web_client() as client:
        sign_in(client, "fallmanagement")
        page = client.get("/ueberleitungen")
        assert page.status_code == 200
        seen = referral_links(page.text)
        assert len(seen) == 20
        assert "31 Überleitungen, angezeigt 1 bis 20" in _text(page.text)
        assert "<caption" in page.text
        assert 'scope="col"' in page.text
        assert page.text.count("<h1") == 1
        found = re.search(r'href="(/ueberleitungen\?[^"]+)"[^>]*>Weiter', page.text)
        assert found
        second = client.get(unescape(found.group(1)))
        assert second.status_code == 200
        seen += referral_links(second.text)
        assert seen == expected
        assert "Weiter" not in _text(second.text)
        back = re.search(
            r'href="(/ueberleitungen\?[^"]+)"[^>]*><span[^>]*></span>Zurück', second.text
        )
        assert back
        first_again = client.get(unescape(back.group(1)))
        assert referral_links(first_again.text) == expected[:20]


def test_filters_by_status_and_overdue_with_and_without_htmx(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        created = client.get("/ueberleitungen", params={"status": "created"})
        assert (
            set(referral_links(created.text))
            == set(_ids(db, CASEWORKER, statuses=["CREATED"]))
            == {"r-new", "r-old", "r-hh2", "r-eva"}
        )
        overdue = client.get("/ueberleitungen", params={"status": "alle", "ueberfaellig": "1"})
        assert referral_links(overdue.text) == ["r-old"]
        assert "Keine Antwort seit 20 Tagen" in _text(overdue.text)
        # htmx asks for the table only; the form works the same without it.
        partial = client.get(
            "/ueberleitungen", params={"status": "waitlisted"}, headers={"HX-Request": "true"}
        )
        assert partial.status_code == 200
        assert "<html" not in partial.text
        assert "<h1" not in partial.text
        assert referral_links(partial.text) == ["r-wait"]
        assert "Auf der Warteliste" in partial.text
        assert partial.headers["vary"] == "HX-Request"


def test_days_since_change_in_singular_and_plural(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        words = _text(client.get("/ueberleitungen").text)
        assert "seit 1 Tag" in words  # r-hh2, created a day ago
        assert "seit 1 Tagen" not in words
        assert "seit 2 Tagen" in words


def test_detail_shows_service_consent_and_timeline(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        page = client.get("/ueberleitungen/r-acc")
        assert page.status_code == 200
        words = _text(page.text)
        for expected in (
            "Überleitung an Schuldnerberatung Mitte",
            "hh-1",
            "Alleinerziehend",
            "Caritasverband für Stuttgart e.V.",
            "Überleitung und abgestimmte Hilfeplanung",
            "Stammdaten",
            "Hilfeverlauf",
            "Neu – wartet auf Antwort",
            "Angenommen",
            "Überleitung zurückziehen",
        ):
            assert expected in words, expected
        assert re.search(r"\d{2}\.\d{2}\.\d{4}", words)
        assert page.text.count("<h1") == 1


def test_withdraw_with_confirmation_then_success_message(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        confirm = client.get("/ueberleitungen/r-new/zurueckziehen")
        assert confirm.status_code == 200
        assert "Überleitung zurückziehen?" in confirm.text
        version = re.search(r'name="version" value="(\d+)"', confirm.text)
        assert version
        done = client.post(
            "/ueberleitungen/r-new/zurueckziehen",
            data={
                "csrf_token": csrf(confirm.text),
                "version": version.group(1),
                "notiz": "Familie ist umgezogen",
            },
            follow_redirects=False,
        )
        assert done.status_code == 303
        assert done.headers["location"] == "/ueberleitungen/r-new?erfolg=zurueckgezogen"
        page = client.get(done.headers["location"])
        words = _text(page.text)
        assert "Überleitung zurückgezogen." in words
        assert "Familie ist umgezogen" in words
        assert 'href="/ueberleitungen/r-new/zurueckziehen"' not in page.text
    status = ask(db, CASEWORKER, '{ referral(id: "r-new") { status } }')
    assert status["referral"]["status"] == "CANCELLED"


def test_withdraw_with_an_old_version_shows_the_new_state(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        confirm = client.get("/ueberleitungen/r-acc/zurueckziehen")
        answer = client.post(
            "/ueberleitungen/r-acc/zurueckziehen",
            data={"csrf_token": csrf(confirm.text), "version": "0"},
        )
        assert answer.status_code == 409
        assert (
            "Jemand hat die Überleitung inzwischen geändert. Die Seite zeigt jetzt den neuen "
            "Stand." in _text(answer.text)
        )
    assert (
        ask(db, CASEWORKER, '{ referral(id: "r-acc") { status } }')["referral"]["status"]
        == "ACCEPTED"
    )


def test_another_organizations_referral_is_not_found(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        page = client.get("/ueberleitungen/r-ja")
        assert page.status_code == 404
        assert "Seite nicht gefunden" in page.text
        assert "hh-9" not in page.text


def test_partner_is_kept_off_the_caseworker_pages(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/ueberleitungen")
        assert page.status_code == 403
        assert "Kein Zugriff" in page.text


def test_signed_out_goes_to_the_login_and_back(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        page = client.get("/ueberleitungen?status=created", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/anmelden?weiter=/ueberleitungen")


def test_handout_has_the_service_and_no_case_data(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        page = client.get("/angebote/sb-caritas/handzettel")
        assert page.status_code == 200
        words = _text(page.text)
        for expected in (
            "Schuldnerberatung Mitte",
            "Caritasverband für Stuttgart e.V.",
            "Strombergstraße 11",
            "70188 Stuttgart",
            "Mo–Do 9–12 Uhr, Di 14–17 Uhr",
            "0711 2070-100",
            "info@caritas-stuttgart.de",
            "Was Sie mitbringen",
            "Personalausweis",
            "Deutsch, Türkisch",
            "Strg+P",
        ):
            assert expected in words, expected
        assert "data-print" in page.text
        assert "hh-" not in page.text
        assert "r-" + "new" not in page.text
        assert "<script>" not in page.text
        assert " style=" not in page.text
        assert client.get("/angebote/gibt-es-nicht/handzettel").status_code == 404


def test_a_post_without_csrf_token_is_refused(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        answer = client.post("/ueberleitungen/r-new/zurueckziehen", data={"version": "1"})
        assert answer.status_code == 400
        assert "Anfrage nicht verständlich" in answer.text
    assert (
        ask(db, CASEWORKER, '{ referral(id: "r-new") { status } }')["referral"]["status"]
        == "CREATED"
    )


@pytest.mark.parametrize("path", ["/ueberleitungen", "/ueberleitungen/r-acc"])
def test_pages_have_no_inline_script_or_style(db: Graph, path: str) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        html = client.get(path).text
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
        assert " style=" not in html
        assert "<style" not in html
        # Every form control has a label.
        for control in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
            assert f'for="{control}"' in html, control
