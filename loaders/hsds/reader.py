"""Import HSDS 3.x service records (JSON array, NDJSON, or a page with ``contents``), streamed
record by record (``loaders.jsonstream``), so a large directory is never read whole.

Each service brings its organization and locations nested; the same organization, location
or taxonomy term repeated in many services is taken once, its gaps filled from later services
and differing values listed as warnings (``loaders.merge``).
HSDS ids are kept as node ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.records import Category, Location, Organization, Service
from graph.vocabulary import labelled
from loaders.errors import Issue
from loaders.hsds.models import HsdsLocation, HsdsOrganization, HsdsService
from loaders.hsds.vocabulary import (
    AREA_IDENTIFIER_TYPE,
    AREA_URN,
    SECTOR_FROM_HSDS,
    STATUS_FROM_HSDS,
    TARGET_GROUP_TERM_PREFIX,
    TAXONOMY_LEGAL_BASIS,
    TAXONOMY_TARGET_GROUP,
    TAXONOMY_VALIDITY,
    TERM_VALID_FROM,
    TERM_VALID_TO,
    UNKNOWN_USE,
)
from loaders.jsonstream import JsonRecord, JsonSyntaxError, read_records
from loaders.merge import RecordMerger, given_fields
from loaders.messages import german_message
from loaders.tabular.reader import Origin, ParsedBundle

HSDS_TABLES = ("organizations", "locations", "services", "categories")


def _records(path: Path, issues: list[Issue]) -> Iterator[JsonRecord]:
    """Every service record of the file, streamed; syntax errors become issues."""
    try:
        for record in read_records(path):
            if record.error is not None:
                issues.append(
                    _issue(path, record.number, record.line, None, f"kein JSON: {record.error}")
                )
            else:
                yield record
    except JsonSyntaxError as exc:
        issues.append(Issue(path.name, exc.line, None, f"kein JSON: {exc.message}"))
    except UnicodeDecodeError as exc:
        issues.append(Issue(path.name, None, None, f"nicht UTF-8: {exc.reason}"))


def _issue(path: Path, number: int, line: int, field: str | None, message: str) -> Issue:
    return Issue(path.name, number, field, message, "Datensatz", "Feld", line)


# verbund field -> where HSDS keeps it (for warnings about differing repetitions).
_ORGANIZATION_PATHS = {
    "name": "organization.name",
    "sector": "organization.legal_status",
    "description": "organization.description",
    "website": "organization.website",
    "email": "organization.email",
    "phone": "organization.phones.0.number",
}
_LOCATION_PATHS = {
    "name": "name",
    "organization_id": "organization_id",
    "street": "addresses.0.address_1",
    "postal_code": "addresses.0.postal_code",
    "city": "addresses.0.city",
    "latitude": "latitude",
    "longitude": "longitude",
    "area_id": "external_identifier",
    "phone": "phones.0.number",
    "opening_hours": "schedules.0.description",
}
_CATEGORY_PATHS = {"name": "name", "parent_id": "parent_id"}


@dataclass(slots=True)
class _Collector:
    """Organizations, locations and taxonomy terms repeated across services, taken once: gaps
    filled from later services, differences listed as warnings (``loaders.merge``)."""

    parsed: ParsedBundle
    organizations: RecordMerger[Organization] = field(
        default_factory=lambda: RecordMerger("Träger")
    )
    locations: RecordMerger[Location] = field(default_factory=lambda: RecordMerger("Standort"))
    categories: RecordMerger[Category] = field(
        default_factory=lambda: RecordMerger("Leistungsbereich")
    )

    def add(
        self,
        merger: RecordMerger[Any],
        record: Any,
        given: set[str],
        origin: Origin,
        paths: dict[str, str],
        prefix: str = "",
    ) -> None:
        headers = {name: prefix + path for name, path in paths.items()}
        merger.add(record, given, replace(origin, headers=headers), self.parsed.warnings)

    def finish(self) -> None:
        for table in ("organizations", "locations", "categories"):
            merger: RecordMerger[Any] = getattr(self, table)
            getattr(self.parsed.bundle, table).extend(merger.records())
            self.parsed.origins.setdefault(table, []).extend(merger.origins())


def read_hsds(path: Path, source: str) -> ParsedBundle:
    parsed = ParsedBundle(tables=set(HSDS_TABLES))
    if not path.is_file():
        parsed.issues.append(Issue(path.name, None, None, "Datei nicht gefunden"))
        return parsed
    collector = _Collector(parsed)
    service_ids: set[str] = set()
    for record in _records(path, parsed.issues):
        origin = Origin(path.name, record.number, {}, json=True, line=record.line)
        try:
            service = HsdsService.model_validate(record.value)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(p) for p in error["loc"])
                parsed.issues.append(
                    _issue(path, record.number, record.line, field, german_message(error))
                )
            continue
        if service.id in service_ids:
            parsed.issues.append(origin.issue("id", f"Angebot „{service.id}“ doppelt"))
            continue
        service_ids.add(service.id)
        _convert(service, source, origin, collector)
    collector.finish()
    return parsed


def _convert(service: HsdsService, source: str, origin: Origin, out: _Collector) -> None:
    issues = out.parsed.issues
    before = len(issues)
    org = _organization(service.organization, source, origin, issues)
    locations = []
    for i, sal in enumerate(service.service_at_locations):
        if sal.location is None:
            issues.append(origin.issue(f"service_at_locations.{i}", "Standort fehlt (location)"))
            continue
        # A location without a name is named by its id: that is no value to merge.
        locations.append((_location(sal.location, source), bool(sal.location.name)))
    area_ids = []
    for i, area in enumerate(service.service_areas):
        if area.uri and area.uri.startswith(AREA_URN):
            area_ids.append(area.uri[len(AREA_URN) :])
        else:
            issues.append(
                origin.issue(
                    f"service_areas.{i}.uri",
                    f"Sozialraum nicht zuzuordnen: uri „{AREA_URN}<id>“ erwartet",
                )
            )
    languages = []
    for i, lang in enumerate(service.languages):
        if not lang.code:
            issues.append(origin.issue(f"languages.{i}.code", "Sprachcode (ISO 639-1) fehlt"))
        else:
            languages.append(lang.code)
    fields: dict[str, Any] = {"category_ids": [], "target_groups": []}
    categories = []
    for i, attribute in enumerate(service.attributes):
        term = attribute.taxonomy_term
        if term is None:
            issues.append(origin.issue(f"attributes.{i}", "taxonomy_term fehlt"))
            continue
        where = f"attributes.{i}.value"
        if term.taxonomy == TAXONOMY_TARGET_GROUP:
            fields["target_groups"].append(term.code or term.id[len(TARGET_GROUP_TERM_PREFIX) :])
        elif term.taxonomy == TAXONOMY_LEGAL_BASIS:
            fields["legal_basis"] = attribute.value
        elif term.taxonomy == TAXONOMY_VALIDITY and term.id in (TERM_VALID_FROM, TERM_VALID_TO):
            try:
                day = date.fromisoformat(attribute.value or "")
            except ValueError:
                issues.append(origin.issue(where, "Datum JJJJ-MM-TT erwartet"))
                continue
            fields["valid_from" if term.id == TERM_VALID_FROM else "valid_to"] = day
        else:
            fields["category_ids"].append(term.id)
            categories.append(
                Category(id=term.id, name=term.name, parent_id=term.parent_id, source=source)
            )
    status = STATUS_FROM_HSDS.get(service.status.casefold())
    if status is None:
        issues.append(origin.issue("status", f"unbekannter Status „{service.status}“"))
    capacity: dict[str, Any] = {}
    if len(service.capacities) > 1:
        issues.append(origin.issue("capacities", "nur eine Kapazität je Angebot möglich"))
    elif service.capacities:
        cap = service.capacities[0]
        maximum = cap.maximum if cap.maximum is not None else cap.available
        if maximum is None:
            issues.append(origin.issue("capacities", "weder maximum noch available angegeben"))
        else:
            capacity = {
                "capacity": int(maximum),
                "capacity_unit": (cap.unit.name if cap.unit else None) or None,
                "capacity_used": None
                if cap.available is None or cap.description == UNKNOWN_USE
                else int(maximum - cap.available),
            }
    if len(issues) > before or org is None or status is None:
        return
    org_given = given_fields(org, "name", "description", "website", "email", "phone")
    if service.organization.legal_status:
        org_given.add("sector")
    out.add(out.organizations, org, org_given, origin, _ORGANIZATION_PATHS)
    for i, (loc, named) in enumerate(locations):
        given = given_fields(loc, *_LOCATION_PATHS) - ({"name"} if not named else set())
        prefix = f"service_at_locations.{i}.location."
        out.add(out.locations, loc, given, origin, _LOCATION_PATHS, prefix)
    for i, cat in enumerate(categories):
        prefix = f"attributes.{i}.taxonomy_term."
        out.add(
            out.categories,
            cat,
            given_fields(cat, "name", "parent_id"),
            origin,
            _CATEGORY_PATHS,
            prefix,
        )
    record = Service(
        id=service.id,
        organization_id=org.id,
        name=service.name,
        description=service.description or "",
        category_ids=tuple(fields["category_ids"]),
        target_groups=tuple(fields["target_groups"]),
        languages=tuple(languages),
        legal_basis=fields.get("legal_basis"),
        status=status,  # type: ignore[arg-type]
        valid_from=fields.get("valid_from"),
        valid_to=fields.get("valid_to"),
        area_ids=tuple(area_ids),
        location_ids=tuple(loc.id for loc, _ in locations),
        email=service.email,
        url=service.url,
        required_documents=tuple(
            d.document.strip()
            for d in service.required_documents
            if d.document and d.document.strip()
        ),
        assured_date=service.assured_date,
        source=source,
        **capacity,
    )
    out.parsed.bundle.services.append(record)
    out.parsed.origins.setdefault("services", []).append(origin)


def _organization(
    org: HsdsOrganization, source: str, origin: Origin, issues: list[Issue]
) -> Organization | None:
    sector = "nonprofit"
    if org.legal_status:
        found = SECTOR_FROM_HSDS.get(org.legal_status.casefold())
        if found is None:
            issues.append(
                origin.issue(
                    "organization.legal_status",
                    f"unbekannte Rechtsform „{org.legal_status}“; erlaubt: "
                    + ", ".join(labelled(["public", "nonprofit", "private"])),
                )
            )
            return None
        sector = found
    return Organization(
        id=org.id,
        name=org.name,
        sector=sector,  # type: ignore[arg-type]
        description=org.description or "",
        website=org.website,
        email=org.email,
        phone=org.phones[0].number if org.phones else None,
        source=source,
    )


def _location(loc: HsdsLocation, source: str) -> Location:
    address = loc.addresses[0] if loc.addresses else None
    area_id = (
        loc.external_identifier if loc.external_identifier_type == AREA_IDENTIFIER_TYPE else None
    )
    return Location(
        id=loc.id,
        name=loc.name or loc.id,
        organization_id=loc.organization_id,
        street=(address.address_1 or None) if address else None,
        postal_code=(address.postal_code or None) if address else None,
        city=(address.city or None) if address else None,
        latitude=loc.latitude,
        longitude=loc.longitude,
        area_id=area_id,
        phone=loc.phones[0].number if loc.phones else None,
        # The opening hours as text: the schedules' descriptions (HSDS schedule.description).
        opening_hours="; ".join(s.description for s in loc.schedules if s.description) or None,
        source=source,
    )
