"""The answer of a compiled read: the statement's row turned into the GraphQL answer, with the
same output coercion as the normal path; a value the normal path would turn into an error
raises ``NotCompiled``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    Undefined,
)

from schema.compiled_parts import Child, Leaf, PageOut, Shape, TypeName
from schema.compiled_refusals import NotCompiled
from schema.pagination import encode_cursor


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
            out[part.response] = page_answer(part, row.get(f"_s{part.slot}"))
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


def answer_one(shape: Shape) -> Callable[[Any], Any]:
    return lambda value: None if value is None else _object(shape, value)


def answer_many(shape: Shape) -> Callable[[Any], Any]:
    return lambda value: [_object(shape, item) for item in value or ()]


def page_answer(page: PageOut, value: Any) -> dict[str, Any]:
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
