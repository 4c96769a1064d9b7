"""The tabular form of HSDS 3 (a folder of CSV tables, ``datapackage.json`` beside them) as
the nested records the JSON import reads.

Each table row becomes an object typed by its HSDS schema (numbers from text, empty cells
left out) and is nested where its foreign keys point: a phone row with ``service_id`` and
``location_id`` appears in that service's and that location's ``phones``, as in the JSON
examples. Records are then read like a JSON file: organizations, locations, services (with
their organization and service_at_locations) and taxonomy terms. A row whose parent is not in
the package is reported, not silently lost. Tables are small beside a JSON directory, so the
package is read whole.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.hsds.schemas import property_types

Json = dict[str, Any]

# Table -> the HSDS object (schema) its rows are.
TABLE_KINDS = {
    "organizations": "organization",
    "locations": "location",
    "services": "service",
    "service_at_location": "service_at_location",
    "addresses": "address",
    "phones": "phone",
    "schedules": "schedule",
    "service_areas": "service_area",
    "languages": "language",
    "contacts": "contact",
    "accessibility": "accessibility",
    "cost_options": "cost_option",
    "funding": "funding",
    "required_documents": "required_document",
    "programs": "program",
    "organization_identifiers": "organization_identifier",
    "attributes": "attribute",
    "metadata": "metadata",
    "taxonomy_terms": "taxonomy_term",
    "taxonomies": "taxonomy",
    "meta_table_descriptions": "meta_table_description",
}
# Foreign key column -> the table it points into.
_PARENTS = {
    "organization_id": "organizations",
    "service_id": "services",
    "location_id": "locations",
    "service_at_location_id": "service_at_location",
    "contact_id": "contacts",
    "phone_id": "phones",
}
# Children nested in dependency order: a language in its phone before the phone is nested.
_CHILDREN = (
    "languages",
    "phones",
    "contacts",
    "schedules",
    "addresses",
    "accessibility",
    "service_areas",
    "funding",
    "cost_options",
    "required_documents",
    "programs",
    "organization_identifiers",
)
# Polymorphic links: attributes (link_entity, link_id), metadata (resource_type, resource_id).
_ENTITY_TABLES = {
    "service": "services",
    "organization": "organizations",
    "location": "locations",
    "service_at_location": "service_at_location",
    "contact": "contacts",
    "phone": "phones",
}


def is_package(path: Path) -> bool:
    """A folder holding HSDS tables (the canonical bundle has no ``service_at_location``)."""
    return path.is_dir() and (
        (path / "datapackage.json").exists() or (path / "service_at_location.csv").is_file()
    )


@dataclass(slots=True)
class PackageRecord:
    """One record to read, with the table row it comes from (for messages)."""

    file: str
    row: int
    value: Json


@dataclass(slots=True)
class Package:
    """The package's records in reading order, and its rows that fit nowhere (file, row,
    message)."""

    records: list[PackageRecord] = field(default_factory=list)
    unplaced: list[tuple[str, int, str]] = field(default_factory=list)


def read_package(folder: Path) -> Package:
    tables = {name: _table(folder, name) for name in TABLE_KINDS}
    rows = {name: {r["id"]: r for _, r in found if "id" in r} for name, found in tables.items()}
    package = Package()
    for child in _CHILDREN:
        for row_number, row in tables[child]:
            placed = False
            for column, parent_table in _PARENTS.items():
                parent = rows[parent_table].get(row.get(column, ""))
                if parent is not None and child in property_types(TABLE_KINDS[parent_table]):
                    parent.setdefault(child, []).append(row)
                    placed = True
            if child == "programs":
                placed = _programs(row, rows["services"]) or placed
            if not placed:
                package.unplaced.append((f"{child}.csv", row_number, _nowhere(row)))
    for table, link, key, nest in (
        ("attributes", "link_entity", "link_id", "attributes"),
        ("metadata", "resource_type", "resource_id", "metadata"),
    ):
        for row_number, row in tables[table]:
            parent = rows.get(_ENTITY_TABLES.get(row.get(link, ""), ""), {}).get(row.get(key, ""))
            if parent is None:
                package.unplaced.append((f"{table}.csv", row_number, _nowhere(row)))
                continue
            term = rows["taxonomy_terms"].get(row.get("taxonomy_term_id", ""))
            parent.setdefault(nest, []).append({**row, **({"taxonomy_term": term} if term else {})})
    used: set[str] = set()
    for term in rows["taxonomy_terms"].values():
        taxonomy = rows["taxonomies"].get(term.get("taxonomy_id", ""))
        if taxonomy is not None:
            term["taxonomy_detail"] = taxonomy
            used.add(taxonomy["id"])
    package.unplaced += [
        ("taxonomies.csv", n, _nowhere(r))
        for n, r in tables["taxonomies"]
        if r.get("id") not in used
    ]
    for sal in rows["service_at_location"].values():
        service = rows["services"].get(sal.get("service_id", ""))
        location = rows["locations"].get(sal.get("location_id", ""))
        if service is None:
            package.unplaced.append(("service_at_location.csv", 0, _nowhere(sal)))
            continue
        entry = {**sal, **({"location": location} if location else {})}
        service.setdefault("service_at_locations", []).append(entry)
    for service in rows["services"].values():
        org = rows["organizations"].get(service.get("organization_id", ""))
        if org is not None:
            service["organization"] = org
    for name in ("organizations", "locations", "services", "taxonomy_terms"):
        package.records += [PackageRecord(f"{name}.csv", n, r) for n, r in tables[name]]
    for name in ("meta_table_descriptions",):
        package.unplaced += [(f"{name}.csv", n, _nowhere(r)) for n, r in tables[name]]
    return package


def _programs(program: Json, services: dict[str, Json]) -> bool:
    """A program is the ``program`` of each service naming it (``program_id``)."""
    found = False
    for service in services.values():
        if service.get("program_id") == program.get("id"):
            service["program"] = program
            found = True
    return found


def _nowhere(row: Json) -> str:
    return (
        f"Zeile „{row.get('id', '')}“ gehört zu keinem Datensatz des Pakets: nicht "
        "übernommen – die Kennung, auf die sie verweist, prüfen"
    )


def _table(folder: Path, name: str) -> list[tuple[int, Json]]:
    """(row number as a spreadsheet shows it, typed object) of one table; none if absent."""
    path = folder / f"{name}.csv"
    if not path.is_file():
        return []
    types = property_types(TABLE_KINDS[name])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            (number, _typed(row, types)) for number, row in enumerate(csv.DictReader(fh), start=2)
        ]


def _typed(row: dict[str, str], types: dict[str, str]) -> Json:
    out: Json = {}
    for key, text in row.items():
        if key is None or text is None or text == "":
            continue
        out[key] = _value(text, types.get(key, "string"))
    return out


def _value(text: str, kind: str) -> Any:
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text  # the schema check names it
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.strip().casefold(), text)
    return text
