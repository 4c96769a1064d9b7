"""Fields whose value is related records (a Sozialraum's Teilräume, a Referral's Haushalt).

Each such field first takes what was read ahead with its parent under the field's python
name (schema/selection.py), else fetches through the request's dataloaders. One call
states the field's GraphQL type, description and fetch; ``register`` then gives
schema/execution.py the same field's getter for subtrees completed without resolvers, and
schema/selection.py the record fields its fetch reads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.extensions.field_extension import FieldExtension
from strawberry.types.base import get_object_definition
from strawberry.utils.str_converters import to_camel_case

from graph.repo.households import HouseholdHop
from graph.repo.nodes import Hop
from graph.repo.values import Stored
from schema.context import Info
from schema.execution import READ_AHEAD, NotReadAhead
from schema.selection import NEEDS, shape

NOT_READ: Any = object()


def ahead(stored: Stored[Any], name: str) -> Any:
    """What was read with ``stored`` under the include ``name`` (schema/selection.py), or
    ``NOT_READ``: then the resolver asks the dataloaders."""
    return stored.included.get(name, NOT_READ)


@dataclass(frozen=True, slots=True)
class Fetch:
    """How a field gets its records through the dataloaders when they were not read ahead."""

    # (parent object, info) -> a stored record or None for a field of one record, a list of
    # stored records for a field of many.
    get: Callable[[Any, Info], Awaitable[Any]]
    # The parent's record fields it reads (besides the id).
    reads: frozenset[str] = frozenset()


def by_hop(hop: Hop) -> Fetch:
    """The records one directory hop away from the parent."""

    def fetch(parent: Any, info: Info) -> Awaitable[list[Stored[Any]]]:
        return info.context.loaders.hop(hop, parent.id)

    return Fetch(fetch)


def by_household_hop(name: HouseholdHop) -> Fetch:
    """The household-level records one hop away (scoped to the request)."""

    def fetch(parent: Any, info: Info) -> Awaitable[list[Stored[Any]]]:
        return info.context.loaders.household_hop(name, parent.id)

    return Fetch(fetch)


def by_id(label: str, attribute: str, *, optional: bool = False) -> Fetch:
    """The ``label`` node whose id the parent's record holds in ``attribute``; ``optional``:
    an unset (empty) id gives None without a lookup."""

    async def fetch(parent: Any, info: Info) -> Stored[Any] | None:
        ident = getattr(parent.stored.record, attribute)
        if optional and not ident:
            return None
        return await info.context.loaders.node(label, ident)

    return Fetch(fetch, frozenset({attribute}))


def by_ids(label: str, attribute: str) -> Fetch:
    """The ``label`` nodes whose ids the parent's record lists in ``attribute``."""

    def fetch(parent: Any, info: Info) -> Awaitable[list[Stored[Any]]]:
        ids: Sequence[str] = getattr(parent.stored.record, attribute)
        return info.context.loaders.nodes(label, ids)

    return Fetch(fetch, frozenset({attribute}))


Getter = Callable[[Any], Any]

# resolver function -> (makes the READ_AHEAD getter from the field's python name, its fetch).
_DECLARED: dict[object, tuple[Callable[[str], Getter], Fetch]] = {}


# The GraphQL type of a field's records: the strawberry type itself, or its name in the
# declaring module when it is the type being declared or one further down.
Target = type | str


class Related:
    """Declares related-record fields of the types of one module (``namespace``: its
    ``globals()``, where names of targets are looked up when first used)."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self._namespace = namespace

    def _wrap(self, to: Target) -> Callable[[Stored[Any]], Any]:
        def wrap(found: Stored[Any]) -> Any:
            target: Any = self._namespace[to] if isinstance(to, str) else to
            return target.of(found)

        return wrap

    def _type(self, to: Target, many: bool) -> StrawberryAnnotation:
        if isinstance(to, str):
            annotation: object = f"list[{to}]" if many else f"{to} | None"
        else:
            annotation = list[to] if many else to | None  # type: ignore[valid-type]
        return StrawberryAnnotation(annotation, namespace=self._namespace)

    def one(
        self,
        to: Target,
        description: str,
        fetch: Fetch,
        extensions: Sequence[FieldExtension] = (),
    ) -> Any:
        """A field of type ``to | None``."""
        wrap = self._wrap(to)
        return self._field(
            lambda found: None if found is None else wrap(found),
            self._type(to, False),
            description,
            fetch,
            extensions,
        )

    def many(
        self,
        to: Target,
        description: str,
        fetch: Fetch,
        extensions: Sequence[FieldExtension] = (),
    ) -> Any:
        """A field of type ``list[to]``."""
        wrap = self._wrap(to)
        return self._field(
            lambda found: [wrap(item) for item in found],
            self._type(to, True),
            description,
            fetch,
            extensions,
        )

    def _field(
        self,
        value: Callable[[Any], Any],
        annotation: StrawberryAnnotation,
        description: str,
        fetch: Fetch,
        extensions: Sequence[FieldExtension],
    ) -> Any:
        """``value`` makes the field's value of what was read (ahead, else by ``fetch``)."""

        async def resolve(self: Any, info: Info) -> Any:
            found = ahead(self.stored, info.python_name)
            if found is NOT_READ:
                found = await fetch.get(self, info)
            return value(found)

        def getter(name: str) -> Getter:
            def get(parent: Any) -> Any:
                found = ahead(parent.stored, name)
                if found is NOT_READ:
                    raise NotReadAhead
                return value(found)

            return get

        _DECLARED[resolve] = (getter, fetch)
        return strawberry.field(
            resolver=resolve,
            description=description,
            graphql_type=annotation,
            extensions=list(extensions),
        )


def record_by_id(to: type, description: str, guard: FieldExtension) -> Any:
    """A query field ``(id: ID!): to``: one record, read in the shape its selection needs
    (GraphQL types are named as the labels)."""
    label = get_object_definition(to, strict=True).name
    wrap: Any = to

    async def resolve(self: Any, info: Info, id: strawberry.ID) -> Any:
        found = await info.context.loaders.node(label, id, shape(info, label))
        return wrap.of(found) if found else None

    return strawberry.field(
        resolver=resolve,
        description=description,
        graphql_type=StrawberryAnnotation(to | None),
        extensions=[guard],
    )


def register(*types: type) -> None:
    """Register the related-record fields of ``types`` (declared with ``Related``): the
    record fields each one's fetch reads in ``NEEDS``, and its getter in ``READ_AHEAD``
    (not for fields with extensions, a Policy: those never take that path)."""
    for cls in types:
        definition = get_object_definition(cls, strict=True)
        for field in definition.fields:
            resolver = field.base_resolver
            declared = _DECLARED.get(resolver.wrapped_func) if resolver else None
            if declared is None:
                continue
            getter, fetch = declared
            name = field.graphql_name or to_camel_case(field.python_name)
            if fetch.reads:
                NEEDS.setdefault(definition.name, {})[name] = fetch.reads
            if not field.extensions:
                READ_AHEAD[(definition.name, name)] = getter(field.python_name)
