"""The HTTP floor of bench/peer.py: a bare starlette endpoint that runs a hand-written statement.

Served by the same uvicorn as verbund, it answers ``POST /floor/<case>`` with the rows of that
case's Cypher (``bench/peer_cases.py``) as JSON: the same HTTP stack, one statement, no
GraphQL, no authentication. verbund's ratio to it is what GraphQL and the policies cost.

    uvicorn bench.peer_floor:create_floor_app --factory
"""

from __future__ import annotations

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.localneo4j import ensure_started
from api.settings import get_settings
from bench.peer_cases import cases
from graph import Graph


def create_floor_app() -> Starlette:
    graph = Graph(ensure_started(get_settings()))
    by_name = {case.key: case for case in cases(graph)}

    async def floor(request: Request) -> Response:
        case = by_name[request.path_params["key"]]
        # In a worker thread, as verbund runs its driver calls: the loop stays free.
        rows = await run_in_threadpool(graph.rows, case.cypher, case.params)
        return Response(orjson.dumps({"data": rows}), media_type="application/json")

    return Starlette(routes=[Route("/floor/{key}", floor, methods=["POST"])])
