"""Walk a built schema and list every field that must declare a Policy but does not.

A field needs a policy when it is a root field (Query, Mutation, Subscription), when it belongs
to a household-level type, or when its result can lead to household-level data without crossing
another policy (e.g. ``Organization.referrals``, a connection of referrals, a result union).
"""

from __future__ import annotations

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)
from strawberry import Schema

from schema.core_schema import core_schema
from schema.policy import _HOUSEHOLD_TYPES, HOUSEHOLD_ROLES, Policy

ROOTS = ("Query", "Mutation", "Subscription")
BACKREF = "strawberry-definition"


def policy_of(field: GraphQLField) -> Policy | None:
    definition = (field.extensions or {}).get(BACKREF)
    for extension in getattr(definition, "extensions", None) or ():
        if isinstance(extension, Policy):
            return extension
    return None


def household_type_names(schema: Schema) -> set[str]:
    """GraphQL names of the types marked ``household_level`` (plus the model's labels)."""
    names = {"Household", "Need", "Consent", "Referral", "ReferralEvent", "AuditEvent"}
    for cls in _HOUSEHOLD_TYPES:
        definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
        names.add(schema.config.name_converter.from_type(definition))
    return names


def _object_types(core: GraphQLSchema) -> dict[str, GraphQLObjectType | GraphQLInterfaceType]:
    return {
        name: t
        for name, t in core.type_map.items()
        if not name.startswith("__") and isinstance(t, GraphQLObjectType | GraphQLInterfaceType)
    }


def protects(policy: Policy | None) -> bool:
    """A policy that keeps household data from roles without a household task."""
    return policy is not None and (policy.aggregate or policy.roles <= HOUSEHOLD_ROLES)


def _leads_to(
    named: GraphQLNamedType,
    sensitive: set[str],
    core: GraphQLSchema,
    seen: set[str],
) -> bool:
    """Whether ``named`` is household-level or reaches such a type through unprotected fields."""
    if named.name in sensitive:
        return True
    if named.name in seen:
        return False
    seen.add(named.name)
    if isinstance(named, GraphQLUnionType):
        return any(_leads_to(member, sensitive, core, seen) for member in named.types)
    if isinstance(named, GraphQLInterfaceType):
        implementations = core.get_implementations(named).objects
        if any(_leads_to(impl, sensitive, core, seen) for impl in implementations):
            return True
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return any(
            not protects(policy_of(field))
            and _leads_to(get_named_type(field.type), sensitive, core, seen)
            for field in named.fields.values()
        )
    return False


def _open_types(core: GraphQLSchema, sensitive: set[str]) -> set[str]:
    """Types reachable from the roots without crossing a protecting policy."""
    types = _object_types(core)
    todo = [name for name in ROOTS if name in types]
    reached: set[str] = set(todo)
    while todo:
        gtype = types[todo.pop()]
        for field in gtype.fields.values():
            if protects(policy_of(field)):
                continue
            named = get_named_type(field.type)
            targets = [named]
            if isinstance(named, GraphQLUnionType):
                targets = list(named.types)
            for target in targets:
                if target.name in types and target.name not in reached:
                    reached.add(target.name)
                    todo.append(target.name)
    return reached


def fields_without_policy(schema: Schema) -> list[str]:
    """``Type.field`` of every field that needs a policy and has none (or a too weak one)."""
    core = core_schema(schema)
    sensitive = household_type_names(schema)
    open_types = _open_types(core, sensitive)
    missing: list[str] = []
    for name, gtype in _object_types(core).items():
        for field_name, field in gtype.fields.items():
            policy = policy_of(field)
            if name in ROOTS or name in sensitive:
                if policy is None:
                    missing.append(f"{name}.{field_name}")
                continue
            if (
                name in open_types
                and not protects(policy)
                and _leads_to(get_named_type(field.type), sensitive, core, set())
            ):
                missing.append(f"{name}.{field_name}")
    return sorted(missing)
