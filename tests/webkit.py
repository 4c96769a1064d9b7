"""Helpers for the web page tests: a small casework world written through the real writer,
a client of the real app with the demo logins on, and signing in through the login form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.testclient import TestClient

from api.app import create_app
from api.settings import get_settings
from graph import Bundle, Graph, clock
from graph.records import (
    Area,
    Category,
    Consent,
    Household,
    Location,
    Need,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)
from graph.write import write_bundle
from schema.principal import Principal
from tests.apikit import execute

NOW = datetime.now(UTC).replace(microsecond=0)
ALL = ("stammdaten", "bedarfslage", "hilfeverlauf")

# The demo users' principals (api/web/demo_logins.py), for asking GraphQL the same question.
CASEWORKER = Principal(
    subject="demo:fallmanagement", role="caseworker", organization_id="jobcenter-stuttgart"
)
PARTNER = Principal(subject="demo:traeger", role="partner", organization_id="caritas-stuttgart")


def _referral(
    rid: str,
    household: str,
    service: str,
    consent: str,
    status: str,
    days_ago: int,
    *,
    sender: str = "jobcenter-stuttgart",
    need: str | None = None,
) -> Referral:
    created = NOW - timedelta(days=days_ago)
    history = [ReferralEvent(status="created", at=created, by="fm-1", note="Überleitung angelegt")]
    if status != "created":
        history.append(
            ReferralEvent(status=status, at=created + timedelta(hours=3), by="mb-1")  # type: ignore[arg-type]
        )
    return Referral(
        id=rid,
        household_id=household,
        from_organization_id=sender,
        to_service_id=service,
        consent_id=consent,
        need_id=need,
        status=status,  # type: ignore[arg-type]
        created_at=created,
        purpose="Überleitung und abgestimmte Hilfeplanung",
        history=tuple(history),
    )


def web_bundle(extra_closed: int = 0) -> Bundle:
    """Jobcenter and Jugendamt refer to Caritas and eva. ``hh-1``'s referrals to Caritas stand
    under consents naming Caritas; ``hh-2``'s consent shares only the Hilfeverlauf; the
    Jugendamt's and eva's referrals are others' business. ``extra_closed`` completed
    referrals (Jobcenter to eva) make the list long enough for paging."""
    b = Bundle()
    b.areas += [
        Area(id="st", name="Stuttgart", level="city"),
        Area(id="st-mitte", name="Mitte", level="district", parent_id="st"),
    ]
    b.categories += [
        Category(id="schuldnerberatung", name="Schuldnerberatung"),
        Category(id="erziehungsberatung", name="Erziehungsberatung"),
    ]
    b.organizations += [
        Organization(
            id="jobcenter-stuttgart", name="Jobcenter Stuttgart", sector="public", phone="0711 1"
        ),
        Organization(id="jugendamt-stuttgart", name="Jugendamt Stuttgart", sector="public"),
        Organization(
            id="caritas-stuttgart",
            name="Caritasverband für Stuttgart e.V.",
            phone="0711 2070",
            email="info@caritas-stuttgart.de",
            website="https://www.caritas-stuttgart.de",
        ),
        Organization(id="eva-stuttgart", name="Evangelische Gesellschaft Stuttgart e.V."),
    ]
    b.locations += [
        Location(
            id="loc-caritas-mitte",
            name="Caritas-Zentrum Mitte",
            organization_id="caritas-stuttgart",
            street="Strombergstraße 11",
            postal_code="70188",
            city="Stuttgart",
            area_id="st-mitte",
            opening_hours="Mo–Do 9–12 Uhr, Di 14–17 Uhr",
            phone="0711 2070-100",
        ),
    ]
    b.services += [
        Service(
            id="sb-caritas",
            organization_id="caritas-stuttgart",
            name="Schuldnerberatung Mitte",
            description="Beratung bei Schulden und Insolvenz",
            category_ids=("schuldnerberatung",),
            area_ids=("st-mitte",),
            location_ids=("loc-caritas-mitte",),
            languages=("de", "tr"),
            capacity=12,
            capacity_used=8,
            capacity_unit="Fälle gleichzeitig",
            required_documents=("Personalausweis", "Mahnungen und Bescheide"),
        ),
        Service(
            id="eb-caritas",
            organization_id="caritas-stuttgart",
            name="Erziehungsberatung Mitte",
            category_ids=("erziehungsberatung",),
            area_ids=("st-mitte",),
            capacity=5,
            capacity_used=2,
        ),
        Service(
            id="eb-eva",
            organization_id="eva-stuttgart",
            name="Erziehungsberatung eva",
            category_ids=("erziehungsberatung",),
            area_ids=("st-mitte",),
        ),
    ]
    b.households += [
        Household(
            id="hh-1",
            area_id="st-mitte",
            household_type="alleinerziehend",
            age_bands=("25-34", "3-5"),
        ),
        Household(id="hh-2", area_id="st-mitte", household_type="paar-mit-kindern"),
        Household(id="hh-3", area_id="st-mitte", household_type="alleinstehend"),
        Household(id="hh-9", area_id="st-mitte", household_type="alleinstehend"),
    ]
    b.needs += [Need(id="n-1", household_id="hh-1", category_id="schuldnerberatung")]
    valid = clock.today() - timedelta(days=30)
    b.consents += [
        Consent(
            id="c-1",
            household_id="hh-1",
            organization_ids=("caritas-stuttgart", "eva-stuttgart"),
            purpose="Überleitung und abgestimmte Hilfeplanung",
            data_categories=ALL,
            valid_from=valid,
            valid_to=clock.today() + timedelta(days=365),
        ),
        Consent(
            id="c-2",
            household_id="hh-2",
            organization_ids=("caritas-stuttgart",),
            purpose="Überleitung und abgestimmte Hilfeplanung",
            data_categories=("hilfeverlauf",),
            valid_from=valid,
        ),
        Consent(
            id="c-3",
            household_id="hh-3",
            organization_ids=("eva-stuttgart",),
            purpose="Überleitung und abgestimmte Hilfeplanung",
            data_categories=ALL,
            valid_from=valid,
        ),
        Consent(
            id="c-9",
            household_id="hh-9",
            organization_ids=("caritas-stuttgart",),
            purpose="Überleitung und abgestimmte Hilfeplanung",
            data_categories=ALL,
            valid_from=valid,
        ),
    ]
    b.referrals += [
        _referral("r-new", "hh-1", "sb-caritas", "c-1", "created", 2, need="n-1"),
        _referral("r-old", "hh-1", "eb-caritas", "c-1", "created", 20),
        _referral("r-wait", "hh-1", "eb-caritas", "c-1", "waitlisted", 5),
        _referral("r-acc", "hh-1", "sb-caritas", "c-1", "accepted", 9),
        _referral("r-hh2", "hh-2", "sb-caritas", "c-2", "created", 1),
        _referral("r-eva", "hh-3", "eb-eva", "c-3", "created", 3),
        _referral("r-ja", "hh-9", "sb-caritas", "c-9", "created", 4, sender="jugendamt-stuttgart"),
    ]
    for i in range(extra_closed):
        b.referrals.append(
            _referral(f"r-done-{i:02d}", "hh-3", "eb-eva", "c-3", "completed", 40 + i)
        )
    return b


def load_web_world(graph: Graph, extra_closed: int = 0) -> None:
    write_bundle(graph, web_bundle(extra_closed))


@contextmanager
def web_client() -> Iterator[TestClient]:
    """The real app with the demo logins on, on the local address (so the session cookie is
    not ``Secure``-only)."""
    settings = get_settings().model_copy(update={"demo_logins": True})
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        yield client


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "Kein CSRF-Feld auf der Seite"
    return found.group(1)


def sign_in(client: TestClient, username: str) -> None:
    """Through the real login form, with the token it carries."""
    form = client.get("/anmelden")
    answer = client.post(
        "/anmelden",
        data={"csrf_token": csrf(form.text), "benutzername": username, "passwort": "demo"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def ask(graph: Graph, principal: Principal, document: str, **variables: Any) -> dict[str, Any]:
    """The same GraphQL question a page asks, as the same principal."""
    result = execute(graph, document, variables, principal=principal)
    assert result.errors is None, result.errors
    data: dict[str, Any] = result.data
    return data


_LINK = re.compile(r'href="/(?:ueberleitungen|eingang)/([^"/?]+)"')


def referral_links(html: str) -> list[str]:
    """The referral ids the page's table links to, in order."""
    return [rid for rid in _LINK.findall(html) if rid != "neu"]
