"""The main navigation: which pages a role has (the pages check access themselves too)."""

from __future__ import annotations

from dataclasses import dataclass

from schema.principal import Principal


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    href: str
    current: bool


# Sozialplanung (api/web/pages/planning*.py).
_PLANNING = (
    ("Versorgungskarte", "karte"),
    ("Lücken", "luecken"),
    ("Doppelstrukturen", "doppelstrukturen"),
    ("Doppelbetreuung", "doppelbetreuung"),
    ("Schwachstellen", "schwachstellen"),
    ("Überleitungswege", "ueberleitungswege"),
    ("Trends", "trends"),
)

_ITEMS: dict[str | None, tuple[tuple[str, str], ...]] = {
    "caseworker": (
        ("Angebot finden", "/angebote"),
        ("Meine Überleitungen", "/ueberleitungen"),
    ),
    "partner": (
        ("Eingang", "/eingang"),
        ("Unsere Angebote", "/unsere-angebote"),
    ),
    "planner": tuple((label, f"/planung/{slug}") for label, slug in _PLANNING),
    "coordinator": (
        ("Träger", "/traeger"),
        ("Netzwerk", "/netzwerk"),
        ("Sozialräume", "/sozialraeume"),
        ("Dubletten", "/dubletten"),
        ("Import", "/import"),
    ),
}


def navigation(principal: Principal, path: str) -> list[NavItem]:
    return [
        NavItem(label, href, path == href or path.startswith(href + "/"))
        for label, href in _ITEMS.get(principal.role, ())
    ]
