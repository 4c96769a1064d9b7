"""Import HSDS 3.x records (JSON array, NDJSON, a single record or a page with ``contents``),
streamed record by record (``loaders.jsonstream``), so a large directory is never read whole.

A file may hold services, organizations (with their services and locations), service at
location records, locations or taxonomy terms (``loaders.hsds.kinds``). Each service brings
its organization and locations nested; the same organization, location or taxonomy term
repeated is taken once, its gaps filled from later records and differing values listed as
warnings (``loaders.merge``). HSDS ids are kept as node ids. What verbund has no field for is
kept as the record's HSDS rest and exported again (``loaders.hsds.rest``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from graph.records import Area, Category, Location, Organization, Service
from loaders.errors import Issue
from loaders.hsds.directory import Directory
from loaders.hsds.kinds import kind_of
from loaders.hsds.models import HsdsLocation, HsdsOrganization, HsdsService, Term
from loaders.hsds.package import read_package
from loaders.hsds.quickcheck import fingerprint, remember
from loaders.hsds.rest import difference, encode
from loaders.hsds.schemas import checked
from loaders.hsds.taxonomies import lay_into_terms
from loaders.hsds.vocabulary import (
    AREA_IDENTIFIER_TYPE,
    AREA_URN,
    STATUS_FROM_HSDS,
    TARGET_GROUP_TERM_PREFIX,
    TAXONOMY_LEGAL_BASIS,
    TAXONOMY_TARGET_GROUP,
    TAXONOMY_VALIDITY,
    TERM_VALID_FROM,
    TERM_VALID_TO,
    UNKNOWN_USE,
    sector_of,
)
from loaders.hsds.writer import (
    own_category_term,
    own_location_record,
    own_organization_record,
    own_service_record,
    strip_named,
)
from loaders.jsonstream import JsonRecord, JsonSyntaxError, read_records
from loaders.merge import RecordMerger, given_fields
from loaders.messages import german_message
from loaders.tabular.reader import Origin, ParsedBundle

Json = dict[str, Any]

HSDS_TABLES = ("organizations", "locations", "services", "categories")


def service_records(path: Path, issues: list[Issue]) -> Iterator[JsonRecord]:
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
_OWN_ORGANIZATION_PATHS = {
    k: v.removeprefix("organization.") for k, v in _ORGANIZATION_PATHS.items()
}


def _headers(paths: dict[str, str], prefix: str) -> dict[str, str]:
    """The JSON paths of a nested record's fields (for its warnings), one dict per place:
    kept with every first occurrence, so shared rather than built for each (read-only)."""
    key = (id(paths), prefix)
    found = _HEADERS.get(key)
    if found is None:
        found = _HEADERS[key] = {name: prefix + path for name, path in paths.items()}
    return found


# Keyed by the id of a module-level paths table (they live as long as the module).
_HEADERS: dict[tuple[int, str], dict[str, str]] = {}

# verbund field -> the HSDS member that gives it: a record without that member leaves the
# stored value as it is (loaders/absent.py). Fields not listed are always given.
_GIVEN_BY: dict[str, dict[str, str]] = {
    "organizations": {
        "sector": "legal_status",
        "legal_status": "legal_status",
        "description": "description",
        "website": "website",
        "email": "email",
        "phone": "phones",
    },
    "locations": {
        "name": "name",
        "organization_id": "organization_id",
        "street": "addresses",
        "postal_code": "addresses",
        "city": "addresses",
        "latitude": "latitude",
        "longitude": "longitude",
        "area_id": "external_identifier",
        "phone": "phones",
        "opening_hours": "schedules",
    },
    "categories": {"parent_id": "parent_id"},
    "services": {
        "description": "description",
        "category_ids": "attributes",
        "target_groups": "attributes",
        "legal_basis": "attributes",
        "valid_from": "attributes",
        "valid_to": "attributes",
        "languages": "languages",
        "capacity": "capacities",
        "capacity_unit": "capacities",
        "capacity_used": "capacities",
        "area_ids": "service_areas",
        "location_ids": "service_at_locations",
        "email": "email",
        "url": "url",
        "required_documents": "required_documents",
        "assured_date": "assured_date",
    },
}


def given_by(table: str, record: Any, received: Json) -> frozenset[str]:
    """The fields an HSDS record gives (and ``hsds.<member>`` for each member it has)."""
    members = _GIVEN_BY[table]
    fields = {
        f.name
        for f in dataclass_fields(record)
        if f.name not in members or members[f.name] in received
    }
    given = frozenset(fields - {"hsds"}) | {f"hsds.{key}" for key in received}
    # Records of one source give the same members: one set shared, not one per record.
    return _GIVEN_SETS.setdefault(given, given)


_GIVEN_SETS: dict[frozenset[str], frozenset[str]] = {}


@dataclass(slots=True)
class Collector:
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
    directory: Directory = field(default_factory=Directory)
    service_ids: set[str] = field(default_factory=set)
    # Per table and id: the record as received (its rest is computed once all is read);
    # Träger and Standorte as compact JSON (``_packed``).
    received: dict[str, dict[str, Json | bytes]] = field(default_factory=dict)
    # Taxonomy records of their own, by id: laid into the terms that name them at the end.
    taxonomies: dict[str, tuple[Json, Origin]] = field(default_factory=dict)
    # The schema check's memo of repeated nested objects (``loaders.hsds.quickcheck``), and
    # the nested organizations and locations converted without a message, by fingerprint:
    # an identical repetition changes nothing (its merge fills no gap, warns of nothing),
    # so it is not converted again. Only while ``memo`` (the record was strict JSON).
    seen: dict[bytes, int] = field(default_factory=dict)
    converted: dict[bytes, str] = field(default_factory=dict)
    memo: bool = False
    # False for the first pass of a streamed import (loaders/hsds/stream.py): every service
    # is checked (its messages and ids kept), but its record is not built nor held.
    keep_services: bool = True
    # False for its second pass, which only builds the services of a file the first pass
    # checked whole: no schema check, and the nested Träger, Standorte and terms (taken in
    # the first pass) give only their ids.
    check_all: bool = True

    def add(
        self,
        merger: RecordMerger[Any],
        record: Any,
        given: set[str],
        origin: Origin,
        paths: dict[str, str],
        prefix: str = "",
    ) -> None:
        merger.add(
            record, given, replace(origin, headers=_headers(paths, prefix)), self.parsed.warnings
        )

    def repeated(self, tag: bytes, raw: Json) -> tuple[bytes | None, str | None]:
        """(fingerprint, id if this very object was converted before without a message)."""
        key = fingerprint(tag, raw) if self.memo else None
        return key, self.converted.get(key) if key is not None else None

    def messages(self) -> tuple[int, int]:
        return len(self.parsed.issues), len(self.parsed.warnings)

    def converted_once(self, key: bytes | None, record_id: str, before: tuple[int, int]) -> None:
        """Remember a nested object converted without an issue or a warning."""
        if key is not None and self.messages() == before:
            remember(self.converted, key, record_id)

    def receive(self, table: str, record_id: str, raw: Json) -> None:
        """Keep what a record came as, for its rest; repetitions fill the fields the first
        one left out (HSDS lists nest only the one-to-one fields)."""
        received = self.received.setdefault(table, {})
        kept = _opened(received.get(record_id, {}))
        for key, value in raw.items():
            if key not in kept or kept[key] in (None, "", []):
                kept[key] = value
        received[record_id] = self._packed(table, kept)

    def _packed(self, table: str, kept: Json) -> Json | bytes:
        """A Träger or Standort as compact JSON: a large directory has about one of each per
        service, and their decoded objects held until the end were most of the reader's
        memory (bench/README.md). Only a record of strict JSON (``memo``: no NaN) comes back
        from orjson unchanged; others, and an integer past 64 bits, stay as they are. Terms
        stay decoded: their taxonomies are laid into them (``_taxonomies``)."""
        if table == "categories" or not self.memo:
            return kept
        try:
            packed = orjson.dumps(kept)
        except TypeError:  # orjson.JSONEncodeError: an integer past 64 bits
            return kept
        # A copy of the exact length: orjson's own result keeps its whole write buffer.
        return memoryview(packed).tobytes()

    def finish(self) -> None:
        self._taxonomies()
        categories = self._linked_categories()
        locations = self._linked_locations()
        owns: tuple[tuple[str, Callable[[Any], Json]], ...] = (
            ("organizations", own_organization_record),
            ("locations", own_location_record),
            ("categories", own_category_term),
        )
        for table, own in owns:
            merger: RecordMerger[Any] = getattr(self, table)
            received = self.received.get(table, {})
            linked: dict[str, list[Any]] = {"categories": categories, "locations": locations}
            records = linked.get(table, merger.records())
            kept: list[Any] = []
            given: dict[str, frozenset[str]] = {}
            for r in records:
                # Taken out as it is used: the received copies go while the rests come.
                raw = _opened(received.pop(r.id, {}))
                kept.append(replace(r, hsds=encode(difference(raw, own(r)))))
                given[r.id] = given_by(table, r, raw)
            getattr(self.parsed.bundle, table).extend(kept)
            self.parsed.record_columns[table] = given
            self.parsed.origins.setdefault(table, []).extend(merger.origins())

    def _taxonomies(self) -> None:
        """Each taxonomy record goes into the terms of this import that name it; one that
        no term names cannot be kept (verbund stores taxonomies with their terms): said so."""
        given = {ident: value for ident, (value, _) in self.taxonomies.items()}
        # Terms are never packed (``_packed``): opening gives the stored dicts themselves.
        terms = {k: _opened(v) for k, v in self.received.get("categories", {}).items()}
        used = lay_into_terms(given, terms)
        for ident, (value, origin) in self.taxonomies.items():
            if ident not in used:
                self.parsed.warnings.append(
                    _whole(
                        origin,
                        f"Taxonomie „{value.get('name', '')}“ ({ident}) nicht gespeichert: kein "
                        "Begriff dieses Imports nennt sie (taxonomy oder taxonomy_id). Bitte "
                        "zusammen mit ihren Begriffen importieren (eine Liste mit beiden oder "
                        "das Tabellenpaket)",
                    )
                )

    def _linked_locations(self) -> list[Location]:
        """A location's Träger is linked where it is known (input or graph); an unknown one
        stays in the location's rest, as text, with a warning."""
        records = self.locations.records()
        given = {org.id for org in self.organizations.records()}
        wanted = {
            loc.organization_id
            for loc in records
            if loc.organization_id and loc.organization_id not in given
        }
        known = given | (self.directory.existing("Organization", wanted) if wanted else set())
        out = []
        for loc, origin in zip(records, self.locations.origins(), strict=True):
            if loc.organization_id and loc.organization_id not in known:
                self.parsed.warnings.append(
                    origin.issue(
                        "organization_id",
                        f"Träger „{loc.organization_id}“ ist unbekannt: als Text behalten, "
                        "Standort ohne Träger – den Träger mitimportieren, um zu verknüpfen",
                    )
                )
                loc = replace(loc, organization_id=None)
            out.append(loc)
        return out

    def _linked_categories(self) -> list[Category]:
        """A term's parent becomes a BROADER link where the parent is known (in the input or
        the graph); an unknown parent stays in the term's rest, as text, with a warning."""
        records = self.categories.records()
        origins = self.categories.origins()
        given = {cat.id for cat in records}
        wanted = {c.parent_id for c in records if c.parent_id and c.parent_id not in given}
        known = given | (self.directory.existing("Category", wanted) if wanted else set())
        out = []
        for cat, origin in zip(records, origins, strict=True):
            if cat.parent_id and cat.parent_id not in known:
                self.parsed.warnings.append(
                    origin.issue(
                        "parent_id",
                        f"übergeordneter Begriff „{cat.parent_id}“ ist unbekannt: als Text "
                        "behalten, ohne Verknüpfung – ihn mitimportieren, um zu verknüpfen",
                    )
                )
                cat = replace(cat, parent_id=None)
            out.append(cat)
        return out


def _opened(kept: Json | bytes) -> Json:
    return orjson.loads(kept) if isinstance(kept, bytes) else kept


def read_hsds_package(
    folder: Path, source: str, directory: Directory | None = None
) -> ParsedBundle:
    """The tabular form (CSV tables with ``datapackage.json``), read as nested records."""
    parsed = ParsedBundle(tables=set(HSDS_TABLES))
    collector = Collector(parsed, directory=directory or Directory())
    package = read_package(folder)
    for file, row, message in package.unplaced:
        parsed.warnings.append(Issue(file, row or None, None, message))
    for record in package.records:
        add_record(record.value, source, Origin(record.file, record.row, {}), collector)
    collector.finish()
    return parsed


def read_hsds(path: Path, source: str, directory: Directory | None = None) -> ParsedBundle:
    parsed = ParsedBundle(tables=set(HSDS_TABLES))
    if not path.is_file():
        parsed.issues.append(Issue(path.name, None, None, "Datei nicht gefunden"))
        return parsed
    collector = Collector(parsed, directory=directory or Directory())
    for record in service_records(path, parsed.issues):
        origin = Origin(path.name, record.number, {}, json=True, line=record.line)
        add_record(record.value, source, origin, collector, memo=record.finite)
    collector.finish()
    return parsed


def add_record(
    value: Any, source: str, origin: Origin, out: Collector, *, memo: bool = False
) -> None:
    kind = kind_of(value)
    if kind is None:
        out.parsed.issues.append(
            _whole(
                origin,
                "kein HSDS-Datensatz erkennbar (service, organization, service_at_location, "
                "location oder taxonomy_term erwartet)",
            )
        )
    else:
        out.memo = memo
        errors, unknown = (
            checked(kind, value, out.seen if memo else None) if out.check_all else ((), ())
        )
        for path, message in errors:
            out.parsed.issues.append(origin.issue(path, message))
        if unknown:
            out.parsed.warnings.append(
                _whole(
                    origin,
                    f"{len(unknown)} Feld(er), die HSDS 3.0 nicht kennt, unverändert "
                    f"aufbewahrt: {', '.join(unknown[:10])}" + (" …" if len(unknown) > 10 else ""),
                )
            )
        if not errors:
            _convert(kind, value, source, origin, out)


def _convert(kind: str, value: Json, source: str, origin: Origin, out: Collector) -> None:
    if kind == "service":
        _service(value, source, origin, out)
    elif kind == "organization":
        _organization_full(value, source, origin, out)
    elif kind == "service_at_location":
        service = value.get("service")
        sal = {k: v for k, v in value.items() if k != "service"}
        if not isinstance(service, dict):
            out.parsed.issues.append(origin.issue("service", "Angebot fehlt (service)"))
            return
        _service({**service, "service_at_locations": [sal]}, source, origin, out, "service.")
    elif kind == "location":
        _standalone_location(value, source, origin, out)
    elif kind == "taxonomy_term":
        _term(value, source, origin, out, "")
    else:
        # Kept with the terms that name it (loaders/hsds/taxonomies.py), once all is read.
        out.taxonomies.setdefault(str(value["id"]), (value, origin))


def _whole(origin: Origin, message: str) -> Issue:
    """An issue about the record as a whole (no one field)."""
    return Issue(origin.file, origin.row, None, message, "Datensatz", "Feld", origin.line)


def _validated(model: type[Any], value: Any, origin: Origin, out: Collector, prefix: str) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        for error in exc.errors():
            where = prefix + ".".join(str(p) for p in error["loc"])
            out.parsed.issues.append(origin.issue(where, german_message(error)))
        return None


def _organization_full(raw: Json, source: str, origin: Origin, out: Collector) -> None:
    """An organization with its locations and services (``/organizations/{id}``)."""
    org = _organization(raw, source, origin, out, "")
    if org is None:
        return
    for i, service in enumerate(raw.get("services") or []):
        if isinstance(service, dict):
            _service(service, source, origin, out, f"services.{i}.", parent=org)


def _standalone_location(
    raw: Json, source: str, origin: Origin, out: Collector, prefix: str = ""
) -> None:
    model = _validated(HsdsLocation, raw, origin, out, prefix)
    if model is None:
        return
    loc = _location(model, source, origin, out, prefix)
    out.receive("locations", loc.id, raw)
    given = given_fields(loc, *_LOCATION_PATHS) - ({"name"} if not model.name else set())
    out.add(out.locations, loc, given, origin, _LOCATION_PATHS, prefix)


def _organization(
    raw: Json, source: str, origin: Origin, out: Collector, prefix: str
) -> Organization | None:
    model = _validated(HsdsOrganization, raw, origin, out, prefix)
    if model is None:
        return None
    sector, legal_status = "nonprofit", None
    if model.legal_status and model.legal_status.strip():
        text = model.legal_status.strip()
        found = sector_of(text)
        if found is None:
            out.parsed.warnings.append(
                origin.issue(
                    prefix + "legal_status",
                    f"Rechtsform „{text}“ als Text übernommen; der Sektor ist daraus nicht "
                    "zu erkennen, „gemeinnützig“ angenommen – bei Bedarf am Träger ändern",
                )
            )
        sector = found or "nonprofit"
        # The sector's own word ("nonprofit", as verbund exports it) is no Rechtsform.
        legal_status = None if text.casefold() == sector else text
    org = Organization(
        id=model.id,
        name=model.name,
        sector=sector,  # type: ignore[arg-type]
        legal_status=legal_status,
        description=model.description or "",
        website=model.website,
        email=model.email,
        phone=model.phones[0].number if model.phones else None,
        source=source,
    )
    out.receive("organizations", org.id, {k: v for k, v in raw.items() if k not in _NESTED_IN_ORG})
    for i, loc in enumerate(raw.get("locations") or []):
        if isinstance(loc, dict):
            where = f"{prefix}locations.{i}."
            _standalone_location({"organization_id": org.id, **loc}, source, origin, out, where)
    given = given_fields(org, "name", "description", "website", "email", "phone", "legal_status")
    if model.legal_status:
        given.add("sector")
    out.add(out.organizations, org, given, origin, _OWN_ORGANIZATION_PATHS, prefix)
    return org


# An organization's services and locations are records of their own (with their own rest).
_NESTED_IN_ORG = frozenset({"services", "locations"})


def _location(
    model: HsdsLocation, source: str, origin: Origin, out: Collector, prefix: str
) -> Location:
    address = model.addresses[0] if model.addresses else None
    area_id = (
        model.external_identifier
        if model.external_identifier_type == AREA_IDENTIFIER_TYPE
        else None
    )
    lat, lon = model.latitude, model.longitude
    if lat is not None and lon is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        out.parsed.warnings.append(
            origin.issue(
                prefix + "latitude",
                f"Koordinaten Breite {lat:g}, Länge {lon:g} liegen außerhalb von WGS84: "
                "unverändert aufbewahrt, aber nicht für Karte und Entfernungen genutzt – "
                "bitte an der Quelle korrigieren",
            )
        )
        lat = lon = None
    return Location(
        id=model.id,
        name=model.name or model.id,
        organization_id=model.organization_id,
        street=(address.address_1 or None) if address else None,
        postal_code=(address.postal_code or None) if address else None,
        city=(address.city or None) if address else None,
        latitude=lat,
        longitude=lon,
        area_id=area_id,
        phone=model.phones[0].number if model.phones else None,
        # The opening hours as text: the schedules' descriptions (HSDS schedule.description).
        opening_hours="; ".join(s.description for s in model.schedules if s.description) or None,
        source=source,
    )


def _term(raw: Json, source: str, origin: Origin, out: Collector, prefix: str) -> Category | None:
    term = _validated(Term, raw, origin, out, prefix)
    if term is None:
        return None
    cat = Category(id=term.id, name=term.name, parent_id=term.parent_id, source=source)
    out.receive("categories", cat.id, raw)
    out.add(
        out.categories, cat, given_fields(cat, "name", "parent_id"), origin, _CATEGORY_PATHS, prefix
    )
    return cat


def _service(
    raw: Json,
    source: str,
    origin: Origin,
    out: Collector,
    prefix: str = "",
    parent: Organization | None = None,
) -> None:
    service = _validated(HsdsService, raw, origin, out, prefix)
    if service is None:
        return
    if service.id in out.service_ids:
        out.parsed.issues.append(origin.issue(prefix + "id", f"Angebot „{service.id}“ doppelt"))
        return
    out.service_ids.add(service.id)
    issues = out.parsed.issues
    before = len(issues)
    warn = out.parsed.warnings.append
    if service.organization is not None and isinstance(raw.get("organization"), dict):
        key, org_id = (
            out.repeated(b"organization", raw["organization"])
            if out.check_all
            else (None, service.organization.id)
        )
        if org_id is None:
            messages = out.messages()
            org = _organization(raw["organization"], source, origin, out, prefix + "organization.")
            org_id = org.id if org is not None else None
            if org_id is not None:
                out.converted_once(key, org_id, messages)
    elif parent is not None:
        org_id = parent.id
    else:
        org_id = service.organization_id
        if not org_id:
            issues.append(origin.issue(prefix + "organization", "Träger fehlt (organization)"))
    location_ids = []
    for i, sal in enumerate(service.service_at_locations):
        where = f"{prefix}service_at_locations.{i}."
        if sal.location is not None:
            raw_loc = raw["service_at_locations"][i]["location"]
            key, loc_id = (
                out.repeated(b"location", raw_loc) if out.check_all else (None, sal.location.id)
            )
            if loc_id is None:
                messages = out.messages()
                loc = _location(sal.location, source, origin, out, where + "location.")
                out.receive("locations", loc.id, raw_loc)
                # A location without a name is named by its id: that is no value to merge.
                given = given_fields(loc, *_LOCATION_PATHS) - (
                    {"name"} if not sal.location.name else set()
                )
                out.add(out.locations, loc, given, origin, _LOCATION_PATHS, where + "location.")
                out.converted_once(key, loc.id, messages)
                loc_id = loc.id
            location_ids.append(loc_id)
        elif sal.location_id:
            location_ids.append(sal.location_id)
        else:
            issues.append(origin.issue(where + "location", "Standort fehlt (location)"))
    area_ids, area_names = _service_areas(service, origin, out, prefix)
    languages = []
    for i, lang in enumerate(service.languages):
        if lang.code:
            languages.append(lang.code)
        else:
            warn(
                origin.issue(
                    f"{prefix}languages.{i}.code",
                    "Sprache ohne Code (ISO 639-1): als Text behalten, in der Suche nicht "
                    "auffindbar – bitte Code ergänzen",
                )
            )
    fields: dict[str, Any] = {"category_ids": [], "target_groups": []}
    for i, attribute in enumerate(service.attributes):
        term = attribute.taxonomy_term
        where = f"{prefix}attributes.{i}."
        if term is None:
            warn(
                origin.issue(
                    where + "taxonomy_term",
                    "Merkmal ohne taxonomy_term: als Text behalten, keinem Leistungsbereich "
                    "zugeordnet",
                )
            )
            continue
        if term.taxonomy == TAXONOMY_TARGET_GROUP:
            fields["target_groups"].append(term.code or term.id[len(TARGET_GROUP_TERM_PREFIX) :])
        elif term.taxonomy == TAXONOMY_LEGAL_BASIS:
            fields["legal_basis"] = attribute.value
        elif term.taxonomy == TAXONOMY_VALIDITY and term.id in (TERM_VALID_FROM, TERM_VALID_TO):
            try:
                day = date.fromisoformat(attribute.value or "")
            except ValueError:
                issues.append(origin.issue(where + "value", "Datum JJJJ-MM-TT erwartet"))
                continue
            fields["valid_from" if term.id == TERM_VALID_FROM else "valid_to"] = day
        else:
            fields["category_ids"].append(term.id)
            raw_term = raw["attributes"][i]["taxonomy_term"]
            key, known = (
                out.repeated(b"taxonomy_term", raw_term) if out.check_all else (None, term.id)
            )
            if known is None:
                messages = out.messages()
                _term(raw_term, source, origin, out, where + "taxonomy_term.")
                out.converted_once(key, term.id, messages)
    status = STATUS_FROM_HSDS.get(service.status.casefold())
    if status is None:
        issues.append(origin.issue(prefix + "status", f"unbekannter Status „{service.status}“"))
    capacity: dict[str, Any] = {}
    if len(service.capacities) > 1:
        issues.append(origin.issue(prefix + "capacities", "nur eine Kapazität je Angebot möglich"))
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
    if len(issues) > before or org_id is None or status is None or not out.keep_services:
        return
    record = Service(
        id=service.id,
        organization_id=org_id,
        name=service.name,
        description=service.description or "",
        # Links in the order the graph gives them back (graph/readback.py sorts them): the
        # rest is computed against that order, so it still fits the record read back.
        category_ids=_linked(fields["category_ids"]),
        target_groups=tuple(fields["target_groups"]),
        languages=tuple(languages),
        legal_basis=fields.get("legal_basis"),
        status=status,  # type: ignore[arg-type]
        valid_from=fields.get("valid_from"),
        valid_to=fields.get("valid_to"),
        area_ids=_linked(area_ids),
        location_ids=_linked(location_ids),
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
    ours = own_service_record(record, area_names)
    received = strip_named(raw)
    out.parsed.bundle.services.append(replace(record, hsds=encode(difference(received, ours))))
    per_record = out.parsed.record_columns.setdefault("services", {})
    per_record[record.id] = given_by("services", record, received)
    out.parsed.origins.setdefault("services", []).append(origin)


def _linked(ids: list[str]) -> tuple[str, ...]:
    return tuple(sorted(set(ids)))


def _service_areas(
    service: HsdsService, origin: Origin, out: Collector, prefix: str
) -> tuple[list[str], dict[str, Area]]:
    """The Sozialräume a service serves: by verbund's URN, else by name (or id) of a
    Sozialraum. A service area that names none stays unlinked, kept in the rest."""
    ids: list[str] = []
    named: dict[str, Area] = {}
    for i, area in enumerate(service.service_areas):
        where = f"{prefix}service_areas.{i}"
        found = (
            [area.uri[len(AREA_URN) :]]
            if area.uri and area.uri.startswith(AREA_URN)
            else out.directory.areas_named(area.name)
            if area.name
            else []
        )
        if len(found) == 1:
            ids.append(found[0])
            continue
        covered = out.directory.areas_in(area.extent, area.extent_type) if area.extent else []
        if covered and not isinstance(covered, str):
            # Several Sozialräume for one service area: the service serves each of them;
            # the service area itself stays in the rest as received.
            ids.extend(a for a in covered if a not in ids)
            continue
        reason = (
            f"„{area.name}“ passt auf {len(found)} Sozialräume ({', '.join(found)})"
            if found
            else f"„{area.name or area.uri or area.id}“ ist kein bekannter Sozialraum"
            + (f" ({covered})" if isinstance(covered, str) else "")
        )
        out.parsed.warnings.append(
            origin.issue(
                where,
                f"Versorgungsgebiet {reason}: ohne Sozialraum behalten – für Auswertungen "
                f"uri „{AREA_URN}<id>“ oder den Namen eines Sozialraums angeben",
            )
        )
    for area_id in ids:
        # The name the export will give it (the stored one), for the rest.
        name = out.directory.area_name(area_id)
        if name is not None:
            named[area_id] = Area(id=area_id, name=name, level="city")
    return ids, named
