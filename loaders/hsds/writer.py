"""Export services as HSDS 3.x records, as ``GET /services/{id}`` returns them.

The one mapping of verbund's records to HSDS: the file export and the Open Referral API
(api/hsds_api.py) both build their objects here. Absent values are left out rather than
written as ``null``: the official schemas type optional fields as ``string``/``number``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph.bundle import Bundle
from graph.labels import TARGET_GROUPS
from graph.records import Area, Category, Location, Organization, Service
from loaders.hsds.rest import decode, overlay
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

# The taxonomies verbund's terms belong to (HSDS ``taxonomy``); German descriptions.
TAXONOMIES: tuple[Json, ...] = (
    {
        "id": TAXONOMY_CATEGORY,
        "name": "Leistungsbereiche",
        "description": "Leistungsbereiche der Angebote, mit engeren Bereichen (verbund).",
    },
    {
        "id": TAXONOMY_TARGET_GROUP,
        "name": "Zielgruppen",
        "description": "Zielgruppen der Angebote (verbund).",
    },
    {
        "id": TAXONOMY_LEGAL_BASIS,
        "name": "Rechtsgrundlage",
        "description": "Rechtsgrundlage eines Angebots; der Wert steht im Attribut.",
    },
    {
        "id": TAXONOMY_VALIDITY,
        "name": "Gültigkeit",
        "description": "Gültigkeitszeitraum eines Angebots; das Datum steht im Attribut.",
    },
)

# Terms whose value travels in the attribute (one term, many values).
VALUE_TERMS: tuple[Json, ...] = (
    {
        "id": TERM_LEGAL_BASIS,
        "name": "Rechtsgrundlage",
        "description": "Rechtsgrundlage des Angebots, z. B. § 16a SGB II.",
        "taxonomy": TAXONOMY_LEGAL_BASIS,
    },
    {
        "id": TERM_VALID_FROM,
        "name": "gültig ab",
        "description": "Erster Tag, an dem das Angebot gilt.",
        "taxonomy": TAXONOMY_VALIDITY,
    },
    {
        "id": TERM_VALID_TO,
        "name": "gültig bis",
        "description": "Letzter Tag, an dem das Angebot gilt.",
        "taxonomy": TAXONOMY_VALIDITY,
    },
)
_VALUE_TERM = {term["id"]: term for term in VALUE_TERMS}


def _present(record: Json) -> Json:
    """Without the absent (``None``) values."""
    return {key: value for key, value in record.items() if value is not None}


def category_term(cat: Category) -> Json:
    return overlay(own_category_term(cat), decode(cat.hsds))  # type: ignore[no-any-return]


def own_category_term(cat: Category) -> Json:
    """A Leistungsbereich as verbund's own fields give it (without the HSDS rest)."""
    return _present(
        {
            "id": cat.id,
            "code": cat.id,
            "name": cat.name,
            "description": f"Leistungsbereich {cat.name}",
            "parent_id": cat.parent_id,
            "taxonomy": TAXONOMY_CATEGORY,
        }
    )


def target_group_term(group: str) -> Json:
    return {
        "id": TARGET_GROUP_TERM_PREFIX + group,
        "code": group,
        "name": group,
        "description": f"Zielgruppe {TARGET_GROUPS.get(group, group)}",
        "taxonomy": TAXONOMY_TARGET_GROUP,
    }


def taxonomy_terms(categories: list[Category]) -> list[Json]:
    """Every term a service's attributes can name: the Leistungsbereiche, the known target
    groups and the value terms."""
    return [
        *(category_term(cat) for cat in categories),
        *(target_group_term(group) for group in TARGET_GROUPS),
        *VALUE_TERMS,
    ]


def organization_record(org: Organization) -> Json:
    return overlay(own_organization_record(org), decode(org.hsds))  # type: ignore[no-any-return]


def own_organization_record(org: Organization) -> Json:
    return _present(
        {
            "id": org.id,
            "name": org.name,
            "description": org.description,
            "email": org.email,
            "website": org.website,
            "legal_status": org.legal_status or org.sector,
            "phones": [{"id": f"{org.id}--phone", "number": org.phone}] if org.phone else [],
        }
    )


def location_record(loc: Location) -> Json:
    return overlay(own_location_record(loc), decode(loc.hsds))  # type: ignore[no-any-return]


def own_location_record(loc: Location) -> Json:
    has_address = any((loc.street, loc.postal_code, loc.city))
    return _present(
        {
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
                {
                    "id": f"{loc.id}--schedule",
                    "location_id": loc.id,
                    "description": loc.opening_hours,
                }
            ]
            if loc.opening_hours
            else [],
        }
    )


def _attribute(service_id: str, term: Json, value: str | None = None) -> Json:
    return _present(
        {
            "id": f"{service_id}--{term['id']}",
            "link_id": service_id,
            "link_type": "service",
            "link_entity": "service",
            "taxonomy_term_id": term["id"],
            "value": value,
        }
    )


def _attributes(service: Service) -> list[Json]:
    out = [_attribute(service.id, {"id": cid}) for cid in service.category_ids]
    out += [_attribute(service.id, target_group_term(group)) for group in service.target_groups]
    if service.legal_basis:
        out.append(_attribute(service.id, _VALUE_TERM[TERM_LEGAL_BASIS], service.legal_basis))
    for term_id, day in ((TERM_VALID_FROM, service.valid_from), (TERM_VALID_TO, service.valid_to)):
        if day is not None:
            out.append(_attribute(service.id, _VALUE_TERM[term_id], day.isoformat()))
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
            # Unknown occupancy stays empty: no ``available`` (never all places as free).
            **({"available": service.capacity - used} if used is not None else {}),
            **({} if used is not None else {"description": UNKNOWN_USE}),
        }
    ]


def service_record(
    service: Service,
    organizations: dict[str, Organization],
    locations: dict[str, Location],
    categories: dict[str, Category],
    areas: dict[str, Area],
) -> Json:
    """The full record: the service's own part with its HSDS rest, and the records it names
    (organization, locations, taxonomy terms) each with theirs."""
    record: Json = overlay(own_service_record(service, areas), decode(service.hsds))
    record["organization"] = organization_record(organizations[service.organization_id])
    for sal in record.get("service_at_locations", []):
        if sal.get("location_id") in locations:
            sal["location"] = location_record(locations[sal["location_id"]])
    terms = {cid: category_term(categories[cid]) for cid in service.category_ids}
    for attribute in record.get("attributes", []):
        term = terms.get(attribute.get("taxonomy_term_id")) or _generated_term(attribute)
        if term is not None:
            attribute["taxonomy_term"] = term
    return record


def _generated_term(attribute: Json) -> Json | None:
    term_id = attribute.get("taxonomy_term_id")
    if not isinstance(term_id, str):
        return None
    if term_id in _VALUE_TERM:
        return _VALUE_TERM[term_id]
    if term_id.startswith(TARGET_GROUP_TERM_PREFIX):
        return target_group_term(term_id[len(TARGET_GROUP_TERM_PREFIX) :])
    return None


def strip_named(record: Json) -> Json:
    """A service record without the records it names (organization, the locations of its
    service_at_locations, the taxonomy terms of its attributes): each keeps its own rest."""
    out = {k: v for k, v in record.items() if k != "organization"}
    if isinstance(out.get("service_at_locations"), list):
        out["service_at_locations"] = [
            {k: v for k, v in sal.items() if k != "location"} if isinstance(sal, dict) else sal
            for sal in out["service_at_locations"]
        ]
    if isinstance(out.get("attributes"), list):
        out["attributes"] = [
            {k: v for k, v in a.items() if k != "taxonomy_term"} if isinstance(a, dict) else a
            for a in out["attributes"]
        ]
    return out


def own_service_record(service: Service, areas: dict[str, Area]) -> Json:
    """A service as verbund's own fields give it, without the records it names."""
    return _present(
        {
            "id": service.id,
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": STATUS_TO_HSDS[service.status],
            "assured_date": service.assured_date.isoformat() if service.assured_date else None,
            "service_areas": [
                {
                    "id": f"{service.id}--{area_id}",
                    "service_id": service.id,
                    **({"name": areas[area_id].name} if area_id in areas else {}),
                    "uri": AREA_URN + area_id,
                }
                for area_id in service.area_ids
            ],
            "service_at_locations": [
                {
                    "id": f"{service.id}--{loc_id}",
                    "service_id": service.id,
                    "location_id": loc_id,
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
            "attributes": _attributes(service),
            "required_documents": [
                {
                    "id": f"{service.id}--document-{i}",
                    "service_id": service.id,
                    "document": document,
                }
                for i, document in enumerate(service.required_documents)
            ],
        }
    )


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


def one_to_one(record: Json) -> Json:
    """A record as the HSDS list endpoints give it: only its one-to-one fields (no arrays),
    nested objects (a service's organization) likewise."""
    return {
        key: one_to_one(value) if isinstance(value, dict) else value
        for key, value in record.items()
        if not isinstance(value, list)
    }
