"""The starlette application: /graphql (with an offline GraphiQL), /health and the web pages."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from api.auth.client_address import TrustedProxies
from api.auth.middleware import PRINCIPAL_SCOPE_KEY, AuthMiddleware, FailureLimiter
from api.backpressure import Backpressure
from api.graphql_post import JsonPost, log_faults, set_fault_status
from api.heap import settle_heap
from api.hsds_api import hsds_routes
from api.localneo4j import resolve_config
from api.security import BodySizeLimit, SecurityHeaders
from api.settings import Settings, get_settings
from api.web.demo_logins import DemoLogins
from api.web.errors import HANDLERS
from api.web.graphiql import GraphiQLPage
from api.web.oidc import OidcLogin
from api.web.pages.imports import UPLOAD_PATH
from api.web.routes import web_middleware, web_routes
from graph import Graph, GraphError
from graph.admin import server_info
from graph.analysis.config import served_config
from graph.analysis.precompute import Precompute
from graph.loop_reads import LoopReads
from schema import Context, schema
from schema.idempotency import HEADER as IDEMPOTENCY_HEADER
from schema.idempotency import execute_once
from schema.messages import http_reason
from schema.principal import ANONYMOUS, Principal

log = logging.getLogger("verbund.api")


def context_settings(settings: Settings) -> dict[str, Any]:
    """What the schema's Context takes from the settings (for every in-process caller too:
    ``Context(graph, principal=..., **context_settings(settings))``)."""
    secret = settings.pseudonym_secret
    return {
        "referral_answer_days": settings.referral_answer_days,
        "max_query_cost": settings.max_query_cost,
        "idempotency_hours": settings.idempotency_hours,
        "pseudonym_secret": secret.get_secret_value() if secret else None,
        "capacity_max_age_days": settings.capacity_max_age_days,
    }


class RequestContext:
    """The schema's Context of one HTTP request, for strawberry's view and the JSON POST path
    (api/graphql_post.py) alike."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __call__(self, request: Request, response: Response) -> Context:
        return Context(
            graph=_graph(request),
            request=request,
            response=response,
            principal=principal_of(request),
            **self._values,
        )


class VerbundGraphQL(GraphQL[Context, None]):
    def __init__(self, context_of: RequestContext) -> None:
        # The IDE page is ours (api/web/graphiql.py, vendored assets), not strawberry's CDN one.
        super().__init__(schema, graphql_ide=None)
        self._context_of = context_of

    async def run(self, *args: Any, **kwargs: Any) -> Any:
        """strawberry's own refusals (HTTP 400/405) with German reasons (schema/messages.py)."""
        try:
            return await super().run(*args, **kwargs)
        except HTTPException as exc:
            raise HTTPException(exc.status_code, http_reason(exc.reason)) from exc

    def encode_json(self, data: object) -> bytes:
        """orjson: the answer's encoding was a visible share of a small request's cost."""
        return orjson.dumps(data)

    def parse_json(self, data: str | bytes) -> Any:
        """Only a JSON object is a GraphQL request; anything else is the client's error (400)."""
        parsed = super().parse_json(data)
        if not isinstance(parsed, dict):
            raise HTTPException(400, "Die Anfrage muss ein JSON-Objekt sein.")
        name = parsed.get("operationName")
        if name is not None and not isinstance(name, str):
            raise HTTPException(400, "`operationName` muss eine Zeichenkette sein.")
        return parsed

    async def process_result(self, request: Request, result: Any) -> GraphQLHTTPResponse:
        """One log line per graph fault in the answer (api/faults.py)."""
        log_faults(request.scope, result)
        return await super().process_result(request, result)

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """A graph fault sets the HTTP status too (503, 507, 409, 422; api/faults.py)."""
        set_fault_status(response_data, sub_response)
        return super().create_response(response_data, sub_response)

    async def execute_single(self, **kwargs: Any) -> Any:  # type: ignore[override]
        """A mutation with an ``Idempotency-Key`` header (or an input's ``clientMutationId``)
        runs once per key (schema/idempotency.py)."""
        data = kwargs["request_data"]
        return await execute_once(
            kwargs["context"],
            kwargs["request"].headers.get(IDEMPOTENCY_HEADER),
            data.query or "",
            data.variables,
            data.operation_name,
            lambda: super(VerbundGraphQL, self).execute_single(**kwargs),
        )

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        return self._context_of(request, response)


def principal_of(request: Request) -> Principal:
    """The caller, as the authentication middleware put it into the ASGI scope."""
    found = request.scope.get(PRINCIPAL_SCOPE_KEY)
    return found if isinstance(found, Principal) else ANONYMOUS


def _graph(request: Request) -> Graph:
    graph: Graph = request.app.state.graph
    return graph


async def health(request: Request) -> JSONResponse:
    from anyio.to_thread import run_sync

    graph = _graph(request)
    # Without credentials /health says only whether the service is up, nothing about it.
    detailed = principal_of(request).authenticated
    try:
        info = await run_sync(server_info, graph)
    except GraphError as exc:
        if not detailed:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse(
            {
                "status": "unavailable",
                "neo4j": {"reachable": False, "code": exc.code, "message": str(exc)},
            },
            status_code=503,
        )
    if not detailed:
        return JSONResponse({"status": "ok"})
    return JSONResponse(
        {
            "status": "ok",
            "neo4j": {"reachable": True, "version": info.version, "edition": info.edition},
        }
    )


def create_app(
    settings: Settings | None = None,
    graph: Graph | None = None,
    *,
    tune_gc: bool = False,
    precompute: bool = False,
) -> Starlette:
    """Build the app; the graph handle (one driver per process) lives for the app's lifetime.

    ``tune_gc``: the served process tunes the garbage collector after start-up (api/heap.py);
    tests build many apps in one process and leave it alone. ``precompute``: the served
    process keeps the analyses warm (graph/analysis/precompute.py) unless the setting
    ``VERBUND_ANALYSIS_PRECOMPUTE`` is off; tests turn it on where they test it."""
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = graph is None
        if graph is None:
            # The pool bounds the backpressure below (api/backpressure.py).
            config = resolve_config(settings)
            app.state.graph = Graph(dataclasses.replace(config, pool_size=settings.neo4j_pool_size))
        else:
            app.state.graph = graph
        # The compiled reads' statement on this loop (graph/loop_reads.py). A graph handed in
        # by a test may serve several apps at once: the newest app's loop reads are used, the
        # others' requests take the worker thread until it ends and gives theirs back.
        previous = app.state.graph.loop_reads
        reads = app.state.graph.loop_reads = LoopReads(app.state.graph)
        if tune_gc:
            settle_heap()
        app.state.precompute = None
        if precompute and settings.analysis_precompute:
            app.state.precompute = Precompute(
                app.state.graph, served_config(settings.capacity_max_age_days)
            )
            app.state.precompute.start()
        try:
            yield
        finally:
            if app.state.precompute is not None:
                app.state.precompute.stop()
            if app.state.graph.loop_reads is reads:
                app.state.graph.loop_reads = previous
            await reads.close()
            if own:
                app.state.graph.close()

    values = context_settings(settings)
    context_of = RequestContext(values)
    graphql = VerbundGraphQL(context_of)
    # API clients' JSON POSTs are answered without strawberry's view (api/graphql_post.py);
    # browsers asking for a page get the offline GraphiQL; everything else is the view's.
    endpoint = JsonPost(GraphiQLPage(graphql), context_of)
    app = Starlette(
        routes=[
            Route("/health", health),
            Route("/graphql", endpoint, methods=["GET", "POST"]),
            *hsds_routes(settings),
            *web_routes(),
        ],
        middleware=middleware(settings),
        exception_handlers=HANDLERS,
        lifespan=lifespan,
    )
    app.state.settings = settings
    # The pages ask the schema in process (api/web/data.py) with the same Context settings.
    app.state.context_settings = values
    app.state.demo_logins = DemoLogins(settings)
    app.state.login_limiter = FailureLimiter(
        settings.auth_failure_limit, settings.auth_failure_window_seconds
    )
    # Who the client is for the login limits (X-Forwarded-For only from these proxies);
    # parsed here so a mistyped VERBUND_TRUSTED_PROXIES stops the start.
    app.state.trusted_proxies = TrustedProxies.parse(settings.trusted_proxies)
    # Web sign-in with the Dienstkonto: on when VERBUND_OIDC_ISSUER and _CLIENT_ID are set.
    app.state.oidc_login = OidcLogin.from_settings(settings)
    return app


def middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: headers on every answer, request id and session, backpressure (its
    503 page needs both), then size, CORS, authentication (which may ask the graph)."""
    running, waiting = settings.concurrency
    stack = [
        Middleware(SecurityHeaders),
        *web_middleware(settings),
        Middleware(
            Backpressure,
            max_concurrent=running,
            max_queue=waiting,
            max_wait=settings.max_queue_wait_seconds,
        ),
        Middleware(
            BodySizeLimit,
            limit=settings.max_request_bytes,
            larger={UPLOAD_PATH: settings.max_upload_bytes},
        ),
    ]
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    if origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=origins,
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "X-Verbund-Zweck",
                    IDEMPOTENCY_HEADER,
                ],
                max_age=600,
            )
        )
    stack.append(Middleware(AuthMiddleware, settings=settings))
    return stack


def create_served_app() -> Starlette:
    """The app as ``verbund serve`` runs it (uvicorn's factory)."""
    return create_app(tune_gc=True, precompute=True)
