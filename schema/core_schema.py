"""graphql-core's schema behind a strawberry schema, for graphql-core's public functions
(validation, variable coercion, the cost estimate, the compiled reads' planner).

strawberry documents no accessor for it: its maintainers point to the ``_schema`` attribute
(strawberry issue 2590), and strawberry's own printer reads that attribute. It is read here
only, so a change in strawberry breaks one place, with a clear error
(tests/test_execution_public.py keeps it the only place).
"""

from __future__ import annotations

from graphql import GraphQLSchema


def core_schema(schema: object) -> GraphQLSchema:
    """The graphql-core schema strawberry built for ``schema``."""
    core = getattr(schema, "_schema", None)
    if not isinstance(core, GraphQLSchema):
        raise TypeError(f"{type(schema).__name__} hat kein graphql-core-Schema (_schema)")
    return core
