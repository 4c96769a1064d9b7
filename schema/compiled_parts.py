"""The parts of a compiled plan: what one selection reads of its records and how it answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
)


@dataclass(slots=True)
class Leaf:
    """A leaf: ``read`` gets the raw value from the node's (or edge's) map."""

    response: str
    read: Callable[[Mapping[str, Any]], Any]
    coerce: Callable[[Any], Any]
    nullable: bool
    is_list: bool = False
    items_nullable: bool = True
    # The record field the projection must read for it (None: always read, or an edge's).
    reads: str | None = None
    # Values of exactly this type are their own output (a str for String and ID, a bool for
    # Boolean): graphql-core's coercion would return them unchanged.
    same: type | None = None


@dataclass(slots=True)
class TypeName:
    response: str
    name: str


@dataclass(slots=True)
class Child:
    """A related record or records (``slot`` in the node's map), or the network of a
    membership (``slot`` None: the item's ``n``)."""

    response: str
    slot: int | None
    shape: Shape
    many: bool


@dataclass(slots=True)
class PageOut:
    """A connection field (schema/compiled_fields.py ``PAGED_LISTS``): the page of ``slot``
    (node list under ``nodes``/``edges``, ``totalCount``, ``pageInfo``)."""

    response: str
    slot: int
    # (response name, "typename" | "nodes" | "total" | "pageInfo" | "edges", details)
    parts: list[Any]
    shape: Shape
    field: GraphQLField
    node: FieldNode
    anchor: str | None
    total: bool
    # The connection's GraphQL type (schema/compiled_fields.py ``PAGED_LISTS``).
    connection: str

    @property
    def cursors(self) -> bool:
        """Whether the answer shows a cursor (``edges { cursor }``, ``pageInfo { endCursor }``)."""
        return any(
            name in ("cursor", "endCursor")
            for _, kind, inner in self.parts
            if kind in ("pageInfo", "edges")
            for _, name, _ in inner
        )


@dataclass(slots=True)
class Shape:
    """What one selection reads of records of ``label`` (None: a membership) and answers."""

    type_name: str
    label: str | None
    fields: set[str] = field(default_factory=set)
    outs: list[Any] = field(default_factory=list)
    related: list[tuple[int, str, Shape]] = field(default_factory=list)
    pages: list[PageOut] = field(default_factory=list)
    # A membership: whether a field of the membership itself is selected (read from the edge).
    edge: bool = False
    # The projection's pick once made, when nothing below depends on the request's arguments
    # (no pages): made on the first request of the plan, reused by every later one.
    fixed_pick: Any = None
