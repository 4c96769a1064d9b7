"""The short execution path (schema/execution.py) stands on public interfaces only, and
answers exactly like graphql-core's own executor.

Whole-application equality on real data is in tests/test_api_lookahead.py and
tests/test_compiled_reads.py; here a small schema of its own checks the cases that decide
between the short path and graphql-core's (a resolver, arguments, a null where none is
allowed, a failed coercion) and the parts of strawberry's executor that verbund relies on.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from graphql.execution import Executor
from strawberry.types.field import StrawberryField

from schema import schema as app_schema
from schema.execution import _BACKREF, PlainFieldsFirst, plain_fields

ROOT = Path(__file__).resolve().parent.parent

# Modules of strawberry without ``__all__`` that its documentation names for applications.
DOCUMENTED_WITHOUT_ALL = {"strawberry.asgi", "strawberry.types.field", "strawberry.types.base"}

# Imports still reaching past the public names, left for later (issue 16, item 9):
# strawberry's validator factories and its ``validate_document`` (which adds two of
# strawberry's own rules) in the document limits.
KNOWN_OPEN = {
    ("schema/limits.py", "strawberry.extensions.max_aliases", "create_validator"),
    ("schema/limits.py", "strawberry.extensions.query_depth_limiter", "create_validator"),
    ("schema/limits.py", "strawberry.schema.schema", "validate_document"),
}

# Private attributes of strawberry's objects still read, left open for the same reason:
# graphql-core's schema behind strawberry's has no documented accessor (strawberry issue
# 2590 points to ``_schema``); schema/core_schema.py is the one place that reads it.
KNOWN_OPEN_ATTRIBUTES = {("schema/core_schema.py", "_schema")}
STRAWBERRY_PRIVATE_ATTRIBUTES = frozenset({"_schema"})


def _private_attributes() -> set[tuple[str, str]]:
    """(module, attribute) of every read of one of strawberry's private attributes, also
    through ``getattr`` with the name as a string."""
    found: set[tuple[str, str]] = set()
    for package in ("schema", "api"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Attribute) and node.attr in STRAWBERRY_PRIVATE_ATTRIBUTES:
                    found.add((relative, node.attr))
                if isinstance(node, ast.Constant) and node.value in STRAWBERRY_PRIVATE_ATTRIBUTES:
                    found.add((relative, str(node.value)))
    return found


def test_strawberrys_private_attributes_are_read_in_one_place_only() -> None:
    # Once one is gone, it must leave the list too, so the list cannot hide a new one.
    assert _private_attributes() == KNOWN_OPEN_ATTRIBUTES


def _imports() -> list[tuple[str, str, str]]:
    found: list[tuple[str, str, str]] = []
    for package in ("schema", "api"):
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                relative = path.relative_to(ROOT).as_posix()
                if isinstance(node, ast.ImportFrom) and node.module:
                    found += [(relative, node.module, alias.name) for alias in node.names]
                elif isinstance(node, ast.Import):
                    found += [(relative, alias.name, "") for alias in node.names]
    return [item for item in found if item[1].split(".")[0] in ("strawberry", "graphql")]


def _private(module: str, name: str) -> str | None:
    if any(part.startswith("_") for part in module.split(".")) or name.startswith("_"):
        return "Name oder Modul beginnt mit _"
    if not name:
        return None
    exported = getattr(importlib.import_module(module), "__all__", None)
    if exported is None:
        return (
            None if module in DOCUMENTED_WITHOUT_ALL else "Modul ohne __all__, nicht dokumentiert"
        )
    return None if name in exported else "nicht in __all__ des Moduls"


def test_schema_and_api_import_only_public_names_of_strawberry_and_graphql_core() -> None:
    imports = _imports()
    assert any(module == "graphql.execution" for _, module, _ in imports)
    wrong = {
        (path, module, name): why
        for path, module, name in imports
        if (path, module, name) not in KNOWN_OPEN and (why := _private(module, name))
    }
    assert wrong == {}


def test_the_import_check_catches_what_the_old_fast_path_used() -> None:
    assert _private("strawberry.schema.schema", "StrawberryGraphQLCoreExecutionContext")
    assert _private("strawberry.types.cast", "TYPE_CAST_ATTRIBUTE")
    assert _private("strawberry.schema._graphql_core", "BaseGraphQLExecutionContext")
    assert _private("graphql.execution", "Executor") is None


def test_known_open_imports_are_still_there() -> None:
    # Once one is gone, it must leave the list too, so the list cannot hide a new one.
    assert set(_imports()) >= KNOWN_OPEN


def _casts(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        attribute = (
            isinstance(node, ast.Attribute)
            and node.attr == "cast"
            and isinstance(node.value, ast.Name)
            and node.value.id == "strawberry"
        )
        imported = (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("strawberry")
            and any(alias.name == "cast" for alias in node.names)
        )
        if attribute or imported:
            return True
    return False


def test_no_module_casts_objects_to_a_strawberry_type() -> None:
    # The short path asks strawberry's type check once per class; an object given its type
    # with strawberry.cast would need it asked per object.
    casting = [
        path.relative_to(ROOT).as_posix()
        for package in ("schema", "api", "graph")
        for path in sorted((ROOT / package).rglob("*.py"))
        if _casts(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert casting == []
    assert _casts(ast.parse("import strawberry\nstrawberry.cast(Item, item)"))


def test_the_app_runs_on_graphql_cores_public_executor() -> None:
    assert app_schema.execution_context_class is PlainFieldsFirst
    assert issubclass(PlainFieldsFirst, Executor)
    assert all(cls.__module__.split(".")[0] != "strawberry" for cls in PlainFieldsFirst.__mro__)


def test_every_field_of_the_app_carries_its_strawberry_definition() -> None:
    # The short path finds a field's definition under strawberry's key; if strawberry ever
    # keeps it elsewhere, no field would be plain and this fails instead of a silent slowdown.
    graphql_schema = app_schema._schema
    missing = [
        f"{gtype.name}.{name}"
        for gtype in graphql_schema.type_map.values()
        if isinstance(gtype, GraphQLObjectType) and not gtype.name.startswith("__")
        for name, field in gtype.fields.items()
        if not isinstance((field.extensions or {}).get(_BACKREF), StrawberryField)
    ]
    assert missing == []
    assert len(plain_fields(graphql_schema)) > 100


# -- a schema of its own ------------------------------------------------------------------


class Secret(strawberry.extensions.FieldExtension):
    def resolve(self, next_: Any, source: Any, info: strawberry.Info, **kwargs: Any) -> Any:
        return "verborgen"


@strawberry.type
class Item:
    name: str
    label: str | None
    tags: list[str]
    count: int
    guarded: str = strawberry.field(extensions=[Secret()])

    @strawberry.field
    def upper(self) -> str:
        return self.name.upper()

    @strawberry.field
    def repeat(self, times: int) -> str:
        return self.name * times


SEEN: dict[str, Any] = {}


@strawberry.type
class Query:
    @strawberry.field
    def items(self, info: strawberry.Info) -> list[Item]:
        SEEN["variables"] = info.variable_values
        return ITEMS


ITEMS: list[Any] = []


def _item(name: Any, label: Any = None, tags: Any = (), count: Any = 1) -> Item:
    return Item(name=name, label=label, tags=list(tags), count=count, guarded="offen")


def _both(document: str, variables: dict[str, Any] | None = None) -> tuple[Any, Any]:
    answers = []
    for executor in (PlainFieldsFirst, None):
        own = strawberry.Schema(query=Query, execution_context_class=executor)
        result = asyncio.run(own.execute(document, variable_values=variables))
        answers.append((result.data, [(e.message, e.path) for e in result.errors or []]))
    return answers[0], answers[1]


DOCUMENT = "query($t: Int!) { items { name label tags count guarded upper repeat(times: $t) } }"


def test_plain_fields_are_only_those_without_resolver_extension_or_arguments() -> None:
    own = strawberry.Schema(query=Query, execution_context_class=PlainFieldsFirst)
    item = own._schema.type_map["Item"]
    assert isinstance(item, GraphQLObjectType)
    plain = {name for name, field in item.fields.items() if id(field) in plain_fields(own._schema)}
    assert plain == {"name", "label", "tags", "count"}


def test_answers_equal_graphql_cores_own_executor() -> None:
    ITEMS[:] = [_item("a", "A", ["x", "y"], 2), _item("b")]
    fast, plain = _both(DOCUMENT, {"t": 2})
    assert fast == plain
    assert fast[0]["items"][0] == {
        "name": "a",
        "label": "A",
        "tags": ["x", "y"],
        "count": 2,
        "guarded": "verborgen",
        "upper": "A",
        "repeat": "aa",
    }
    # Resolvers see the variables as a plain dict, as with strawberry's own executor.
    assert SEEN["variables"] == {"t": 2}


def test_errors_equal_graphql_cores_own_executor() -> None:
    # A null where none is allowed, a failed coercion, a null inside a list of non-nulls.
    for wrong in (_item(None), _item("b", count="viele"), _item("c", tags=["x", None])):
        ITEMS[:] = [_item("a"), wrong]
        fast, plain = _both(DOCUMENT, {"t": 1})
        assert fast == plain
        assert fast[0] is None
        assert [path[:2] for _, path in fast[1]] == [["items", 1]]
        assert len(fast[1]) == 1


def test_strawberrys_operation_extensions_keyword_is_accepted() -> None:
    ITEMS[:] = [_item("a")]
    own = strawberry.Schema(query=Query, execution_context_class=PlainFieldsFirst)
    result = asyncio.run(
        own.execute("{ items { name } }", operation_extensions={"trace": "1"})  # type: ignore[call-arg]
    )
    assert result.errors is None
    assert result.data == {"items": [{"name": "a"}]}
