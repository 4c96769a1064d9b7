"""The graph model of the records: which node each record becomes, which properties it stores
and which relationships it owns (the tables of docs/model.md, as code).

``graph/write.py`` writes by these specs, the readers (graph/readback.py, graph/repo/) and the
importers' reviews read by them. Labels and relationship types come only from here, never from
user input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any, Literal, get_args, get_type_hints

from neo4j.spatial import WGS84Point

from graph.bundle import RECORD_TYPES
from graph.records import (
    Agreement,
    Area,
    Category,
    Consent,
    Household,
    Location,
    Need,
    Network,
    Organization,
    Referral,
    Service,
)

Record = Any  # one of the dataclasses in graph.records


Direction = Literal["out", "in"]


@dataclass(frozen=True, slots=True)
class OwnedRel:
    """A relationship a record owns: its type, direction seen from the record, target label."""

    type: str
    direction: Direction
    target: str
    targets: Callable[[Record], Sequence[str]]
    # The record field it stands for: the readers (graph/repo/nodes.py, graph/repo/includes.py,
    # graph/readback.py) read the relationship back into it.
    field: str
    # The field holds several ids (a tuple), not one.
    many: bool = False

    @property
    def arrow(self) -> str:
        """The relationship in a pattern from the record's node: ``-[:T]->`` or ``<-[:T]-``."""
        return f"-[:{self.type}]->" if self.direction == "out" else f"<-[:{self.type}]-"


@dataclass(frozen=True, slots=True)
class NodeSpec:
    label: str
    rels: tuple[OwnedRel, ...] = ()
    # Record fields that become relationships (those of ``rels``, added here) or are
    # flattened, not node properties.
    not_props: frozenset[str] = frozenset()
    extra: Callable[[Record], dict[str, Any]] | None = None
    # The property names ``extra`` returns; None when they depend on the data (then the
    # statements set a map of properties instead of naming each one, which is slower).
    extra_keys: tuple[str, ...] | None = ()

    def __post_init__(self) -> None:
        owned = frozenset(rel.field for rel in self.rels)
        object.__setattr__(self, "not_props", self.not_props | owned)


def _one(value: str | None) -> list[str]:
    return [value] if value else []


def _ids_in(record: type, name: str) -> Callable[[Record], list[str]]:
    """The target ids the record field ``name`` holds, by its declared type: each of a
    tuple; an optional id, none while unset (None or empty); a required id, as it is."""
    hint = get_type_hints(record)[name]
    get = attrgetter(name)
    if _holds_many(record, name):
        return lambda r: list(get(r))
    if set(get_args(hint)) == {str, type(None)}:
        return lambda r: _one(get(r))
    if hint is str:
        return lambda r: [get(r)]
    raise TypeError(f"{record.__name__}.{name} hält keine Kennungen: {hint}")


def _holds_many(record: type, name: str) -> bool:
    return bool(get_type_hints(record)[name] == tuple[str, ...])


def _rel(record: type, type_: str, direction: Direction, target: str, name: str) -> OwnedRel:
    """``record``'s relationship standing for its field ``name``, targets read from it."""
    return OwnedRel(
        type_, direction, target, _ids_in(record, name), name, _holds_many(record, name)
    )


def _event_ids(r: Referral) -> list[str]:
    return [f"{r.id}#{i}" for i in range(len(r.history))]


def _area_extra(r: Area) -> dict[str, Any]:
    extra: dict[str, Any] = {f"indicator_{k}": v for k, v in sorted(r.indicators.items())}
    extra["indicator_keys"] = sorted(r.indicators)
    extra["centroid"] = _point(r.centroid_lat, r.centroid_lon)
    return extra


def _location_extra(r: Location) -> dict[str, Any]:
    return {"point": _point(r.latitude, r.longitude)}


def _point(lat: float | None, lon: float | None) -> WGS84Point | None:
    if lat is None or lon is None:
        return None
    return WGS84Point((lon, lat))


NODE_SPECS: dict[type, NodeSpec] = {
    Area: NodeSpec(
        "Area",
        (_rel(Area, "PART_OF", "out", "Area", "parent_id"),),
        not_props=frozenset({"indicators"}),
        extra=_area_extra,
        extra_keys=None,
    ),
    Category: NodeSpec("Category", (_rel(Category, "BROADER", "out", "Category", "parent_id"),)),
    Organization: NodeSpec("Organization"),
    Location: NodeSpec(
        "Location",
        (
            _rel(Location, "HAS_LOCATION", "in", "Organization", "organization_id"),
            _rel(Location, "IN_AREA", "out", "Area", "area_id"),
        ),
        extra=_location_extra,
        extra_keys=("point",),
    ),
    Service: NodeSpec(
        "Service",
        (
            _rel(Service, "PROVIDES", "in", "Organization", "organization_id"),
            _rel(Service, "IN_CATEGORY", "out", "Category", "category_ids"),
            _rel(Service, "SERVES", "out", "Area", "area_ids"),
            _rel(Service, "AT_LOCATION", "out", "Location", "location_ids"),
        ),
    ),
    Agreement: NodeSpec(
        "Agreement",
        (
            _rel(Agreement, "PARTY_TO", "in", "Organization", "party_ids"),
            _rel(Agreement, "COVERS", "out", "Category", "category_ids"),
        ),
    ),
    Network: NodeSpec("Network", (_rel(Network, "ACTIVE_IN", "out", "Area", "area_ids"),)),
    Household: NodeSpec(
        "Household",
        (
            _rel(Household, "LIVES_IN", "out", "Area", "area_id"),
            _rel(Household, "CASE_OF", "out", "Organization", "organization_id"),
        ),
    ),
    Need: NodeSpec(
        "Need",
        (
            _rel(Need, "HAS_NEED", "in", "Household", "household_id"),
            _rel(Need, "OF_CATEGORY", "out", "Category", "category_id"),
        ),
    ),
    Consent: NodeSpec(
        "Consent",
        (
            _rel(Consent, "GIVEN_BY", "out", "Household", "household_id"),
            _rel(Consent, "GRANTS_TO", "out", "Organization", "organization_ids"),
        ),
    ),
    Referral: NodeSpec(
        "Referral",
        (
            _rel(Referral, "FOR_HOUSEHOLD", "out", "Household", "household_id"),
            _rel(Referral, "FOR_NEED", "out", "Need", "need_id"),
            _rel(Referral, "FROM_ORGANIZATION", "out", "Organization", "from_organization_id"),
            _rel(Referral, "TO_SERVICE", "out", "Service", "to_service_id"),
            _rel(Referral, "UNDER_CONSENT", "out", "Consent", "consent_id"),
            # The history's events are nodes of their own, by event id.
            OwnedRel("HAS_EVENT", "out", "ReferralEvent", _event_ids, "history", many=True),
        ),
    ),
}


# Household-level records (Sozialdaten): read only within a scope and under a policy, every
# access audited. The one list: the audit, the scoped reads, the policies and the retention
# report take it from here (a referral's history, ``ReferralEvent``, belongs to its referral).
HOUSEHOLD_LEVEL: tuple[str, ...] = ("Household", "Need", "Consent", "Referral")

# Kind of records in a Bundle -> the label of their nodes (the kinds that are nodes).
KIND_LABELS: dict[str, str] = {
    kind: NODE_SPECS[record].label for kind, record in RECORD_TYPES.items() if record in NODE_SPECS
}


def props_of(record: Record) -> dict[str, Any]:
    """The node properties a record stores (lists for tuples; None removes a property)."""
    record_type = type(record)
    spec = NODE_SPECS[record_type]
    names = _PROP_NAMES.get(record_type)
    if names is None:
        names = _PROP_NAMES[record_type] = tuple(
            f.name for f in fields(record) if f.name != "id" and f.name not in spec.not_props
        )
    # Shallow on purpose: dataclasses.asdict deep-copies every value, which dominated imports.
    props: dict[str, Any] = {}
    for key in names:
        value = getattr(record, key)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, dict):
            value = dict(value)
        props[key] = value
    if spec.extra is not None:
        props.update(spec.extra(record))
    return props


# Per record type: the fields props_of stores, in field order (worked out once).
_PROP_NAMES: dict[type, tuple[str, ...]] = {}
