"""One Träger from the many rows of a foreign list that name it.

Lists repeat the Träger on every row of its Angebote, and real lists are not consistent: one
row has the phone number, another the website, a third spells the phone differently. The first
non-empty value of each field is kept (rows in file order), empty fields are filled from later
rows, and a later value that differs is kept out but reported as a warning naming both rows,
the column and both values: a coordinator then corrects the list, while one misspelt cell does
not refuse a whole real-world list. Mere spelling variants (``FiPP e.V.`` / ``FiPP e. V.``,
``https://x.de/`` / ``http://www.x.de``, ``030/ 123`` / ``030 123``) are the same value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from graph.records import Organization
from loaders.errors import Issue
from loaders.mapping.spec import slugify
from loaders.tabular.reader import Origin

# Organization field -> the mapping layer field naming its column.
ORGANIZATION_FIELDS: dict[str, str] = {
    "name": "organization",
    "sector": "sector",
    "description": "organization_description",
    "website": "organization_website",
    "email": "organization_email",
    "phone": "organization_phone",
}


def _website(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.strip().casefold()).rstrip("/")


# Spellings that mean the same: a name that slugs alike (the id is often that slug), the same
# website with or without scheme, www and trailing slash, the same phone digits.
_SAME: dict[str, Callable[[str], str]] = {
    "name": slugify,
    "website": _website,
    "email": str.casefold,
    "phone": lambda number: re.sub(r"\D", "", number),
}


def _same(field: str, a: Any, b: Any) -> bool:
    key = _SAME.get(field)
    if key is not None and isinstance(a, str) and isinstance(b, str):
        return key(a) == key(b)
    return bool(a == b)


def organization_headers(headers: dict[str, str]) -> dict[str, str]:
    """A row's headers as seen by its Träger: ``name`` is the Träger column, not the Angebot's."""
    out = dict(headers)
    for field, layer_field in ORGANIZATION_FIELDS.items():
        out[field] = headers.get(layer_field, layer_field)
    out["id"] = headers.get("organization_id", "organization_id")
    return out


@dataclass(slots=True)
class _Entry:
    record: Organization
    first: Origin
    # field -> the row its kept value came from
    given: dict[str, Origin]


def _where(origin: Origin) -> str:
    word = "Datensatz" if origin.json else "Zeile"
    return f"{origin.file}, {word} {origin.row}"


class OrganizationMerger:
    """Collects the Träger of a mapped list, merging the rows that name the same id."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def add(
        self, org: Organization, given: set[str], origin: Origin, warnings: list[Issue]
    ) -> None:
        """Merge one row's Träger; ``given`` are the fields the row has a value for."""
        given = given & ORGANIZATION_FIELDS.keys()
        entry = self._entries.get(org.id)
        if entry is None:
            self._entries[org.id] = _Entry(org, origin, dict.fromkeys(given, origin))
            return
        fill: dict[str, Any] = {}
        for field in sorted(given):
            value = getattr(org, field)
            if field not in entry.given:
                fill[field] = value
                entry.given[field] = origin
                continue
            kept = getattr(entry.record, field)
            if not _same(field, value, kept):
                warnings.append(
                    origin.issue(
                        field,
                        f"Träger „{org.id}“: „{value}“ weicht ab von „{kept}“"
                        f" ({_where(entry.given[field])}); übernommen: „{kept}“",
                    )
                )
        if fill:
            entry.record = replace(entry.record, **fill)

    def records(self) -> list[Organization]:
        return [entry.record for entry in self._entries.values()]

    def origins(self) -> list[Origin]:
        """The first row of each Träger (parallel to ``records``), for reference messages."""
        return [entry.first for entry in self._entries.values()]

    def __bool__(self) -> bool:
        return bool(self._entries)
