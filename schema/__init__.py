"""GraphQL schema for verbund: strawberry types, resolvers and dataloaders, thin, no Cypher."""

from schema.context import Context
from schema.root import schema

__all__ = ["Context", "schema"]
