"""Pflege des Verzeichnisses in Formularen (Netzwerkkoordination): a change reaches the
caseworker's search, the mutations' rules come back at the form's fields, and a record
changed meanwhile shows both versions instead of being overwritten."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from starlette.testclient import TestClient

from api.web.wording import editor
from graph import Graph
from schema.principal import SYSTEM
from tests.webkit import ask, load_web_world, sign_in, web_client

_SERVICE = "query($id: ID!) { service(id: $id) { name version capacity capacityUsed } }"


class _Form(HTMLParser):
    """The fields a browser would send for the first form with method=post on the page."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action and a.get("method") == "post"
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((a["name"], ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, _ = self.fields[-1]
            self.fields[-1] = (name, data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form(client: TestClient, path: str) -> dict[str, Any]:
    page = client.get(path)
    assert page.status_code == 200, page.text
    parser = _Form(path.split("?")[0])
    parser.feed(page.text)
    found: dict[str, Any] = {}
    for name, value in parser.fields:
        found.setdefault(name, []).append(value)
    assert "csrf_token" in found, "kein Formular auf der Seite"
    return {k: v if len(v) > 1 else v[0] for k, v in found.items()}


def _search(client: TestClient) -> str:
    answer = client.get("/angebote?bedarf=schuldnerberatung&sozialraum=Mitte")
    assert answer.status_code == 200
    return answer.text


def test_coordinator_edits_a_service_and_the_caseworker_finds_it(db: Graph) -> None:
    load_web_world(db)
    with web_client() as caseworker:
        sign_in(caseworker, "fallmanagement")
        assert "Schuldnerberatung Mitte" in _search(caseworker)
        assert "Schuldner- und Insolvenzberatung" not in _search(caseworker)
    with web_client() as coordinator:
        sign_in(coordinator, "koordination")
        form = _form(coordinator, "/pflege/angebot/sb-caritas")
        form["name"] = "Schuldner- und Insolvenzberatung Mitte"
        form["capacity"] = "20"
        saved = coordinator.post("/pflege/angebot/sb-caritas", data=form, follow_redirects=False)
        assert saved.status_code == 303
        assert saved.headers["location"] == "/traeger/caritas-stuttgart?erfolg=gespeichert"
    with web_client() as caseworker:
        sign_in(caseworker, "fallmanagement")
        assert "Schuldner- und Insolvenzberatung Mitte" in _search(caseworker)
    stored = ask(db, SYSTEM, _SERVICE, id="sb-caritas")["service"]
    assert (stored["name"], stored["capacity"], stored["capacityUsed"]) == (
        "Schuldner- und Insolvenzberatung Mitte",
        20,
        8,
    )


def test_the_mutations_rules_come_back_at_the_fields(db: Graph) -> None:
    load_web_world(db)
    with web_client() as coordinator:
        sign_in(coordinator, "koordination")
        form = _form(coordinator, "/pflege/angebot/sb-caritas")
        form.update(capacity="5", capacityUsed="9", validFrom="01.02.2027", validTo="01.01.2027")
        answer = coordinator.post("/pflege/angebot/sb-caritas", data=form)
        assert answer.status_code == 400
        # The domain rules' own words (schema/mutations_directory.py), at their fields.
        assert (
            'href="#capacityUsed">Davon belegt: Die Belegung übersteigt die Kapazität.'
            in answer.text
        )
        assert 'href="#validTo">Gültig bis: Gültig bis liegt vor gültig ab.' in answer.text
        assert 'id="capacityUsed-fehler"' in answer.text
        form.update(capacity="zwölf")
        typed = coordinator.post("/pflege/angebot/sb-caritas", data=form)
        assert "Plätze gesamt: Geben Sie eine ganze Zahl ein" in typed.text
    assert ask(db, SYSTEM, _SERVICE, id="sb-caritas")["service"]["capacity"] == 12


def test_a_stale_edit_shows_both_versions_and_overwrites_only_on_request(db: Graph) -> None:
    load_web_world(db)
    with web_client() as coordinator:
        sign_in(coordinator, "koordination")
        mine = _form(coordinator, "/pflege/angebot/sb-caritas")
        theirs = _form(coordinator, "/pflege/angebot/sb-caritas")
        theirs["name"] = "Schuldnerberatung Mitte (neu)"
        first = coordinator.post("/pflege/angebot/sb-caritas", data=theirs, follow_redirects=False)
        assert first.status_code == 303
        mine["capacity"] = "30"
        stale = coordinator.post("/pflege/angebot/sb-caritas", data=mine)
        assert stale.status_code == 409
        assert "wurde inzwischen geändert" in stale.text
        # Who saved it, in words (the same login in another tab), never the login id.
        assert "haben Sie selbst (in einem anderen Fenster oder Tab) am" in stale.text
        assert "demo:koordination" not in stale.text
        assert "Schuldnerberatung Mitte (neu)" in stale.text  # the current version
        assert ">30<" in stale.text  # and mine, side by side
        assert ask(db, SYSTEM, _SERVICE, id="sb-caritas")["service"]["capacity"] == 12
        # Choosing "Meine Fassung speichern" sends mine against the current version.
        choice = _Form("/pflege/angebot/sb-caritas")
        choice.feed(stale.text)
        data: dict[str, Any] = {}
        for name, value in choice.fields:
            data.setdefault(name, []).append(value)
        kept = coordinator.post("/pflege/angebot/sb-caritas", data=data, follow_redirects=False)
        assert kept.status_code == 303
    stored = ask(db, SYSTEM, _SERVICE, id="sb-caritas")["service"]
    assert (stored["name"], stored["capacity"]) == ("Schuldnerberatung Mitte", 30)


def test_create_and_archive_an_organization(db: Graph) -> None:
    load_web_world(db)
    with web_client() as coordinator:
        sign_in(coordinator, "koordination")
        form = _form(coordinator, "/pflege/traeger/neu")
        form["name"] = ""
        empty = coordinator.post("/pflege/traeger/neu", data=form)
        assert empty.status_code == 400
        assert "Name: Der Name darf nicht leer sein." in empty.text
        form["name"] = "Stadtteilhaus Ost e.V."
        made = coordinator.post("/pflege/traeger/neu", data=form, follow_redirects=False)
        assert made.status_code == 303
        page = made.headers["location"].split("?")[0]
        assert "Stadtteilhaus Ost e.V." in coordinator.get("/traeger?suche=Stadtteilhaus").text
        ident = page.rsplit("/", 1)[1]
        archive = _form(coordinator, f"/pflege/traeger/{ident}")
        gone = coordinator.post(
            f"/pflege/traeger/{ident}/archivieren",
            data={"csrf_token": archive["csrf_token"], "version": archive["version"]},
            follow_redirects=False,
        )
        assert gone.status_code == 303
        link = f'href="/traeger/{ident}"'
        assert link not in coordinator.get("/traeger?suche=Stadtteilhaus").text
        assert link in coordinator.get("/traeger?suche=Stadtteilhaus&archiviert=1").text


def test_other_roles_may_not_edit(db: Graph) -> None:
    load_web_world(db)
    with web_client() as partner:
        sign_in(partner, "traeger")
        assert partner.get("/pflege/angebot/sb-caritas").status_code == 403
        assert partner.get("/traeger").status_code == 403


def test_a_new_agreement_needs_two_parties_and_then_links_them(db: Graph) -> None:
    load_web_world(db)
    with web_client() as coordinator:
        sign_in(coordinator, "koordination")
        form = _form(coordinator, "/pflege/vereinbarung/neu?traeger=caritas-stuttgart")
        assert form["parties"] == "caritas-stuttgart"
        form["title"] = "Fallabstimmung Erziehungsberatung"
        one = coordinator.post("/pflege/vereinbarung/neu", data=form)
        assert one.status_code == 400
        assert (
            'href="#parties">Beteiligte Träger: Eine Vereinbarung braucht mindestens zwei '
            "verschiedene Träger." in one.text
        )
        form["parties"] = ["caritas-stuttgart", "eva-stuttgart"]
        made = coordinator.post("/pflege/vereinbarung/neu", data=form, follow_redirects=False)
        assert made.status_code == 303
        assert made.headers["location"].startswith("/traeger/caritas-stuttgart?")
        page = coordinator.get("/traeger/caritas-stuttgart").text
        assert "Fallabstimmung Erziehungsberatung</a> mit Evangelische Gesellschaft" in page


def test_a_traeger_joins_and_leaves_a_network(db: Graph) -> None:
    load_web_world(db)
    with web_client() as coordinator:
        sign_in(coordinator, "koordination")
        form = _form(coordinator, "/pflege/verbund/neu?zurueck=/traeger/caritas-stuttgart")
        form["name"] = "Arbeitskreis Mitte"
        made = coordinator.post("/pflege/verbund/neu", data=form, follow_redirects=False)
        assert made.headers["location"] == "/traeger/caritas-stuttgart?erfolg=angelegt"
        page = coordinator.get("/traeger/caritas-stuttgart").text
        found = re.search(r'<option value="([^"]+)">Arbeitskreis Mitte</option>', page)
        assert found, "der neue Arbeitskreis fehlt in der Auswahl"
        network = found.group(1)
        for org in ("caritas-stuttgart", "eva-stuttgart"):
            joined = coordinator.post(
                f"/traeger/{org}/verbuende",
                data={"csrf_token": form["csrf_token"], "verbund": network, "rolle": "mitglied"},
                follow_redirects=False,
            )
            assert joined.headers["location"].endswith("erfolg=aufgenommen#verbuende")
        # Both in one Arbeitskreis: the network page draws them linked.
        assert ">Arbeitskreis Mitte</td>" in coordinator.get("/netzwerk").text
        leave = f"/traeger/eva-stuttgart/verbuende/{network}/beenden"
        button = _Form(leave)
        button.feed(coordinator.get("/traeger/eva-stuttgart").text)
        left = coordinator.post(leave, data=dict(button.fields), follow_redirects=False)
        assert left.headers["location"].endswith("erfolg=beendet#verbuende")
        assert ">Arbeitskreis Mitte</td>" not in coordinator.get("/netzwerk").text


def test_editing_an_archived_service_keeps_it_archived(db: Graph) -> None:
    load_web_world(db)
    with web_client() as coordinator:
        sign_in(coordinator, "koordination")
        form = _form(coordinator, "/pflege/angebot/eb-eva")
        archived = coordinator.post(
            "/pflege/angebot/eb-eva/archivieren",
            data={"csrf_token": form["csrf_token"], "version": form["version"]},
            follow_redirects=False,
        )
        assert archived.headers["location"] == "/traeger/eva-stuttgart?erfolg=archiviert"
        again = _form(coordinator, "/pflege/angebot/eb-eva")
        assert again["status"] == "ARCHIVED"
        again["capacity"] = "4"
        saved = coordinator.post("/pflege/angebot/eb-eva", data=again, follow_redirects=False)
        assert saved.status_code == 303
    status = ask(db, SYSTEM, 'query { service(id: "eb-eva") { status capacity } }')["service"]
    assert status == {"status": "ARCHIVED", "capacity": 4}


def test_who_saved_a_record_is_named_in_words_not_by_login_id() -> None:
    assert editor("demo:koordination") == "eine andere Person (Netzwerkkoordination)"
    assert editor("oidc:4f1c9a") == "eine andere Person"
    assert editor(None) == "eine andere Person"
    assert editor("demo:koordination", "demo:koordination", by=True) == "von Ihnen"
    assert editor("demo:planung", "demo:koordination", by=True) == (
        "von einer anderen Person (Sozialplanung)"
    )
