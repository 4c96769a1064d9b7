"""One statement for a whole directory read: nested map projections of what a request selects.

The API's compiled read path (schema/compiled.py) describes what a query operation selects as
a tree of ``Pick``s: which stored fields of each node, which relations (graph/repo/includes.py's
``RELATIONS``, the same patterns and orders the resolvers read) and which pages of services
(graph/repo/services.py's anchors, filters and sort keys). ``statement`` turns the roots into
one parameterised statement returning one row, a column per root. Every part of the text is a
code constant or a generated name (``n2``, ``_s3``, ``$p4``): field names are checked against
the label's stored fields, relations and anchors are looked up in their tables, and every value
(ids, filters, page sizes) is a parameter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, LiteralString

from graph.repo import areas, organizations, services
from graph.repo.includes import RELATIONS, _renamed
from graph.repo.nodes import lean_projection, list_order, stored_fields
from graph.repo.paging import After, Query, after_condition


class NotProjectable(ValueError):
    """The selection asks for something this statement cannot read (a caller's mistake in
    code, never a user's: the API checks its selections against the same tables)."""


@dataclass(frozen=True, slots=True)
class Related:
    """The relation ``name`` of the parent (graph/repo/includes.py), read as ``pick``."""

    slot: int
    name: str
    pick: Pick
    # For a relation with properties of its own (a membership): whether to read them. Not
    # reading what nobody asked for halves what the driver decodes for such a list.
    edge: bool = True


@dataclass(frozen=True, slots=True)
class Paged:
    """A page of services, organizations or areas: of the parent (``anchor``, the list's
    module in graph/repo/) or of all.

    Answers ``{rows: [{k: sort key, n: node}], first, total}`` (``k`` only with ``keys``):
    ``first`` rows and one more if there is one (whether there is a next page)."""

    slot: int
    query: Query
    sort: str
    first: int
    pick: Pick
    anchor: str | None = None
    total: bool = False
    # Strictly after this cursor (the total still counts the whole list, as paging.py does).
    after: After | None = None
    # Whether each row carries its sort key ``k`` (only cursors need it; the order is the same).
    keys: bool = True


@dataclass(frozen=True, slots=True)
class Pick:
    """What to read of a ``label`` node: stored fields (record field names, ``version`` and
    the bookkeeping timestamps as graph/repo/nodes.py's lean projection reads them),
    relations and pages; each under its slot ``_s<slot>`` in the node's map."""

    label: str
    fields: frozenset[str] = frozenset()
    related: tuple[Related, ...] = ()
    pages: tuple[Paged, ...] = ()


@dataclass(frozen=True, slots=True)
class ById:
    """The ``label`` node with the id ``ident``, or null."""

    label: str
    ident: str
    pick: Pick


@dataclass(frozen=True, slots=True)
class Every:
    """Every ``label`` node in the order the directory lists them (graph/repo/nodes.py
    ``all_of``, the same constant)."""

    label: str
    pick: Pick


Root = ById | Every | Paged

_PARAM = re.compile(r"\$(\w+)")
_ANCHORED = re.compile(r"^\(x:\w+ \{id: xid\}\)")
_META = frozenset({"version", "created_at", "updated_at", "archived_at", "updated_by"})


@dataclass
class _Params:
    values: dict[str, Any] = field(default_factory=dict)
    count: int = 0

    def _next(self) -> LiteralString:
        self.count += 1
        return f"p{self.count}"

    def add(self, value: Any) -> LiteralString:
        name = self._next()
        self.values[name] = value
        return name

    def prefixed(self, params: dict[str, Any]) -> LiteralString:
        """A fresh prefix for a page's own parameters (two pages may both filter)."""
        prefix = self._next() + "_"
        for name, value in params.items():
            self.values[prefix + name] = value
        return prefix


def _var(depth: int) -> LiteralString:
    return "n" if depth == 0 else f"n{depth}"


def _node(pick: Pick, depth: int, params: _Params) -> LiteralString:
    if not _has_pages(pick):
        return _fixed_node(pick, depth)
    return _node_text(pick, depth, params)


def _has_pages(pick: Pick) -> bool:
    return bool(pick.pages) or any(_has_pages(related.pick) for related in pick.related)


@lru_cache(maxsize=1024)
def _fixed_node(pick: Pick, depth: int) -> LiteralString:
    """A node without pages below it: its text depends on the pick alone (no parameters), so
    a repeated selection is not built again on every request."""
    return _node_text(pick, depth, _Params())


def _node_text(pick: Pick, depth: int, params: _Params) -> LiteralString:
    _label(pick.label)
    unknown = pick.fields - stored_fields(pick.label) - _META
    if unknown:
        raise NotProjectable(f"{pick.label} hat keine gespeicherten Felder {sorted(unknown)}")
    var = _var(depth)
    base = _renamed(lean_projection(pick.label, pick.fields), var)
    parts: list[LiteralString] = []
    for related in pick.related:
        parts.append(f"_s{related.slot}: {_related(pick.label, related, depth, params)}")
    for paged in pick.pages:
        parts.append(f"_s{paged.slot}: {_paged(paged, var, depth + 1, params)}")
    if not parts:
        return base
    return base[:-1] + ", " + ", ".join(parts) + "}"


def _related(label: str, related: Related, depth: int, params: _Params) -> LiteralString:
    """As graph/repo/includes.py's ``projection`` reads an include: the same pattern, order
    and de-duplication, so the records and their order are those of the resolvers."""
    relation = RELATIONS.get(label, {}).get(related.name)
    if relation is None:
        raise NotProjectable(f"{label} hat keine Beziehung {related.name}")
    if relation.target != related.pick.label:
        raise NotProjectable(f"{label}.{related.name} führt zu {relation.target}")
    child = _var(depth + 1)
    edge: LiteralString = f"m{depth + 1}"
    pattern = relation.pattern.format(p=_var(depth), c=child, m=edge)
    inner = _node(related.pick, depth + 1, params)
    if relation.edge:
        inner = f"{{n: {inner}, e: {edge} {{.*}}}}" if related.edge else f"{{n: {inner}}}"
    if not relation.many:
        return f"head(COLLECT {{ MATCH {pattern} RETURN {inner} }})"
    keep: LiteralString = f"{child}, {edge}" if relation.edge else child
    order: LiteralString = (
        f" WITH DISTINCT {keep} ORDER BY {relation.order.format(c=child)}" if relation.order else ""
    )
    return f"COLLECT {{ MATCH {pattern}{order} RETURN {inner} }}"


# The lists a page is read of, by label: their sort keys and anchors (the resolvers' tables).
_LISTS: dict[str, tuple[dict[str, LiteralString], dict[str, Any]]] = {
    "Service": (services.SORT_KEYS, services.ANCHORS),
    "Organization": (organizations.SORT_KEYS, organizations.ANCHORS),
    "Area": (areas.SORT_KEYS, {}),
}


def _paged(
    paged: Paged, parent: LiteralString | None, depth: int, params: _Params
) -> LiteralString:
    """A page as graph/repo/paging.py's ``pages`` reads it: the same anchor, conditions,
    sort key (here on the node variable of this depth) and cursor rule."""
    label = paged.query.label
    if paged.pick.label != label or label not in _LISTS:
        raise NotProjectable(f"Seiten von {label} werden hier nicht gelesen.")
    if paged.query.text is not None or paged.query.source is not None:
        raise NotProjectable("Volltextsuche wird hier nicht gelesen.")
    sort_keys, anchors = _LISTS[label]
    sort_key = sort_keys.get(paged.sort)
    if sort_key is None or paged.sort == "distance":
        raise NotProjectable(f"Sortierung {paged.sort} wird hier nicht gelesen.")
    var = _var(depth)
    if paged.anchor is None:
        source: LiteralString = f"({var}:{_label(label)})"
    else:
        anchor = anchors.get(paged.anchor)
        if anchor is None or parent is None:
            raise NotProjectable(f"{label} hat keinen Anker {paged.anchor}")
        source = _ANCHORED.sub(f"({parent})", _renamed(anchor.pattern, var))
    prefix = params.prefixed(paged.query.params)
    conditions = [
        _PARAM.sub(lambda m: f"${prefix}{m.group(1)}", _renamed(c, var))
        for c in paged.query.conditions
    ]
    where: LiteralString = (
        " WHERE " + " AND ".join(f"({c})" for c in conditions) if conditions else ""
    )
    key: LiteralString = f"k{depth}"
    first = params.add(paged.first)
    cursor: LiteralString = ""
    if paged.after is not None:
        after_key, after_id = params.add(paged.after.key), params.add(paged.after.id)
        condition = after_condition(key, f"{var}.id", f"${after_key}", f"${after_id}")
        cursor = f"WHERE {condition} "
    node = _node(paged.pick, depth, params)
    row: LiteralString = f"{{k: {key}, n: {node}}}" if paged.keys else f"{{n: {node}}}"
    rows = (
        f"COLLECT {{ MATCH {source}{where} WITH DISTINCT {var} "
        f"WITH {var}, {_renamed(sort_key, var)} AS {key} {cursor}ORDER BY {key}, {var}.id "
        f"LIMIT ${first} + 1 RETURN {row} }}"
    )
    total: LiteralString = (
        f"COUNT {{ MATCH {source}{where} WITH DISTINCT {var} RETURN {var} }}"
        if paged.total
        else "null"
    )
    return f"{{rows: {rows}, first: ${first}, total: {total}}}"


def _root(root: Root, params: _Params) -> LiteralString:
    if isinstance(root, ById):
        if root.pick.label != root.label:
            raise NotProjectable(f"{root.label} wird als {root.pick.label} gelesen")
        ident = params.add(root.ident)
        return (
            f"head(COLLECT {{ MATCH (n:{_label(root.label)} {{id: ${ident}}}) "
            f"RETURN {_node(root.pick, 0, params)} }})"
        )
    if isinstance(root, Every):
        return (
            f"COLLECT {{ MATCH (n:{_label(root.label)}) WITH n ORDER BY {list_order(root.label)} "
            f"RETURN {_node(root.pick, 0, params)} }}"
        )
    if root.anchor is not None:
        raise NotProjectable("Eine Seite auf oberster Ebene hat keinen Anker.")
    return _paged(root, None, 0, params)


# Directory labels only: household-level records are read under a scope and a policy.
DIRECTORY: tuple[LiteralString, ...] = (
    "Area",
    "Category",
    "Organization",
    "Location",
    "Service",
    "Agreement",
    "Network",
)


def _label(label: str) -> LiteralString:
    for known in DIRECTORY:
        if known == label:
            return known
    raise NotProjectable(f"{label} ist kein Verzeichnis-Label")


def statement(roots: Sequence[Root]) -> tuple[LiteralString, dict[str, Any]]:
    """One statement answering ``roots`` (one row, a column ``r<i>`` per root) and its
    parameters."""
    if not roots:
        raise NotProjectable("Nichts zu lesen.")
    params = _Params()
    columns = [f"{_root(root, params)} AS r{index}" for index, root in enumerate(roots)]
    return "RETURN " + ", ".join(columns), params.values
