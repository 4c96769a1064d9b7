"""What the compiled read path refuses in every part of a plan: ``NotCompiled`` sends the
operation (or one request of it) to graphql-core's normal execution."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
)
from strawberry.types.field import StrawberryField

from schema.execution import strawberry_definition, unwrap


class NotCompiled(Exception):
    """This operation (or this request of it) takes the normal execution."""


def definition_of(gfield: GraphQLField) -> StrawberryField:
    definition = strawberry_definition(gfield)
    if not isinstance(definition, StrawberryField):
        raise NotCompiled("kein strawberry-Feld")
    return definition


def unwrap_single(kind: Any) -> tuple[Any, bool, bool, bool]:
    """(named type, nullable, is list, list items nullable), as schema/execution.py reads
    it; lists of lists are not compiled."""
    named, nullable, is_list, items_nullable = unwrap(kind)
    if isinstance(named, GraphQLList | GraphQLNonNull):
        raise NotCompiled("verschachtelte Listen")
    return named, nullable, is_list, items_nullable
