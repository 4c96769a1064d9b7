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


def native(value: Any) -> Any:
    """Driver temporal values to the standard library's; everything else unchanged."""
    if isinstance(value, DateTime):
        return value.to_native()
    if isinstance(value, Date):
        return value.to_native()
    if isinstance(value, list):
        return [native(v) for v in value]
    return value


def record_of(cls: type[R], props: Mapping[str, Any], **overrides: Any) -> R:
    """Build a record from node properties (plus relationship ids the projection added)."""
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in overrides:
            kwargs[f.name] = overrides[f.name]
        elif f.name in props and props[f.name] is not None:
            value = native(props[f.name])
            kwargs[f.name] = tuple(value) if isinstance(value, list) else value
    return cls(**kwargs)


def _moment(props: Mapping[str, Any], name: str) -> datetime | None:
    millis = props.get(f"{name}_ms")
    if isinstance(millis, int):
        return datetime.fromtimestamp(millis / 1000, UTC)
    value = native(props.get(f"{name}_at"))
    return value if isinstance(value, datetime) else None


def stored(cls: type[R], props: Mapping[str, Any], **overrides: Any) -> Stored[R]:
    created = _moment(props, "created")
    updated = _moment(props, "updated")
    archived = _moment(props, "archived")
    return Stored(
        record=record_of(cls, props, **overrides),
        version=int(props.get("version") or 1),
        created_at=created if isinstance(created, datetime) else None,
        updated_at=updated if isinstance(updated, datetime) else None,
        archived_at=archived if isinstance(archived, datetime) else None,
        updated_by=props.get("updated_by"),
    )


def as_date(value: Any) -> date | None:
    value = native(value)
    return value if isinstance(value, date) else None
