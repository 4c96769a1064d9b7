"""A static estimate of what an operation costs, computed before it runs.

The depth limit alone does not bound the work: ``organizations { nodes { partners {
partners { … } } } }`` stays inside it and grows about tenfold per level. The estimate is

    cost = sum over every selected field of the product of the list sizes of its ancestors

where a list field contributes its length: the ``nodes`` and ``edges`` of a connection its
page, ``first`` (the literal, the variable's value or its default, else the API's default of
20, at most 100; ``totalCount`` and ``pageInfo`` are not multiplied), a plain list field
(``partners``, ``children``, ``history``, …) an assumed size from ``LIST_SIZES``
(``DEFAULT_LIST_SIZE`` for the rest). Fragments and inline fragments are expanded (a fragment inside
itself is counted once; validation refuses such cycles anyway). Introspection fields cost
one each: they are answered from the schema in memory.

Pure functions on graphql-core's syntax tree and schema; the limit itself is enforced in
``schema/limits.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    value_from_ast_untyped,
    visit,
)

from graph.repo.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

# Assumed length of plain (unpaginated) lists of records, by field name: generous bounds of
# what the data holds (a Träger's partners and agreements, the districts of a city, the
# events of one referral).
DEFAULT_LIST_SIZE = 10
LIST_SIZES: Mapping[str, int] = {
    "partners": 10,
    "agreements": 10,
    "memberships": 10,
    "children": 15,
    "neighbours": 10,
    "narrower": 10,
    "history": 20,
    "locations": 5,
    "networks": 5,
}

_PAGE_ITEMS = frozenset({"nodes", "edges"})


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int:
    """The estimated cost of the operation the request runs (0 if there is none)."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = {**_variable_defaults(operation), **(variables or {})}
    return _Estimate(schema, fragments, values).selections(
        root, operation.selection_set, 1, frozenset()
    )


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    return {
        d.variable.name.value: value_from_ast_untyped(d.default_value)
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }


def is_connection(type_: GraphQLNamedType) -> bool:
    """A page of a Relay connection (``…Connection`` with ``nodes`` and ``edges``)."""
    return (
        isinstance(type_, GraphQLObjectType)
        and type_.name.endswith("Connection")
        and set(type_.fields) >= _PAGE_ITEMS
    )


class _Estimate:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selections(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode,
        multiplier: int,
        expanding: frozenset[str],
        page: int = 1,
    ) -> int:
        cost = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                cost += self.field(parent, selection, multiplier, expanding, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                cost += self.selections(
                    inner or parent, selection.selection_set, multiplier, expanding, page
                )
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in expanding:
                    continue
                inner = self.schema.get_type(fragment.type_condition.name.value)
                cost += self.selections(
                    inner or parent, fragment.selection_set, multiplier, expanding | {name}, page
                )
        return cost

    def field(
        self,
        parent: GraphQLNamedType,
        node: FieldNode,
        multiplier: int,
        expanding: frozenset[str],
        page: int,
    ) -> int:
        name = node.name.value
        fields = (
            parent.fields if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else {}
        )
        definition = fields.get(name)
        if definition is None or node.selection_set is None or name.startswith("__"):
            return multiplier
        child = get_named_type(definition.type)
        if is_connection(parent) and name in _PAGE_ITEMS:
            size = page
        elif is_connection(child):
            # The page multiplies only its items (nodes, edges), not totalCount or pageInfo.
            return multiplier + self.selections(
                child, node.selection_set, multiplier, expanding, self.size(definition, node)
            )
        else:
            size = self.size(definition, node)
        return multiplier + self.selections(child, node.selection_set, multiplier * size, expanding)

    def size(self, definition: GraphQLField, node: FieldNode) -> int:
        """How many items one occurrence of this field returns (1 unless a list or page)."""
        type_ = get_nullable_type(definition.type)
        paged = is_connection(get_named_type(type_))
        if not paged and not isinstance(type_, GraphQLList):
            return 1
        if "first" in definition.args:
            return self.first(definition, node)
        if paged:
            return DEFAULT_PAGE_SIZE
        return LIST_SIZES.get(node.name.value, DEFAULT_LIST_SIZE)

    def first(self, definition: GraphQLField, node: FieldNode) -> int:
        value: Any = None
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
            elif isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
        size = counted_page(value)
        if size is None:
            size = counted_page(definition.args["first"].default_value)
        return DEFAULT_PAGE_SIZE if size is None else size


def counted_page(value: Any) -> int | None:
    """The page a ``first`` value counts as in the estimate (None: not given, the field's
    default applies). Lenient, unlike ``schema.pagination.page_size``, which refuses a size
    out of range when the field runs: the estimate must not fail before that error."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return DEFAULT_PAGE_SIZE
    return max(0, min(value, MAX_PAGE_SIZE))


def page_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables given as ``first`` anywhere in the document, sorted: the only variables
    the estimate reads."""
    names: set[str] = set()

    class _Firsts(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
            if node.name.value == "first" and isinstance(node.value, VariableNode):
                names.add(node.value.name.value)

    visit(document, _Firsts())
    return tuple(sorted(names))


# A page variable the request does not give (its default in the document applies), unlike one
# given as null (the field's default applies).
_NOT_GIVEN = -1


def estimate_inputs(
    names: tuple[str, ...], variables: Mapping[str, Any] | None
) -> tuple[int | None, ...]:
    """What the estimate of one document and operation depends on beyond them: the page sizes
    of its page variables (``page_variables``). Equal inputs, equal cost."""
    given = variables or {}
    return tuple(counted_page(given[name]) if name in given else _NOT_GIVEN for name in names)
