"""Domain rules of the directory records: one place for GraphQL, web forms and every importer.

Each check takes a record of ``graph/records.py`` and returns its problems as (record field,
German message). The mutations (schema/mutations_directory.py) show them at the form's
fields; the importers (loaders/domain.py) at the file's row and column. Before, the rules
lived in the API layer only and an import accepted what GraphQL refused (issue #16).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graph import records as rec

Problem = tuple[str, str]

_LANGUAGE = re.compile(r"^[a-z]{2}$")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _named(value: Any, field: str = "name", what: str = "Der Name") -> list[Problem]:
    return [(field, f"{what} darf nicht leer sein.")] if _blank(value) else []


def _dates(r: Any) -> list[Problem]:
    if r.valid_from and r.valid_to and r.valid_from > r.valid_to:
        return [("valid_to", "Gültig bis liegt vor gültig ab.")]
    return []


def _places(r: rec.Service) -> list[Problem]:
    found: list[Problem] = []
    if r.capacity is not None and r.capacity < 0:
        found.append(("capacity", "Die Kapazität darf nicht negativ sein."))
    if r.capacity_used is not None and r.capacity_used < 0:
        found.append(("capacity_used", "Die Belegung darf nicht negativ sein."))
    if r.capacity is not None and r.capacity_used is not None and 0 <= r.capacity < r.capacity_used:
        found.append(("capacity_used", "Die Belegung übersteigt die Kapazität."))
    return found


def organization(r: rec.Organization) -> list[Problem]:
    return _named(r.name)


def service(r: rec.Service) -> list[Problem]:
    found = _named(r.name) + _places(r)
    if any(_blank(d) for d in r.required_documents):
        found.append(("required_documents", "Leere Unterlagen sind nicht erlaubt."))
    bad = [x for x in r.languages if not _LANGUAGE.match(x)]
    if bad:
        found.append(("languages", f"Keine ISO-639-1-Sprachcodes: {', '.join(bad)}"))
    return found + _dates(r)


def service_availability(r: rec.Service) -> list[Problem]:
    """What a Träger keeps current itself (places, occupancy): an occupancy needs places."""
    found = _places(r)
    if r.capacity_used is not None and r.capacity is None:
        found.insert(0, ("capacity", "Ohne Kapazität keine Belegung: bitte die Kapazität angeben."))
    return found


def location(r: rec.Location) -> list[Problem]:
    found = _named(r.name)
    if r.latitude is not None and not -90 <= r.latitude <= 90:
        found.append(("latitude", "Breitengrad außerhalb von -90 bis 90."))
    if r.longitude is not None and not -180 <= r.longitude <= 180:
        found.append(("longitude", "Längengrad außerhalb von -180 bis 180."))
    return found


def agreement(r: rec.Agreement) -> list[Problem]:
    found = _named(r.title, "title", "Der Titel")
    if len(set(r.party_ids)) < 2:
        found.append(
            ("party_ids", "Eine Vereinbarung braucht mindestens zwei verschiedene Träger.")
        )
    return found + _dates(r)


def network(r: rec.Network) -> list[Problem]:
    return _named(r.name)


# The bundle tables whose records these rules cover (loaders/domain.py walks them).
BY_TABLE: dict[str, Callable[[Any], list[Problem]]] = {
    "organizations": organization,
    "services": service,
    "locations": location,
    "agreements": agreement,
    "networks": network,
}
