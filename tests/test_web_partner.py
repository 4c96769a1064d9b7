"""Eingang and Unsere Angebote: the partner's pages against the real Neo4j, signed in through
the real login form; what the partner does shows on the caseworker's pages."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from starlette.testclient import TestClient

from api.web.wording import DECLINE_REASONS
from graph import Graph, clock
from tests.webkit import (
    CASEWORKER,
    PARTNER,
    ask,
    csrf,
    load_web_world,
    referral_links,
    sign_in,
    web_client,
)

STATE = '{ referral(id: "%s") { status version declineReason history { status by note } } }'
SERVICES = """
{ organization(id: "caritas-stuttgart") {
    services(first: 100) { nodes { id capacity capacityUsed assuredDate version } } } }
"""


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _state(graph: Graph, rid: str) -> dict[str, Any]:
    found: dict[str, Any] = ask(graph, CASEWORKER, STATE % rid)["referral"]
    return found


def _post(client: TestClient, rid: str, action: str, **fields: str) -> Any:
    page = client.get(f"/eingang/{rid}")
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, page.text
    data = {"csrf_token": csrf(page.text), "version": version.group(1), **fields}
    return client.post(f"/eingang/{rid}/{action}", data=data, follow_redirects=False)


def test_inbox_shows_new_and_waitlisted_that_graphql_lets_the_partner_see(db: Graph) -> None:
    load_web_world(db)
    expected = ask(
        db,
        PARTNER,
        "{ referrals(filter: {statuses: [CREATED, WAITLISTED]}, first: 100) { nodes { id } } }",
    )["referrals"]["nodes"]
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/eingang")
        assert page.status_code == 200
        shown = referral_links(page.text)
        assert shown == [n["id"] for n in expected]
        # The Jugendamt's referral to Caritas is Caritas' business; eva's is not.
        assert set(shown) == {"r-new", "r-old", "r-wait", "r-hh2", "r-ja"}
        assert "Neu und Warteliste" in page.text
        every = client.get("/eingang", params={"status": "alle"})
        assert "r-acc" in referral_links(every.text)
        assert "r-eva" not in referral_links(every.text)


def test_accept_then_the_caseworker_sees_it(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        done = _post(client, "r-new", "annehmen")
        assert done.status_code == 303
        assert done.headers["location"] == "/eingang/r-new?erfolg=angenommen"
        page = client.get(done.headers["location"])
        assert "Überleitung angenommen." in page.text
        # Now the next step is offered, the answered ones are not.
        assert 'action="/eingang/r-new/begonnen"' in page.text
        assert 'action="/eingang/r-new/annehmen"' not in page.text
    state = _state(db, "r-new")
    assert state["status"] == "ACCEPTED"
    assert state["history"][-1]["by"] == "demo:traeger"
    with web_client() as client:
        sign_in(client, "fallmanagement")
        words = _text(client.get("/ueberleitungen/r-new").text)
        assert "Angenommen" in words
        assert "demo:traeger" in words


def test_decline_needs_a_reason_tied_to_the_field(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        missing = _post(client, "r-new", "ablehnen")
        assert missing.status_code == 400
        assert 'href="#grund"' in missing.text  # the error summary links to the field
        assert 'id="grund-fehler"' in missing.text
        assert re.search(r'id="grund"[^>]*aria-describedby="[^"]*grund-fehler', missing.text)
        assert "Wählen Sie einen Grund für die Ablehnung aus." in missing.text
        assert _state(db, "r-new")["status"] == "CREATED"  # nothing changed

        reason = DECLINE_REASONS[0]
        done = _post(client, "r-new", "ablehnen", grund=reason)
        assert done.status_code == 303
        assert "Überleitung abgelehnt." in client.get(done.headers["location"]).text
    state = _state(db, "r-new")
    assert (state["status"], state["declineReason"]) == ("DECLINED", reason)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        words = _text(client.get("/ueberleitungen/r-new").text)
        assert "Abgelehnt" in words
        assert reason in words


def test_waitlist_then_accept_from_the_waitlist(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        done = _post(client, "r-new", "warteliste", **{"notiz-warteliste": "Platz ab März"})
        assert done.status_code == 303
        page = client.get(done.headers["location"])
        assert "Überleitung auf die Warteliste gesetzt." in page.text
        assert _state(db, "r-new")["status"] == "WAITLISTED"
        assert 'action="/eingang/r-new/annehmen"' in page.text
        assert _post(client, "r-new", "annehmen").status_code == 303
    state = _state(db, "r-new")
    assert [e["status"] for e in state["history"]] == ["CREATED", "WAITLISTED", "ACCEPTED"]
    assert state["history"][1]["note"] == "Platz ab März"


def test_start_and_complete_with_an_outcome(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        assert _post(client, "r-acc", "begonnen").status_code == 303
        empty = _post(client, "r-acc", "abgeschlossen", ergebnis="  ")
        assert empty.status_code == 400
        assert 'href="#ergebnis"' in empty.text
        done = _post(client, "r-acc", "abgeschlossen", ergebnis="Ratenplan vereinbart")
        assert done.status_code == 303
        page = client.get(done.headers["location"])
        assert "Überleitung abgeschlossen." in page.text
        assert "Für diese Überleitung ist nichts mehr zu tun." in page.text
    assert _state(db, "r-acc")["status"] == "COMPLETED"


def test_not_taken_up(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        done = _post(client, "r-wait", "nicht-wahrgenommen")
        assert done.status_code == 303
    assert _state(db, "r-wait")["status"] == "NOT_TAKEN_UP"


def test_a_changed_referral_shows_the_new_state(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/eingang/r-new")
        token = csrf(page.text)
        version = re.search(r'name="version" value="(\d+)"', page.text)
        assert version
        # Someone else accepts first ...
        assert _post(client, "r-new", "annehmen").status_code == 303
        # ... then this page's old form declines.
        answer = client.post(
            "/eingang/r-new/ablehnen",
            data={"csrf_token": token, "version": version.group(1), "grund": DECLINE_REASONS[1]},
        )
        assert answer.status_code == 409
        words = _text(answer.text)
        assert (
            "Jemand hat die Überleitung inzwischen geändert. Die Seite zeigt jetzt den neuen "
            "Stand." in words
        )
        assert "Angenommen" in words
    assert _state(db, "r-new")["status"] == "ACCEPTED"


def test_another_traegers_referral_is_not_found(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/eingang/r-eva")
        assert page.status_code == 404
        assert "Seite nicht gefunden" in page.text
        assert "hh-3" not in page.text
        token = csrf(client.get("/eingang").text)
        answer = client.post("/eingang/r-eva/annehmen", data={"csrf_token": token, "version": "1"})
        assert answer.status_code == 404
    assert _state(db, "r-eva")["status"] == "CREATED"


def test_a_consent_that_shares_only_the_timeline_shows_no_household_data(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/eingang/r-hh2")
        assert page.status_code == 200
        words = _text(page.text)
        assert "hh-2" in words
        assert "Paar mit Kindern" not in words
        assert "nicht freigegeben" in words
        assert "Neu – wartet auf Antwort" in words  # the timeline is shared


def test_partner_is_kept_off_the_handout_and_caseworker_off_the_inbox(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        assert client.get("/eingang").status_code == 403
        assert client.get("/unsere-angebote").status_code == 403


def test_a_step_without_csrf_token_is_refused(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        answer = client.post("/eingang/r-new/annehmen", data={"version": "1"})
        assert answer.status_code == 400
        assert "Anfrage nicht verständlich" in answer.text
    assert _state(db, "r-new")["status"] == "CREATED"


def _rows(html: str) -> dict[str, str]:
    """Service id -> its row prefix (a0, a1, ...) in the availability form."""
    return {sid: prefix for prefix, sid in re.findall(r'name="(a\d+)-id" value="([^"]+)"', html)}


def _form(html: str) -> dict[str, str]:
    """The form's fields as a browser would send them (text inputs and hidden fields)."""
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    return {k: unescape(v) for k, v in fields.items() if not k.endswith("-geprueft")}


def test_availability_nothing_saved_when_one_row_is_wrong(db: Graph) -> None:
    load_web_world(db)
    before = ask(db, PARTNER, SERVICES)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/unsere-angebote")
        assert page.status_code == 200
        rows = _rows(page.text)
        assert set(rows) == {"sb-caritas", "eb-caritas"}
        form = _form(page.text)
        sb, eb = rows["sb-caritas"], rows["eb-caritas"]
        form[f"{eb}-plaetze"] = "6"  # fine on its own
        form[f"{sb}-plaetze"] = "12"
        form[f"{sb}-belegt"] = "13"
        answer = client.post("/unsere-angebote", data=form)
        assert answer.status_code == 400
        assert "Belegt darf nicht größer sein als Plätze gesamt (12)." in answer.text
        assert f'href="#{sb}-belegt"' in answer.text
        assert f'id="{sb}-belegt-fehler"' in answer.text
        # What was typed stays in the form.
        assert re.search(rf'id="{sb}-belegt"[^>]*value="13"', answer.text)
    assert ask(db, PARTNER, SERVICES) == before


def test_availability_saves_changed_rows_and_the_check_date(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/unsere-angebote")
        rows = _rows(page.text)
        form = _form(page.text)
        sb, eb = rows["sb-caritas"], rows["eb-caritas"]
        form[f"{sb}-belegt"] = "11"
        form[f"{eb}-geprueft"] = "1"
        done = client.post("/unsere-angebote", data=form, follow_redirects=False)
        assert done.status_code == 303
        assert "Gespeichert: 2 Angebote." in _text(client.get(done.headers["location"]).text)
    after = {s["id"]: s for s in ask(db, PARTNER, SERVICES)["organization"]["services"]["nodes"]}
    assert (after["sb-caritas"]["capacity"], after["sb-caritas"]["capacityUsed"]) == (12, 11)
    assert after["eb-caritas"]["capacityUsed"] == 2
    assert after["eb-caritas"]["assuredDate"] == clock.today().isoformat()


def test_availability_a_form_of_an_older_version_is_not_saved(db: Graph) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/unsere-angebote")
        rows = _rows(page.text)
        sb = rows["sb-caritas"]
        first = _form(page.text)
        first[f"{sb}-belegt"] = "9"
        assert (
            client.post("/unsere-angebote", data=first, follow_redirects=False).status_code == 303
        )
        stale = _form(page.text)
        stale[f"{sb}-belegt"] = "10"
        answer = client.post("/unsere-angebote", data=stale)
        assert answer.status_code == 409
        assert "Jemand hat dieses Angebot inzwischen geändert" in answer.text
    after = {s["id"]: s for s in ask(db, PARTNER, SERVICES)["organization"]["services"]["nodes"]}
    assert after["sb-caritas"]["capacityUsed"] == 9
