"""Plain directory reads compiled into one statement (issue #16): the plan and the answer.

A query operation whose every selected field is a plain directory projection (a stored
property, an enum, a date, a related record through a relation of graph/repo/includes.py, a
page of services) is answered without resolvers: ``plan`` turns the operation into a
``Plan`` once per document, ``Plan.roots`` builds graph/repo/projection.py's roots from the
request's arguments, and ``Plan.answer`` turns the statement's row into the answer. Which
GraphQL field reads what is declared as data below (``ROOTS``, ``PAGES``, ``MEMBERSHIP``);
relations are schema/selection.py's ``INCLUDABLE`` (the look-ahead's own table), stored
properties are the record fields graph/repo/nodes.py reads. Values go through the same GraphQL
output coercion as on the normal path, with the record's default for an unset property.

Anything else (a resolver with logic, a field with a Policy of its own, household data,
computed fields like ``freeCapacity``, directives, interfaces, cursors as arguments, a
full-text filter) is refused here with ``NotCompiled``, and the request takes graphql-core's
normal execution. At request time a value the normal path would turn into an error (a null
where none is allowed, an invalid argument) raises ``NotCompiled`` too: errors always come
from the normal path.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    is_leaf_type,
)
from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.base import StrawberryOptional, get_object_definition, has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from graph.bundle import RECORD_TYPES
from graph.model import KIND_LABELS
from graph.repo import projection, services
from graph.repo.nodes import stored_fields
from graph.repo.paging import Query
from graph.repo.values import as_date, native
from schema.enums import DirectorySort
from schema.execution import unwrap
from schema.filters import ServiceFilterInput, service_filter
from schema.pagination import encode_cursor, page_size
from schema.policy import Policy
from schema.principal import Principal
from schema.selection import INCLUDABLE


class NotCompiled(Exception):
    """This operation (or this request of it) takes the normal execution."""


# -- what each GraphQL field reads, as data ----------------------------------------------

# Query fields answered here: a record by id (type named as its label), every record of a
# small label (graph/repo/nodes.py ``all_of``), or a page of services.
BY_ID = "by_id"
EVERY = "every"
PAGE = "page"
ROOTS: dict[str, str] = {
    "area": BY_ID,
    "category": BY_ID,
    "organization": BY_ID,
    "service": BY_ID,
    "location": BY_ID,
    "agreement": BY_ID,
    "network": BY_ID,
    "categories": EVERY,
    "agreements": EVERY,
    "networks": EVERY,
    "services": PAGE,
}

# The ``services`` page of a node, by its GraphQL type: the anchor in graph/repo/services.py.
PAGES: dict[str, str] = {
    "Area": "area",
    "Category": "category",
    "Organization": "organization",
    "Location": "location",
}

# Versioned's bookkeeping: record attribute -> (key in the projection, conversion).
_META: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "version": ("version", lambda v: int(v or 1)),
    "updated_at": ("updated_ms", lambda v: _moment(v)),
    "archived_at": ("archived_ms", lambda v: _moment(v)),
    "updated_by": ("updated_by", lambda v: v),
}

# A membership read with its organization is the relationship's properties (schema/directory.py
# ``Membership.read_with``: the same defaults) and the network it leads to.
MEMBERSHIP: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "role": lambda e: e.get("role") or "mitglied",
    "since": lambda e: as_date(e.get("since")),
    "version": lambda e: int(e.get("version") or 1),
}


def _moment(millis: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC) if isinstance(millis, int) else None


_LABEL_RECORDS: dict[str, type] = {label: RECORD_TYPES[kind] for kind, label in KIND_LABELS.items()}


def _record_default(label: str, name: str) -> Any:
    """What a record built without the property holds (graph/repo/values.py ``record_of``)."""
    for f in dataclasses.fields(_LABEL_RECORDS[label]):
        if f.name == name:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
            return Undefined
    return Undefined


# -- the plan ------------------------------------------------------------------------------


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
    """A ``ServiceConnection`` field: the page of ``slot`` (node list under ``nodes``/
    ``edges``, ``totalCount``, ``pageInfo``)."""

    response: str
    slot: int
    # (response name, "typename" | "nodes" | "total" | "pageInfo" | "edges", details)
    parts: list[Any]
    shape: Shape
    field: GraphQLField
    node: FieldNode
    anchor: str | None
    total: bool


@dataclass(slots=True)
class Shape:
    """What one selection reads of records of ``label`` (None: a membership) and answers."""

    type_name: str
    label: str | None
    fields: set[str] = field(default_factory=set)
    outs: list[Any] = field(default_factory=list)
    related: list[tuple[int, str, Shape]] = field(default_factory=list)
    pages: list[PageOut] = field(default_factory=list)


@dataclass(slots=True)
class RootOut:
    response: str
    kind: str
    field: GraphQLField
    node: FieldNode
    policy: Policy
    shape: Shape
    page: PageOut | None = None


@dataclass(slots=True)
class Plan:
    """A compiled query operation: its roots and how its answer is made."""

    roots: list[RootOut]

    def allowed(self, principal: Principal) -> bool:
        """Whether every root's policy lets ``principal`` read it unchanged."""
        return all(root.policy.passes_unchanged(principal) for root in self.roots)

    def statement(
        self, variables: VariableValues
    ) -> tuple[str, dict[str, Any], list[Callable[[Any], Any]]]:
        """The statement for this request's arguments, and how to answer each column."""
        roots: list[projection.Root] = []
        answers: list[Callable[[Any], Any]] = []
        for root in self.roots:
            if root.kind == BY_ID:
                label = root.shape.label
                assert label is not None
                ident = get_argument_values(root.field, root.node, variables)["id"]
                roots.append(projection.ById(label, str(ident), _pick(root.shape, variables)))
                answers.append(_one(root.shape))
            elif root.kind == EVERY:
                label = root.shape.label
                assert label is not None
                roots.append(projection.Every(label, _pick(root.shape, variables)))
                answers.append(_many(root.shape))
            else:
                assert root.page is not None
                roots.append(_paged(root.page, variables))
                answers.append(partial(_page_answer, root.page))
        cypher, params = projection.statement(roots)
        return cypher, params, answers


def plan(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) -> Plan:
    """The plan of ``operation``, or ``NotCompiled``."""
    if operation.operation is not OperationType.QUERY or operation.directives:
        raise NotCompiled("keine Abfrage")
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    query_type = schema.query_type
    if query_type is None:
        raise NotCompiled("kein Query-Typ")
    roots: list[RootOut] = []
    for response, nodes in _collect(query_type, [operation.selection_set], fragments).items():
        name = nodes[0].name.value
        kind = ROOTS.get(name)
        if kind is None:
            raise NotCompiled(f"Query.{name}")
        gfield = query_type.fields[name]
        definition = _definition(gfield)
        extensions = list(definition.extensions)
        if len(extensions) != 1 or not isinstance(extensions[0], Policy):
            raise NotCompiled(f"Query.{name}: keine einfache Policy")
        target, _, is_list, _ = _unwrap(gfield.type)
        if kind == PAGE:
            page = _page_out(response, 0, target, gfield, nodes, fragments, None)
            roots.append(RootOut(response, kind, gfield, nodes[0], extensions[0], page.shape, page))
            continue
        if not isinstance(target, GraphQLObjectType) or is_list != (kind == EVERY):
            raise NotCompiled(f"Query.{name}: unerwarteter Typ")
        shape = _shape(target, nodes, fragments)
        roots.append(RootOut(response, kind, gfield, nodes[0], extensions[0], shape))
    if not roots:
        raise NotCompiled("nichts ausgewählt")
    return Plan(roots)


def _definition(gfield: GraphQLField) -> StrawberryField:
    definition = (gfield.extensions or {}).get("strawberry-definition")
    if not isinstance(definition, StrawberryField):
        raise NotCompiled("kein strawberry-Feld")
    return definition


def _unwrap(kind: Any) -> tuple[Any, bool, bool, bool]:
    """(named type, nullable, is list, list items nullable), as schema/execution.py reads
    it; lists of lists are not compiled."""
    named, nullable, is_list, items_nullable = unwrap(kind)
    if isinstance(named, GraphQLList | GraphQLNonNull):
        raise NotCompiled("verschachtelte Listen")
    return named, nullable, is_list, items_nullable


def _collect(
    gtype: GraphQLObjectType,
    selection_sets: list[SelectionSetNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> dict[str, list[FieldNode]]:
    """The fields selected on ``gtype`` by response name, in document order (graphql-core's
    field collection without directives: any directive refuses)."""
    found: dict[str, list[FieldNode]] = {}

    def walk(selection_set: SelectionSetNode, seen: frozenset[str]) -> None:
        for selection in selection_set.selections:
            if selection.directives:
                raise NotCompiled("Direktiven")
            if isinstance(selection, FieldNode):
                response = selection.alias.value if selection.alias else selection.name.value
                found.setdefault(response, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is not None and condition.name.value != gtype.name:
                    raise NotCompiled("Fragment auf anderem Typ")
                walk(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or fragment.directives:
                    raise NotCompiled("Fragment")
                if fragment.type_condition.name.value != gtype.name:
                    raise NotCompiled("Fragment auf anderem Typ")
                if name not in seen:
                    walk(fragment.selection_set, seen | {name})

    for selection_set in selection_sets:
        walk(selection_set, frozenset())
    return found


def _subsets(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [n.selection_set for n in nodes if n.selection_set is not None]


def _leaf(
    response: str,
    gfield: GraphQLField,
    read: Callable[[Mapping[str, Any]], Any],
    reads: str | None = None,
) -> Leaf:
    leaf, nullable, is_list, items_nullable = _unwrap(gfield.type)
    same = _SAME.get(leaf.name) if leaf in _BUILT_IN else None
    coerce = leaf.coerce_output_value
    return Leaf(response, read, coerce, nullable, is_list, items_nullable, reads, same)


_SAME: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
_BUILT_IN = (GraphQLString, GraphQLID, GraphQLBoolean)


def _shape(
    gtype: GraphQLObjectType,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Shape:
    name = gtype.name
    if name == "Membership":
        return _membership(gtype, nodes, fragments)
    if name not in PAGES and name not in INCLUDABLE:
        raise NotCompiled(f"Typ {name}")
    label = name
    stored = stored_fields(label)
    shape = Shape(name, label)
    for response, found in _collect(gtype, _subsets(nodes), fragments).items():
        field_name = found[0].name.value
        if field_name == "__typename":
            shape.outs.append(TypeName(response, name))
            continue
        gfield = gtype.fields[field_name]
        definition = _definition(gfield)
        if definition.extensions:
            raise NotCompiled(f"{name}.{field_name}: Policy")
        target, nullable, is_list, _ = _unwrap(gfield.type)
        python_name = definition.python_name
        if is_leaf_type(target):
            if definition.base_resolver is not None or gfield.args:
                raise NotCompiled(f"{name}.{field_name}: berechnet")
            shape.outs.append(_stored_leaf(label, stored, response, gfield, python_name))
            continue
        is_page = field_name == "services" and name in PAGES
        if not is_page and any(n.arguments for n in found):
            raise NotCompiled(f"{name}.{field_name}: Argumente")
        if is_page:
            slot = _slot(shape)
            page = _page_out(response, slot, target, gfield, found, fragments, PAGES[name])
            shape.outs.append(page)
            shape.pages.append(page)
            continue
        spec = INCLUDABLE.get(name, {}).get(field_name)
        if spec is None or not isinstance(target, GraphQLObjectType):
            raise NotCompiled(f"{name}.{field_name}")
        include, target_label, via = spec
        if via is None and target.name != target_label:
            raise NotCompiled(f"{name}.{field_name}: Typ")
        slot = _slot(shape)
        child = _shape(target, found, fragments)
        shape.related.append((slot, include, child))
        shape.outs.append(Child(response, slot, child, is_list))
        if not is_list and not nullable:
            raise NotCompiled(f"{name}.{field_name}: nicht null")
    return shape


def _slot(shape: Shape) -> int:
    return len(shape.related) + len(shape.pages)


def _stored_leaf(
    label: str, stored: frozenset[str], response: str, gfield: GraphQLField, python_name: str
) -> Leaf:
    if python_name == "id":
        return _leaf(response, gfield, lambda m: m.get("id"))
    if python_name in _META:
        key, convert = _META[python_name]
        return _leaf(response, gfield, lambda m: convert(m.get(key)), python_name)
    if python_name not in stored:
        raise NotCompiled(f"{label}.{python_name}: nicht gespeichert")
    default = _record_default(label, python_name)

    def read(m: Mapping[str, Any]) -> Any:
        value = m.get(python_name)
        if value is None:
            if default is Undefined:
                raise NotCompiled(f"{label}.{python_name} fehlt")
            return default
        return value if type(value) in _PLAIN else native(value)

    return _leaf(response, gfield, read, python_name)


_PLAIN = frozenset({str, int, float, bool})


def _membership(
    gtype: GraphQLObjectType,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> Shape:
    shape = Shape(gtype.name, None)
    network: Shape | None = None
    for response, found in _collect(gtype, _subsets(nodes), fragments).items():
        field_name = found[0].name.value
        if field_name == "__typename":
            shape.outs.append(TypeName(response, gtype.name))
            continue
        gfield = gtype.fields[field_name]
        if _definition(gfield).extensions or any(n.arguments for n in found):
            raise NotCompiled(f"Membership.{field_name}")
        if field_name == "network":
            target, _, _, _ = _unwrap(gfield.type)
            if network is not None:
                raise NotCompiled("das Netzwerk zweimal unter verschiedenen Namen")
            network = child = _shape(target, found, fragments)
            shape.outs.append(Child(response, None, child, False))
            continue
        read = MEMBERSHIP.get(field_name)
        if read is None:
            raise NotCompiled(f"Membership.{field_name}")
        shape.outs.append(_leaf(response, gfield, partial(_edge_value, read)))
    # The network is read whether selected or not (the relation leads to it).
    shape.related.append((0, "", network or Shape("Network", "Network")))
    return shape


def _edge_value(read: Callable[[Mapping[str, Any]], Any], item: Mapping[str, Any]) -> Any:
    return read(item.get("e") or {})


def _page_out(
    response: str,
    slot: int,
    target: Any,
    gfield: GraphQLField,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    anchor: str | None,
) -> PageOut:
    if not isinstance(target, GraphQLObjectType) or target.name != "ServiceConnection":
        raise NotCompiled("keine Angebotsseite")
    parts: list[Any] = []
    node_nodes: list[FieldNode] = []
    # ``nodes`` and ``edges { node }`` would need two shapes of one row: left to the resolvers.
    sources: set[str] = set()
    total = False
    for sub, found in _collect(target, _subsets(nodes), fragments).items():
        name = found[0].name.value
        if name == "__typename":
            parts.append((sub, "typename", target.name))
        elif name == "nodes":
            parts.append((sub, "nodes", None))
            node_nodes += found
            sources.add("nodes")
        elif name == "totalCount":
            parts.append((sub, "total", None))
            total = True
        elif name == "pageInfo":
            info_type, _, _, _ = _unwrap(target.fields[name].type)
            inner = []
            for key, fs in _collect(info_type, _subsets(found), fragments).items():
                inner.append((key, fs[0].name.value, info_type.name))
            parts.append((sub, "pageInfo", inner))
        elif name == "edges":
            edge_type, _, _, _ = _unwrap(target.fields[name].type)
            inner = []
            for key, fs in _collect(edge_type, _subsets(found), fragments).items():
                if fs[0].name.value == "node":
                    node_nodes += fs
                    sources.add("edges")
                inner.append((key, fs[0].name.value, edge_type.name))
            parts.append((sub, "edges", inner))
        else:
            raise NotCompiled(f"ServiceConnection.{name}")
    if len(sources) > 1:
        raise NotCompiled("nodes und edges zugleich")
    service_type = target.fields["nodes"].type
    named, _, _, _ = _unwrap(service_type)
    shape = _shape(named, node_nodes, fragments)
    for _, kind, inner in parts:
        for _, field_name, _ in inner if kind in ("pageInfo", "edges") else ():
            if field_name not in ("hasNextPage", "endCursor", "cursor", "node", "__typename"):
                raise NotCompiled(f"Seite: {field_name}")
    return PageOut(response, slot, parts, shape, gfield, nodes[0], anchor, total)


# -- per request: the roots of the statement ---------------------------------------------


def _pick(shape: Shape, variables: VariableValues) -> projection.Pick:
    assert shape.label is not None
    fields = {out.reads for out in shape.outs if isinstance(out, Leaf) and out.reads}
    related = [
        projection.Related(slot, include, _membership_pick(child, variables))
        if child.label is None
        else projection.Related(slot, include, _pick(child, variables))
        for slot, include, child in shape.related
    ]
    pages = [_paged(page, variables) for page in shape.pages]
    return projection.Pick(shape.label, frozenset(fields), tuple(related), tuple(pages))


def _membership_pick(shape: Shape, variables: VariableValues) -> projection.Pick:
    (_, _, network), *_ = shape.related
    return _pick(network, variables)


_PAGE_ARGUMENTS = frozenset({"filter", "first", "sort", "after", "near"})


def _paged(page: PageOut, variables: VariableValues) -> projection.Paged:
    """A page of services as the resolver reads it (schema/directory.py
    ``service_connection``): the same filter, page size and sort; cursors (``after``) and
    distances are left to it."""
    args = get_argument_values(page.field, page.node, variables)
    unknown = {name for name, value in args.items() if value is not None} - _PAGE_ARGUMENTS
    if unknown:
        # An argument this compiler does not apply (e.g. ``offset``) would be ignored
        # silently: only the arguments named here are compiled, anything else falls back.
        raise NotCompiled("Argument " + ", ".join(sorted(unknown)))
    sort = args.get("sort", DirectorySort.NAME)
    if sort is not DirectorySort.NAME or args.get("after") is not None:
        raise NotCompiled("Sortierung oder Cursor")
    if args.get("near") is not None:
        raise NotCompiled("Entfernung")
    raw = args.get("filter")
    try:
        first = page_size(args.get("first"))
        f = service_filter(None if raw is None else _input(ServiceFilterInput, raw))
        query: Query = services.query(f)
    except Exception as exc:  # the normal path answers with its error
        raise NotCompiled("Argumente") from exc
    if query.text is not None:
        raise NotCompiled("Volltext")
    return projection.Paged(
        page.slot,
        query,
        sort.value,
        first,
        _pick(page.shape, variables),
        page.anchor,
        page.total,
    )


def _input(cls: Any, raw: Mapping[str, Any]) -> Any:
    """The strawberry input object of coerced argument values (GraphQL names to Python
    names; enums, dates and IDs are already what the resolver gets)."""
    definition = get_object_definition(cls, strict=True)
    kwargs: dict[str, Any] = {}
    for f in definition.fields:
        name = f.graphql_name or to_camel_case(f.python_name)
        if name in raw:
            value = raw[name]
            kind = f.type.of_type if isinstance(f.type, StrawberryOptional) else f.type
            if value is not None and has_object_definition(kind):
                value = _input(kind, value)
            kwargs[f.python_name] = value
    return cls(**kwargs)


# -- the answer ----------------------------------------------------------------------------


def _coerce(leaf: Leaf, value: Any) -> Any:
    if type(value) is leaf.same:
        return value
    if value is None:
        if not leaf.nullable:
            raise NotCompiled("null in einem Pflichtfeld")
        return None
    coerce = leaf.coerce
    try:
        if leaf.is_list:
            out: list[Any] = []
            for item in value:
                if item is None:
                    if not leaf.items_nullable:
                        raise NotCompiled("null in einer Liste")
                    out.append(None)
                    continue
                coerced = coerce(item)
                if coerced is None or coerced is Undefined:
                    raise NotCompiled("Wert")
                out.append(coerced)
            return out
        coerced = coerce(value)
    except NotCompiled:
        raise
    except Exception as exc:
        raise NotCompiled("Wert") from exc
    if coerced is None or coerced is Undefined:
        raise NotCompiled("Wert")
    return coerced


def _object(shape: Shape, row: Mapping[str, Any]) -> dict[str, Any]:
    if shape.label is None:
        return _membership_object(shape, row)
    out: dict[str, Any] = {}
    for part in shape.outs:
        if isinstance(part, Leaf):
            out[part.response] = _coerce(part, part.read(row))
        elif isinstance(part, TypeName):
            out[part.response] = part.name
        elif isinstance(part, Child):
            value = row.get(f"_s{part.slot}")
            if part.many:
                out[part.response] = [_object(part.shape, item) for item in value or ()]
            else:
                out[part.response] = None if value is None else _object(part.shape, value)
        else:
            out[part.response] = _page_answer(part, row.get(f"_s{part.slot}"))
    return out


def _membership_object(shape: Shape, row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in shape.outs:
        if isinstance(part, Leaf):
            out[part.response] = _coerce(part, part.read(row))
        elif isinstance(part, TypeName):
            out[part.response] = part.name
        else:
            node = row.get("n")
            out[part.response] = None if node is None else _object(part.shape, node)
    return out


def _one(shape: Shape) -> Callable[[Any], Any]:
    return lambda value: None if value is None else _object(shape, value)


def _many(shape: Shape) -> Callable[[Any], Any]:
    return lambda value: [_object(shape, item) for item in value or ()]


def _page_answer(page: PageOut, value: Any) -> dict[str, Any]:
    """The connection of a page (the statement reads one row more than it shows)."""
    if value is None:
        raise NotCompiled("Seite fehlt")
    rows = value.get("rows") or []
    first = int(value["first"])
    sort = "name"
    shown = rows[:first]
    has_next = len(rows) > first
    out: dict[str, Any] = {}
    cursors: list[str] | None = None

    def cursor_list() -> list[str]:
        nonlocal cursors
        if cursors is None:
            cursors = [encode_cursor(sort, r["k"], r["n"]["id"]) for r in shown]
        return cursors

    for response, kind, extra in page.parts:
        if kind == "typename":
            out[response] = extra
        elif kind == "nodes":
            out[response] = [_object(page.shape, r["n"]) for r in shown]
        elif kind == "total":
            out[response] = int(value["total"])
        elif kind == "pageInfo":
            info: dict[str, Any] = {}
            for key, name, type_name in extra:
                if name == "hasNextPage":
                    info[key] = has_next
                elif name == "endCursor":
                    found = cursor_list()
                    info[key] = found[-1] if found else None
                else:
                    info[key] = type_name
            out[response] = info
        else:
            edges = []
            for index, r in enumerate(shown):
                edge: dict[str, Any] = {}
                for key, name, type_name in extra:
                    if name == "cursor":
                        edge[key] = cursor_list()[index]
                    elif name == "node":
                        edge[key] = _object(page.shape, r["n"])
                    else:
                        edge[key] = type_name
                edges.append(edge)
            out[response] = edges
    return out
