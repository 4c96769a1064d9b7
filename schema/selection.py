"""What a request selects below a field: which related records to read with the parent
(graph/repo/includes.py) and whether a connection's ``totalCount`` is wanted.

Looking ahead at the selection turns "page, then each hop by id" into one statement; the
resolvers still fall back to the dataloaders for anything not read ahead. Directives
(``@include``/``@skip``) are ignored here: reading a relation that is then skipped costs a
little, never a wrong answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode
from strawberry.utils.str_converters import to_camel_case

from graph.repo.includes import FULL, MAX_DEPTH, RELATIONS, Include, Shape
from schema.context import Info

# A relation read with its edge (graph/repo/includes.py) comes back wrapped in a GraphQL
# type of its own; this is the wrapper's field that holds the related record.
_VIA: dict[tuple[str, str], str] = {("Organization", "memberships"): "network"}

# GraphQL type -> field -> (include name, GraphQL type of the related records, and the
# subfield whose selection applies to them when they sit inside a wrapper type): every
# relation graph/repo/includes.py can read, under its name in camelCase (GraphQL types are
# named as the labels).
INCLUDABLE: dict[str, dict[str, tuple[str, str, str | None]]] = {
    label: {
        to_camel_case(name): (name, relation.target, _VIA.get((label, name)))
        for name, relation in relations.items()
    }
    for label, relations in RELATIONS.items()
}

# GraphQL type -> field -> the record fields its value comes from, where that is not just
# the field's own name in snake_case (None: the whole record). A field missing here that
# reads other record fields would show a default: tests/test_api_lookahead.py compares
# every field of every type read ahead with the whole record. Related-record fields add
# the record fields their fetch reads themselves (schema/related.py ``register``).
_HSDS = frozenset({"hsds"})  # hsdsRest: the record's kept HSDS rest
NEEDS: dict[str, dict[str, frozenset[str] | None]] = {
    "Area": {
        "centroid": frozenset({"centroid_lat", "centroid_lon"}),
        "indicators": None,
        # Read by its own dataloader (large): nothing of the record.
        "geometry": frozenset(),
    },
    "Location": {"position": frozenset({"latitude", "longitude"}), "hsdsRest": _HSDS},
    "Service": {
        "freeCapacity": frozenset({"capacity", "capacity_used", "assured_date"}),
        "occupancyOutdated": frozenset({"capacity", "capacity_used", "assured_date"}),
        "hsdsRest": _HSDS,
    },
    "Organization": {"hsdsRest": _HSDS},
    "Category": {"hsdsRest": _HSDS},
    "Agreement": {"validOn": frozenset({"valid_from", "valid_to"})},
    "Consent": {"validOn": frozenset({"valid_from", "valid_to", "revoked_at"})},
    "Referral": {
        "lastChangedAt": frozenset({"history", "created_at"}),
        "daysSinceChange": frozenset({"history", "created_at"}),
        "overdue": frozenset({"history", "created_at", "status"}),
    },
}

Fragments = Mapping[str, FragmentDefinitionNode]

_UPPER = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _UPPER.sub("_", name).lower()


def subfields(nodes: Iterable[FieldNode], fragments: Fragments) -> dict[str, list[FieldNode]]:
    """The fields selected below ``nodes`` by name (aliases merged, fragments resolved)."""
    found: dict[str, list[FieldNode]] = {}

    def walk(selections: Iterable[Any]) -> None:
        for selection in selections:
            if isinstance(selection, FieldNode):
                found.setdefault(selection.name.value, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                walk(selection.selection_set.selections)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    walk(fragment.selection_set.selections)

    for node in nodes:
        if node.selection_set is not None:
            walk(node.selection_set.selections)
    return found


def shape_of(type_name: str, nodes: list[FieldNode], fragments: Fragments, depth: int) -> Shape:
    """What to read of records of ``type_name`` for the selection below ``nodes``."""
    if type_name not in INCLUDABLE and type_name not in NEEDS:
        return FULL
    table = INCLUDABLE.get(type_name, {})
    needs = NEEDS.get(type_name, {})
    fields: set[str] | None = set()
    found: list[Include] = []
    for name, children in subfields(nodes, fragments).items():
        spec = table.get(name)
        if spec is not None and depth < MAX_DEPTH:
            include_name, target, via = spec
            if via is not None:
                children = subfields(children, fragments).get(via, [])
            found.append(Include(include_name, shape_of(target, children, fragments, depth + 1)))
            continue
        need = needs.get(name, frozenset({_snake(name)}))
        if need is None or fields is None:
            fields = None
        else:
            fields |= need
    return Shape(
        fields=None if fields is None else frozenset(fields),
        includes=tuple(sorted(found, key=lambda i: i.name)),
    )


def _nodes_of_connection(nodes: list[FieldNode], fragments: Fragments) -> list[FieldNode]:
    below = subfields(nodes, fragments)
    edges = subfields(below.get("edges", []), fragments).get("node", [])
    return below.get("nodes", []) + edges


def _cache(info: Info) -> dict[tuple[Any, ...], Any]:
    cache: dict[tuple[Any, ...], Any] = info.context.loaders.setdefault("lookahead", {})
    return cache


def shape(info: Info, type_name: str) -> Shape:
    """What to read of the record(s) of ``type_name`` that ``info``'s field returns."""
    raw = info._raw_info
    key = ("record", type_name, *map(id, raw.field_nodes))
    cache = _cache(info)
    if key not in cache:
        cache[key] = shape_of(type_name, list(raw.field_nodes), raw.fragments, 1)
    found: Shape = cache[key]
    return found


def connection(info: Info, type_name: str) -> tuple[Shape, bool]:
    """What to read of a connection's nodes, and whether its ``totalCount`` is selected."""
    raw = info._raw_info
    key = ("connection", type_name, *map(id, raw.field_nodes))
    cache = _cache(info)
    if key not in cache:
        nodes = list(raw.field_nodes)
        cache[key] = (
            shape_of(type_name, _nodes_of_connection(nodes, raw.fragments), raw.fragments, 1),
            "totalCount" in subfields(nodes, raw.fragments),
        )
    found: tuple[Shape, bool] = cache[key]
    return found
