"""The planner of selections: a GraphQL selection on a directory type turned into a ``Shape``
(what to read of each record, which related records and pages), or ``NotCompiled``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLObjectType,
    GraphQLString,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    is_leaf_type,
)

from graph.repo.nodes import stored_fields
from graph.repo.values import native
from schema.compiled_fields import MEMBERSHIP, META, PAGED_LISTS, PAGES, record_default
from schema.compiled_parts import Child, Leaf, PageOut, Shape, TypeName
from schema.compiled_refusals import NotCompiled, definition_of, unwrap_single
from schema.selection import INCLUDABLE


def collect_fields(
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


def subsets(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [n.selection_set for n in nodes if n.selection_set is not None]


def _leaf(
    response: str,
    gfield: GraphQLField,
    read: Callable[[Mapping[str, Any]], Any],
    reads: str | None = None,
) -> Leaf:
    leaf, nullable, is_list, items_nullable = unwrap_single(gfield.type)
    same = _SAME.get(leaf.name) if leaf in _BUILT_IN else None
    coerce = leaf.coerce_output_value
    return Leaf(response, read, coerce, nullable, is_list, items_nullable, reads, same)


_SAME: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
_BUILT_IN = (GraphQLString, GraphQLID, GraphQLBoolean)


def selection_shape(
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
    for response, found in collect_fields(gtype, subsets(nodes), fragments).items():
        field_name = found[0].name.value
        if field_name == "__typename":
            shape.outs.append(TypeName(response, name))
            continue
        gfield = gtype.fields[field_name]
        definition = definition_of(gfield)
        if definition.extensions:
            raise NotCompiled(f"{name}.{field_name}: Policy")
        target, nullable, is_list, _ = unwrap_single(gfield.type)
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
            page = page_out(response, slot, target, gfield, found, fragments, PAGES[name])
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
        child = selection_shape(target, found, fragments)
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
    if python_name in META:
        key, convert = META[python_name]
        return _leaf(response, gfield, lambda m: convert(m.get(key)), python_name)
    if python_name not in stored:
        raise NotCompiled(f"{label}.{python_name}: nicht gespeichert")
    default = record_default(label, python_name)

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
    for response, found in collect_fields(gtype, subsets(nodes), fragments).items():
        field_name = found[0].name.value
        if field_name == "__typename":
            shape.outs.append(TypeName(response, gtype.name))
            continue
        gfield = gtype.fields[field_name]
        if definition_of(gfield).extensions or any(n.arguments for n in found):
            raise NotCompiled(f"Membership.{field_name}")
        if field_name == "network":
            target, _, _, _ = unwrap_single(gfield.type)
            if network is not None:
                raise NotCompiled("das Netzwerk zweimal unter verschiedenen Namen")
            network = child = selection_shape(target, found, fragments)
            shape.outs.append(Child(response, None, child, False))
            continue
        read = MEMBERSHIP.get(field_name)
        if read is None:
            raise NotCompiled(f"Membership.{field_name}")
        shape.outs.append(_leaf(response, gfield, partial(_edge_value, read)))
        shape.edge = True
    # The network is read whether selected or not (the relation leads to it).
    shape.related.append((0, "", network or Shape("Network", "Network")))
    return shape


def _edge_value(read: Callable[[Mapping[str, Any]], Any], item: Mapping[str, Any]) -> Any:
    return read(item.get("e") or {})


def page_out(
    response: str,
    slot: int,
    target: Any,
    gfield: GraphQLField,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
    anchor: str | None,
) -> PageOut:
    if not isinstance(target, GraphQLObjectType) or target.name not in PAGED_LISTS:
        raise NotCompiled("keine kompilierte Seite")
    parts: list[Any] = []
    node_nodes: list[FieldNode] = []
    # ``nodes`` and ``edges { node }`` would need two shapes of one row: left to the resolvers.
    sources: set[str] = set()
    total = False
    for sub, found in collect_fields(target, subsets(nodes), fragments).items():
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
            info_type, _, _, _ = unwrap_single(target.fields[name].type)
            inner = []
            for key, fs in collect_fields(info_type, subsets(found), fragments).items():
                inner.append((key, fs[0].name.value, info_type.name))
            parts.append((sub, "pageInfo", inner))
        elif name == "edges":
            edge_type, _, _, _ = unwrap_single(target.fields[name].type)
            inner = []
            for key, fs in collect_fields(edge_type, subsets(found), fragments).items():
                if fs[0].name.value == "node":
                    node_nodes += fs
                    sources.add("edges")
                inner.append((key, fs[0].name.value, edge_type.name))
            parts.append((sub, "edges", inner))
        else:
            raise NotCompiled(f"{target.name}.{name}")
    if len(sources) > 1:
        raise NotCompiled("nodes und edges zugleich")
    service_type = target.fields["nodes"].type
    named, _, _, _ = unwrap_single(service_type)
    shape = selection_shape(named, node_nodes, fragments)
    for _, kind, inner in parts:
        for _, field_name, _ in inner if kind in ("pageInfo", "edges") else ():
            if field_name not in ("hasNextPage", "endCursor", "cursor", "node", "__typename"):
                raise NotCompiled(f"Seite: {field_name}")
    return PageOut(response, slot, parts, shape, gfield, nodes[0], anchor, total, target.name)
