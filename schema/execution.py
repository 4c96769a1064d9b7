"""A shorter path through graphql-core for plain leaf fields.

Most fields of a large answer are attributes of an object already built (``id``, ``name``,
``priorityAccess``), and graphql-core spends far more on each of them (a resolve-info
object, strawberry's resolver wrapper, value completion) than the value itself costs. For
fields without a resolver, without field extensions (so without a Policy) and with a
scalar, enum or list-of-those type, the value is read and coerced directly. Anything else,
and any value that would be an error (a null where none is allowed, a failed coercion),
takes graphql-core's own path, so answers and errors stay exactly the same.

Not used when graphql-core middleware hooks every resolver: then every field must pass
through it (verbund's own operation run, schema/operation.py, passes none).

Built on public interfaces only: graphql-core's exported ``Executor`` handed to strawberry's
public ``execution_context_class``; a plain field is recognised from the field's own
strawberry definition (``StrawberryField.is_basic_field``, no extensions, no arguments), not
from marks strawberry sets on its resolver wrappers. strawberry's own executor subclass adds
two things: ``operation_extensions`` on the resolve info (verbund reads none) and the
variables as a plain dict on the raw info (strawberry's ``Info`` reads both forms); so only
its ``operation_extensions`` keyword is accepted here (tests/test_execution_public.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from graphql.execution import Executor
from strawberry.types.field import StrawberryField

# The key under which strawberry keeps each GraphQL field's own definition (checked for every
# field of the schema by tests/test_execution_public.py, so a change of it fails loudly).
_BACKREF = "strawberry-definition"
_NOT_PLAIN = object()

Coerce = Callable[[Any], Any]


class _Plain:
    """How to produce a plain field's value from its parent object."""

    __slots__ = ("attribute", "coerce", "is_list", "items_nullable", "nullable", "same")

    def __init__(
        self,
        attribute: str,
        coerce: Coerce,
        nullable: bool,
        is_list: bool,
        items_nullable: bool,
        same: type | None = None,
    ) -> None:
        self.attribute = attribute
        self.coerce = coerce
        self.nullable = nullable
        self.is_list = is_list
        self.items_nullable = items_nullable
        # Values of exactly this type are their own output (a str for String and ID, a
        # bool for Boolean): graphql-core's coercion would return them unchanged.
        self.same = same


def strawberry_definition(field: GraphQLField) -> StrawberryField | None:
    """The strawberry field a GraphQL field was made from (None for graphql-core's own)."""
    definition = (field.extensions or {}).get(_BACKREF)
    return definition if isinstance(definition, StrawberryField) else None


def _plain(field: GraphQLField) -> _Plain | None:
    definition = strawberry_definition(field)
    if definition is None:
        return None
    # A basic field has neither a resolver nor permission classes: strawberry reads it with
    # its default resolver (``getattr``), which is what ``_value`` does.
    if not definition.is_basic_field or definition.extensions or field.args:
        return None
    kind, nullable, is_list, items_nullable = unwrap(field.type)
    if not is_leaf_type(kind):
        return None
    leaf: GraphQLLeafType = kind
    same = _SAME.get(leaf.name) if leaf in _BUILT_IN else None
    return _Plain(
        definition.python_name, leaf.coerce_output_value, nullable, is_list, items_nullable, same
    )


_SAME: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}
_BUILT_IN = (GraphQLString, GraphQLID, GraphQLBoolean)


def plain_fields(schema: GraphQLSchema) -> dict[int, _Plain]:
    """Every field of the schema that can take the short path, by the field's identity
    (fields compare by value; the schema keeps them alive)."""
    found: dict[int, _Plain] = {}
    for gtype in schema.type_map.values():
        if isinstance(gtype, GraphQLObjectType) and not gtype.name.startswith("__"):
            for field in gtype.fields.values():
                plain = _plain(field)
                if plain is not None:
                    found[id(field)] = plain
    return found


_PLAIN: dict[int, dict[int, _Plain]] = {}


def _value(plain: _Plain, source: Any) -> Any:
    """The completed value, or ``_NOT_PLAIN`` when graphql-core must decide."""
    value = getattr(source, plain.attribute, None)
    if value is None:
        return None if plain.nullable else _NOT_PLAIN
    if type(value) is plain.same:
        return value
    coerce = plain.coerce
    try:
        if plain.is_list:
            items: list[Any] = []
            for item in value:
                if item is None:
                    if not plain.items_nullable:
                        return _NOT_PLAIN
                    items.append(None)
                    continue
                coerced = coerce(item)
                if coerced is None or coerced is Undefined:
                    return _NOT_PLAIN
                items.append(coerced)
            return items
        coerced = coerce(value)
    except Exception:
        return _NOT_PLAIN
    if coerced is None or coerced is Undefined:
        return _NOT_PLAIN
    return coerced


# -- whole subtrees read ahead ---------------------------------------------------------
#
# A page read ahead (schema/selection.py) holds its whole answer already: the records, the
# related records and the count. Completing it field by field through graphql-core costs
# most of the time of a large nested answer. When every field below an object is plain,
# read ahead or an object attribute, the subtree is completed here in one pass; the first
# thing that is not (a policy, a field argument, an include that was not read, a null
# where none is allowed) hands the whole subtree back to graphql-core unchanged.


class NotReadAhead(Exception):
    """This subtree needs graphql-core's own completion (raised by ``READ_AHEAD`` getters
    when the related records were not read with their parent)."""


# (GraphQL type, field) -> how to get the field's value from its parent without calling the
# resolver: returns the value or raises NotReadAhead. Filled by the type modules; fields
# with a Policy (or any field extension) never take this path.
READ_AHEAD: dict[tuple[str, str], Callable[[Any], Any]] = {}

_LEAF, _OBJECT, _AHEAD, _TYPENAME = range(4)


def unwrap(kind: Any) -> tuple[Any, bool, bool, bool]:
    """(named type, nullable, is list, list items nullable)."""
    nullable = not isinstance(kind, GraphQLNonNull)
    if isinstance(kind, GraphQLNonNull):
        kind = kind.of_type
    is_list = isinstance(kind, GraphQLList)
    items_nullable = True
    if isinstance(kind, GraphQLList):
        kind = kind.of_type
        items_nullable = not isinstance(kind, GraphQLNonNull)
        if isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
    return kind, nullable, is_list, items_nullable


class _Step:
    __slots__ = (
        "get",
        "is_list",
        "items_nullable",
        "kind",
        "name",
        "nodes",
        "nullable",
        "plan",
        "target",
    )

    def __init__(self, name: str, kind: int) -> None:
        self.name = name
        self.kind = kind
        self.get: Any = None
        self.target: Any = None
        self.nodes: Any = None
        # The target's plan, once worked out (steps live in one request's plans).
        self.plan: list[_Step] | None = None
        self.nullable = True
        self.is_list = False
        self.items_nullable = True


def _connection_nodes(connection: Any) -> Any:
    return [edge.node for edge in connection.edges]


def _connection_total(connection: Any) -> Any:
    if connection.total is None:
        raise NotReadAhead
    return connection.total


class PlainFieldsFirst(Executor[Any]):
    """graphql-core's execution with short paths for plain leaf fields and for whole
    subtrees that were read ahead."""

    def __init__(
        self, *args: Any, operation_extensions: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        # The operation's run (schema/operation.py, as strawberry did) hands every executor
        # the request's ``extensions`` entry; kept for whoever wants it, graphql-core's
        # constructor does not take it.
        super().__init__(*args, **kwargs)
        self.operation_extensions = operation_extensions

    def _plain_fields(self) -> dict[int, _Plain] | None:
        middleware = self.middleware_manager
        if middleware is not None and middleware.middlewares:
            return None
        found = _PLAIN.get(id(self.schema))
        if found is None:
            found = _PLAIN[id(self.schema)] = plain_fields(self.schema)
        return found

    def execute_field(  # type: ignore[no-untyped-def]
        self, parent_type, source, field_details_list, path, position_context
    ):
        plain_fields_of = self._plain_fields()
        if plain_fields_of is not None:
            field = parent_type.fields.get(field_details_list[0].node.name.value)
            plain = plain_fields_of.get(id(field)) if field is not None else None
            if plain is not None:
                value = _value(plain, source)
                if value is not _NOT_PLAIN:
                    return value
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def complete_value(  # type: ignore[no-untyped-def]
        self, return_type, field_details_list, info, path, result, position_context
    ):
        named, _, is_list, items_nullable = unwrap(return_type)
        if (
            isinstance(named, GraphQLObjectType)
            and result is not None
            and not self.is_awaitable(result)
            and self._plain_fields() is not None
        ):
            plan = self._plan(named, field_details_list)
            try:
                if plan is None:
                    raise NotReadAhead
                if is_list:
                    return [self._item(named, plan, item, items_nullable) for item in result]
                return self._item(named, plan, result, False)
            except NotReadAhead:
                pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _item(self, gtype: GraphQLObjectType, plan: list[_Step], obj: Any, nullable: bool) -> Any:
        """One object (or an allowed null) completed under ``plan``."""
        if obj is None:
            if nullable:
                return None
            raise NotReadAhead
        if not self._is_type_of(gtype, obj):
            raise NotReadAhead
        return self._fill(gtype, plan, obj)

    def _is_type_of(self, gtype: GraphQLObjectType, obj: Any) -> bool:
        # strawberry's check (types with interfaces have one) depends on the object's class,
        # and on the object itself only if it was given a type with ``strawberry.cast``,
        # which verbund never does (tests/test_execution_public.py checks that): so it is
        # asked once per class and request.
        if gtype.is_type_of is None:
            return True
        known: dict[tuple[int, type], bool] = self.__dict__.setdefault("_type_of", {})
        key = (id(gtype), type(obj))
        found = known.get(key)
        if found is None:
            found = known[key] = bool(gtype.is_type_of(obj, None))  # type: ignore[arg-type]
        return found

    def _fill(self, gtype: GraphQLObjectType, plan: list[_Step], obj: Any) -> dict[str, Any]:
        # Every type that holds a ``stored`` record is built from it alone (``of``), so the
        # same record under the same plan completes to the same answer: done once per
        # request and shared (the record reader hands out one record per node and shape;
        # a page of services repeats each organization with its agreements per service).
        stored = getattr(obj, "stored", None)
        if stored is None:
            return self._fill_fields(gtype, plan, obj)
        done: dict[tuple[int, int, type], tuple[Any, dict[str, Any]]] = self.__dict__.setdefault(
            "_filled", {}
        )
        key = (id(plan), id(stored), type(obj))
        found = done.get(key)
        # The record itself is kept with the answer: an id is only unique while it lives.
        if found is not None and found[0] is stored:
            return found[1]
        out = self._fill_fields(gtype, plan, obj)
        done[key] = (stored, out)
        return out

    def _fill_fields(self, gtype: GraphQLObjectType, plan: list[_Step], obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for step in plan:
            kind = step.kind
            if kind == _LEAF:
                value = _value(step.get, obj)
                if value is _NOT_PLAIN:
                    raise NotReadAhead
            elif kind == _TYPENAME:
                value = gtype.name
            else:
                raw = getattr(obj, step.get) if kind == _OBJECT else step.get(obj)
                value = self._sub(step, raw)
            out[step.name] = value
        return out

    def _sub(self, step: _Step, raw: Any) -> Any:
        if raw is None:
            if step.nullable:
                return None
            raise NotReadAhead
        target = step.target
        if not isinstance(target, GraphQLObjectType):
            # A leaf read ahead (a total).
            value = target.coerce_output_value(raw)
            if value is None or value is Undefined or step.is_list:
                raise NotReadAhead
            return value
        plan = step.plan
        if plan is None:
            plan = step.plan = self._plan(target, step.nodes)
            if plan is None:
                raise NotReadAhead
        if step.is_list:
            return [self._item(target, plan, item, step.items_nullable) for item in raw]
        return self._item(target, plan, raw, False)

    def _plan(self, gtype: GraphQLObjectType, group: Any) -> list[_Step] | None:
        plans: dict[tuple[str, int], list[_Step] | None] = self.__dict__.setdefault(
            "_read_ahead_plans", {}
        )
        key = (gtype.name, id(group))
        if key not in plans:
            plans[key] = self._make_plan(gtype, group)
        return plans[key]

    def _make_plan(self, gtype: GraphQLObjectType, group: Any) -> list[_Step] | None:
        plain_fields_of = self._plain_fields()
        if plain_fields_of is None:
            return None
        collected = self.collect_subfields(gtype, group)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            return None
        steps: list[_Step] = []
        for response_name, details in collected.grouped_field_set.items():
            name = details[0].node.name.value
            if name == "__typename":
                steps.append(_Step(response_name, _TYPENAME))
                continue
            field = gtype.fields.get(name)
            if field is None:
                return None
            plain = plain_fields_of.get(id(field))
            if plain is not None:
                step = _Step(response_name, _LEAF)
                step.get = plain
                steps.append(step)
                continue
            definition = strawberry_definition(field)
            if definition is None or definition.extensions or field.args:
                return None
            getter: Any = READ_AHEAD.get((gtype.name, name))
            if getter is None and gtype.name.endswith("Connection"):
                getter = {"nodes": _connection_nodes, "totalCount": _connection_total}.get(name)
            if getter is not None:
                step = _Step(response_name, _AHEAD)
            elif definition.base_resolver is None:
                step = _Step(response_name, _OBJECT)
                getter = definition.python_name
            else:
                return None
            step.get = getter
            step.target, step.nullable, step.is_list, step.items_nullable = unwrap(field.type)
            step.nodes = details
            if not isinstance(step.target, GraphQLObjectType) and step.kind != _AHEAD:
                return None
            steps.append(step)
        return steps
