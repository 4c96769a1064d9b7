"""Node properties -> domain records: driver value types end here, plain Python leaves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from neo4j.time import Date, DateTime

R = TypeVar("R")

NOTHING_INCLUDED: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Stored(Generic[R]):
    """A record as the graph keeps it, with the bookkeeping the writer maintains."""

    record: R
    version: int
    created_at: datetime | None
    updated_at: datetime | None
    archived_at: datetime | None = None
    # Who made the last change through the API (the principal's subject), if anyone did.
    updated_by: str | None = None
    # Related records read in the same statement (graph/repo/includes.py), by include name:
    # a Stored, None, or a list. Absent names were not read; ask the loaders for them.
    included: Mapping[str, Any] = field(default_factory=lambda: NOTHING_INCLUDED, compare=False)


# Values that need no conversion, tested by exact type first: most values of a large answer
# are these, and the isinstance chain below cost more than everything else in reading them.
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})


def native(value: Any) -> Any:
    """Driver temporal values to the standard library's; everything else unchanged."""
    if type(value) in _PLAIN_TYPES:
        return value
    if isinstance(value, DateTime):
        return value.to_native()
    if isinstance(value, Date):
        return value.to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


# The field names of each record class (dataclasses.fields() is slow enough to matter when
# thousands of records are read per request).
_FIELD_NAMES: dict[type, frozenset[str]] = {}


def record_of(cls: type[R], props: Mapping[str, Any], **overrides: Any) -> R:
    """Build a record from node properties (plus relationship ids the projection added)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    kwargs: dict[str, Any] = {}
    # Over the properties, not the fields: a lean projection holds only a few of them.
    for name, value in props.items():
        if value is not None and name in names:
            if type(value) not in _PLAIN_TYPES:
                value = native(value)
                if isinstance(value, list):
                    value = tuple(value)
            kwargs[name] = value
    kwargs.update(overrides)
    return cls(**kwargs)


def _moment(props: Mapping[str, Any], millis_key: str, at_key: str) -> datetime | None:
    millis = props.get(millis_key)
    if isinstance(millis, int):
        return datetime.fromtimestamp(millis / 1000, UTC)
    value = props.get(at_key)
    if value is None:
        return None
    value = native(value)
    return value if isinstance(value, datetime) else None


def stored(cls: type[R], props: Mapping[str, Any], **overrides: Any) -> Stored[R]:
    created = _moment(props, "created_ms", "created_at")
    updated = _moment(props, "updated_ms", "updated_at")
    archived = _moment(props, "archived_ms", "archived_at")
    return Stored(
        record=record_of(cls, props, **overrides),
        version=int(props.get("version") or 1),
        created_at=created,
        updated_at=updated,
        archived_at=archived,
        updated_by=props.get("updated_by"),
    )


def as_date(value: Any) -> date | None:
    value = native(value)
    return value if isinstance(value, date) else None
