"""Per request: the roots of graph/repo/projection.py's statement from the plan and the
request's arguments (same filter, page size and sort as the resolvers)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql.execution.values import VariableValues, get_argument_values
from strawberry.types.base import StrawberryOptional, get_object_definition, has_object_definition
from strawberry.utils.str_converters import to_camel_case

from graph.repo import projection
from graph.repo.paging import Query
from schema.compiled_fields import PAGED_LISTS
from schema.compiled_parts import Leaf, PageOut, Shape
from schema.compiled_refusals import NotCompiled
from schema.enums import DirectorySort
from schema.pagination import decode_cursor, page_size


def pick(shape: Shape, variables: VariableValues) -> projection.Pick:
    if shape.fixed_pick is not None:
        return shape.fixed_pick  # type: ignore[no-any-return]
    made = _pick(shape, variables)
    if not _has_pages(shape):
        shape.fixed_pick = made
    return made


def _has_pages(shape: Shape) -> bool:
    return bool(shape.pages) or any(_has_pages(child) for _, _, child in shape.related)


def _pick(shape: Shape, variables: VariableValues) -> projection.Pick:
    assert shape.label is not None
    fields = {out.reads for out in shape.outs if isinstance(out, Leaf) and out.reads}
    related = [
        projection.Related(slot, include, _membership_pick(child, variables), child.edge)
        if child.label is None
        else projection.Related(slot, include, pick(child, variables))
        for slot, include, child in shape.related
    ]
    pages = [paged(page, variables) for page in shape.pages]
    return projection.Pick(shape.label, frozenset(fields), tuple(related), tuple(pages))


def _membership_pick(shape: Shape, variables: VariableValues) -> projection.Pick:
    (_, _, network), *_ = shape.related
    return pick(network, variables)


_PAGE_ARGUMENTS = frozenset({"filter", "first", "sort", "after", "near"})


def paged(page: PageOut, variables: VariableValues) -> projection.Paged:
    """A page as the resolver reads it (schema/directory.py ``page_connection``): the same
    filter, page size, sort and cursor (``after``); distances are left to it."""
    args = get_argument_values(page.field, page.node, variables)
    unknown = {name for name, value in args.items() if value is not None} - _PAGE_ARGUMENTS
    if unknown:
        # An argument this compiler does not apply (e.g. ``offset``) would be ignored
        # silently: only the arguments named here are compiled, anything else falls back.
        raise NotCompiled("Argument " + ", ".join(sorted(unknown)))
    sort = args.get("sort", DirectorySort.NAME)
    if sort is not DirectorySort.NAME:
        raise NotCompiled("Sortierung")
    if args.get("near") is not None:
        raise NotCompiled("Entfernung")
    raw = args.get("filter")
    try:
        first = page_size(args.get("first"))
        after = decode_cursor(args.get("after"), sort.value)
        _, input_type, to_filter, to_query = PAGED_LISTS[page.connection]
        query: Query = to_query(to_filter(None if raw is None else _input(input_type, raw)))
    except Exception as exc:  # the normal path answers with its error
        raise NotCompiled("Argumente") from exc
    if query.text is not None:
        raise NotCompiled("Volltext")
    return projection.Paged(
        page.slot,
        query,
        sort.value,
        first,
        pick(page.shape, variables),
        page.anchor,
        page.total,
        after,
        page.cursors,
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
