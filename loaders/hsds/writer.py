"""Export services as HSDS 3.x records, as ``GET /services/{id}`` returns them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.bundle import Bundle
from graph.records import Area, Category, Location, Organization, Service
from loaders.hsds.vocabulary import (
    AREA_IDENTIFIER_TYPE,
    AREA_URN,
    LANGUAGE_NAMES,
    STATUS_TO_HSDS,
    TARGET_GROUP_TERM_PREFIX,
    TAXONOMY_CATEGORY,
    TAXONOMY_LEGAL_BASIS,
    TAXONOMY_TARGET_GROUP,
    TAXONOMY_VALIDITY,
    TERM_LEGAL_BASIS,
    TERM_VALID_FROM,
    TERM_VALID_TO,
    UNKNOWN_USE,
)

Json = dict[str, Any]


def organization_record(org: Organization) -> Json:
    return {
        "id": org.id,
        "name": org.name,
        "description": org.description,
        "email": org.email,
        "website": org.website,
        "legal_status": org.sector,
        "phones": [{"id": f"{org.id}--phone", "number": org.phone}] if org.phone else [],
    }


def location_record(loc: Location) -> Json:
    has_address = any((loc.street, loc.postal_code, loc.city))
    return {
        "id": loc.id,
        "location_type": "physical",
        "organization_id": loc.organization_id,
        "name": loc.name,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "external_identifier": loc.area_id,
        "external_identifier_type": AREA_IDENTIFIER_TYPE if loc.area_id else None,
        "addresses": [
            {
                "id": f"{loc.id}--address",
                "location_id": loc.id,
                "address_1": loc.street or "",
                "city": loc.city or "",
                "state_province": "",
                "postal_code": loc.postal_code or "",
                "country": "DE",
                "address_type": "physical",
            }
        ]
        if has_address
        else [],
        "phones": [{"id": f"{loc.id}--phone", "number": loc.phone}] if loc.phone else [],
        "schedules": [
            {"id": f"{loc.id}--schedule", "location_id": loc.id, "description": loc.opening_hours}
        ]
        if loc.opening_hours
        else [],
    }


def _attribute(service_id: str, term: Json, value: str | None = None) -> Json:
    return {
        "id": f"{service_id}--{term['id']}",
        "link_id": service_id,
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "value": value,
        "taxonomy_term": term,
    }


def _attributes(service: Service, categories: dict[str, Category]) -> list[Json]:
    out = []
    for cid in service.category_ids:
        cat = categories[cid]
        term = {
            "id": cid,
            "code": cid,
            "name": cat.name,
            "parent_id": cat.parent_id,
            "taxonomy": TAXONOMY_CATEGORY,
        }
        out.append(_attribute(service.id, term))
    for group in service.target_groups:
        term_id = TARGET_GROUP_TERM_PREFIX + group
        term = {"id": term_id, "code": group, "name": group, "taxonomy": TAXONOMY_TARGET_GROUP}
        out.append(_attribute(service.id, term))
    if service.legal_basis:
        term = {"id": TERM_LEGAL_BASIS, "name": "Rechtsgrundlage", "taxonomy": TAXONOMY_LEGAL_BASIS}
        out.append(_attribute(service.id, term, service.legal_basis))
    for term_id, name, day in (
        (TERM_VALID_FROM, "gültig ab", service.valid_from),
        (TERM_VALID_TO, "gültig bis", service.valid_to),
    ):
        if day is not None:
            term = {"id": term_id, "name": name, "taxonomy": TAXONOMY_VALIDITY}
            out.append(_attribute(service.id, term, day.isoformat()))
    return out


def _capacities(service: Service) -> list[Json]:
    if service.capacity is None:
        return []
    used = service.capacity_used
    return [
        {
            "id": f"{service.id}--capacity",
            "service_id": service.id,
            "unit": {"id": f"{service.id}--unit", "name": service.capacity_unit or ""},
            "maximum": service.capacity,
            "available": service.capacity - used if used is not None else service.capacity,
            "description": None if used is not None else UNKNOWN_USE,
        }
    ]


def service_record(
    service: Service,
    organizations: dict[str, Organization],
    locations: dict[str, Location],
    categories: dict[str, Category],
    areas: dict[str, Area],
) -> Json:
    return {
        "id": service.id,
        "name": service.name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": STATUS_TO_HSDS[service.status],
        "assured_date": service.assured_date.isoformat() if service.assured_date else None,
        "organization": organization_record(organizations[service.organization_id]),
        "service_areas": [
            {
                "id": f"{service.id}--{area_id}",
                "service_id": service.id,
                "name": areas[area_id].name if area_id in areas else None,
                "uri": AREA_URN + area_id,
            }
            for area_id in service.area_ids
        ],
        "service_at_locations": [
            {
                "id": f"{service.id}--{loc_id}",
                "service_id": service.id,
                "location_id": loc_id,
                "location": location_record(locations[loc_id]),
            }
            for loc_id in service.location_ids
        ],
        "languages": [
            {
                "id": f"{service.id}--lang-{code}",
                "service_id": service.id,
                "name": LANGUAGE_NAMES.get(code, code),
                "code": code,
            }
            for code in service.languages
        ],
        "capacities": _capacities(service),
        "attributes": _attributes(service, categories),
        "required_documents": [
            {"id": f"{service.id}--document-{i}", "service_id": service.id, "document": document}
            for i, document in enumerate(service.required_documents)
        ],
    }


def service_records(bundle: Bundle) -> Iterator[Json]:
    organizations = {o.id: o for o in bundle.organizations}
    locations = {loc.id: loc for loc in bundle.locations}
    categories = {c.id: c for c in bundle.categories}
    areas = {a.id: a for a in bundle.areas}
    for service in bundle.services:
        yield service_record(service, organizations, locations, categories, areas)


def write_hsds(bundle: Bundle, path: Path) -> int:
    """A JSON array of full service records (``.ndjson``/``.jsonl``: one record a line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    ndjson = path.suffix.lower() in (".ndjson", ".jsonl")
    with path.open("w", encoding="utf-8") as fh:
        if not ndjson:
            fh.write("[\n")
        for record in service_records(bundle):
            if count and not ndjson:
                fh.write(",\n")
            fh.write(json.dumps(record, ensure_ascii=False, indent=None if ndjson else 2))
            if ndjson:
                fh.write("\n")
            count += 1
        if not ndjson:
            fh.write("\n]\n")
    return count
