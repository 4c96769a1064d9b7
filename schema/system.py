"""System fields: what the server is and whether the graph answers."""

from __future__ import annotations

import strawberry

from graph.admin import server_info
from schema.context import Info
from schema.policy import anyone


@strawberry.type(description="Angaben der Graphdatenbank (Neo4j) über sich selbst.")
class ServerInfo:
    name: str
    version: str
    edition: str


@strawberry.type
class SystemQuery:
    @strawberry.field(description="Version und Edition der Graphdatenbank.", extensions=[anyone()])
    async def server_info(self, info: Info) -> ServerInfo:
        found = await info.context.run(server_info, info.context.graph)
        return ServerInfo(name=found.name, version=found.version, edition=found.edition)
