"""One settings object: environment variables and an optional ``.env`` file.

Without ``NEO4J_URI`` verbund starts and uses its own local Neo4j (state in ``.verbund/``);
with it, verbund uses that server (a user's own server, a cluster or Aura) and starts nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.capacity import DEFAULT_MAX_AGE_DAYS
from graph.connection import (
    DEFAULT_ANALYSIS_CACHE_ENTRIES,
    DEFAULT_ANALYSIS_CACHE_SECONDS,
    DEFAULT_ANALYSIS_TIMEOUT,
    DEFAULT_QUERY_TIMEOUT,
)
from graph.overdue import DEFAULT_ANSWER_DAYS
from loaders.streaming import PART_SIZE, STREAM_BYTES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    neo4j_uri: str | None = Field(default=None, description="bolt:// or neo4j(+s):// URI")
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"

    state_dir: Path = Field(
        default=PROJECT_ROOT / ".verbund",
        validation_alias="VERBUND_STATE_DIR",
        description="Local Neo4j data, logs, password and port",
    )
    neo4j_heap: str = Field(default="1g", validation_alias="VERBUND_NEO4J_HEAP")
    neo4j_pagecache: str = Field(default="512m", validation_alias="VERBUND_NEO4J_PAGECACHE")
    neo4j_start_timeout: float = Field(
        default=120.0, validation_alias="VERBUND_NEO4J_START_TIMEOUT"
    )

    # Access and data protection (README: "Zugriff und Datenschutz").
    oidc_issuer: str | None = Field(default=None, validation_alias="VERBUND_OIDC_ISSUER")
    oidc_audience: str | None = Field(default=None, validation_alias="VERBUND_OIDC_AUDIENCE")
    oidc_jwks: str | None = Field(
        default=None,
        validation_alias="VERBUND_OIDC_JWKS",
        description="JWKS of the identity provider: a file path or an https:// URL",
    )
    api_token_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        validation_alias="VERBUND_API_TOKEN_CACHE_SECONDS",
        description="A verified API token is trusted this long without a database read; "
        "a revocation reaches a running server within this time (0: off)",
    )
    oidc_jwks_timeout_seconds: float = Field(
        default=5.0, gt=0, validation_alias="VERBUND_OIDC_JWKS_TIMEOUT"
    )
    oidc_jwks_cache_seconds: float = Field(
        default=300.0, ge=0, validation_alias="VERBUND_OIDC_JWKS_CACHE"
    )
    oidc_jwks_min_refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        validation_alias="VERBUND_OIDC_JWKS_MIN_REFRESH",
        description="At most one JWKS fetch per this many seconds (unknown key ids, failures)",
    )
    oidc_role_claim: str = Field(
        default="realm_access.roles", validation_alias="VERBUND_OIDC_ROLE_CLAIM"
    )
    oidc_role_prefix: str = Field(default="verbund-", validation_alias="VERBUND_OIDC_ROLE_PREFIX")
    oidc_organization_claim: str = Field(
        default="organization", validation_alias="VERBUND_OIDC_ORGANIZATION_CLAIM"
    )
    oidc_subject_claim: str = Field(
        default="preferred_username", validation_alias="VERBUND_OIDC_SUBJECT_CLAIM"
    )
    oidc_algorithms: str = Field(default="RS256,ES256", validation_alias="VERBUND_OIDC_ALGORITHMS")
    oidc_leeway_seconds: int = Field(default=30, validation_alias="VERBUND_OIDC_LEEWAY")
    # Web sign-in with OpenID Connect (authorization code + PKCE, api/web/oidc.py): on when
    # VERBUND_OIDC_ISSUER and VERBUND_OIDC_CLIENT_ID are set; endpoints come from discovery.
    oidc_client_id: str | None = Field(default=None, validation_alias="VERBUND_OIDC_CLIENT_ID")
    oidc_client_secret: SecretStr | None = Field(
        default=None,
        validation_alias="VERBUND_OIDC_CLIENT_SECRET",
        description="Confidential client (client_secret_basic); unset: public client, PKCE alone",
    )
    oidc_redirect_url: str | None = Field(
        default=None,
        validation_alias="VERBUND_OIDC_REDIRECT_URL",
        description="The registered …/anmelden/oidc/rueckkehr; unset: built from the request",
    )
    oidc_scopes: str = Field(default="openid profile", validation_alias="VERBUND_OIDC_SCOPES")
    oidc_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        validation_alias="VERBUND_OIDC_TIMEOUT",
        description="Per call to the provider (discovery, token endpoint, keys of the web login)",
    )
    pseudonym_secret: SecretStr | None = Field(
        default=None, validation_alias="VERBUND_PSEUDONYM_SECRET"
    )
    retention_months: int = Field(default=24, ge=1, validation_alias="VERBUND_RETENTION_MONTHS")
    referral_answer_days: int = Field(
        default=DEFAULT_ANSWER_DAYS,
        ge=1,
        validation_alias="VERBUND_REFERRAL_ANSWER_DAYS",
        description="Days a receiving Träger has to answer a new referral before it is overdue",
    )
    capacity_max_age_days: int = Field(
        default=DEFAULT_MAX_AGE_DAYS,
        ge=1,
        validation_alias="VERBUND_CAPACITY_MAX_AGE_DAYS",
        description="Days after the last check (assured date) after which a service's "
        "occupancy counts as unknown",
    )
    audit_retention_months: int = Field(
        default=24,
        ge=1,
        validation_alias="VERBUND_AUDIT_RETENTION_MONTHS",
        description="How long audit entries are kept (deleted by `verbund retention apply`)",
    )
    idempotency_hours: int = Field(
        default=24,  # graph.idempotency.DEFAULT_HOURS
        ge=1,
        validation_alias="VERBUND_IDEMPOTENCY_HOURS",
        description="How long an Idempotency-Key keeps a mutation's answer for retries",
    )
    import_stream_bytes: int = Field(
        default=STREAM_BYTES,
        ge=0,
        validation_alias="VERBUND_IMPORT_STREAM_BYTES",
        description="From this file size on, an HSDS file (NDJSON or JSON list) is imported "
        "in parts, memory flat in the file size (loaders/stream_import.py)",
    )
    import_part_size: int = Field(
        default=PART_SIZE,
        ge=1,
        validation_alias="VERBUND_IMPORT_PART_SIZE",
        description="Services per part of a streamed HSDS import",
    )
    cors_origins: str = Field(
        default="",
        validation_alias="VERBUND_CORS_ORIGINS",
        description="Comma-separated origins allowed to call the API from a browser",
    )
    max_query_cost: int = Field(
        default=10_000,  # schema.limits.MAX_QUERY_COST (not imported: it loads the schema)
        ge=1,
        validation_alias="VERBUND_MAX_QUERY_COST",
        description="Budget of a GraphQL operation's estimated cost (docs/graphql.md, Grenzen)",
    )
    query_timeout_seconds: float = Field(
        default=DEFAULT_QUERY_TIMEOUT,
        gt=0,
        validation_alias="VERBUND_QUERY_TIMEOUT_SECONDS",
        description="Longest time one reading Neo4j query may run before it is cancelled",
    )
    analysis_timeout_seconds: float = Field(
        default=DEFAULT_ANALYSIS_TIMEOUT,
        gt=0,
        validation_alias="VERBUND_ANALYSIS_TIMEOUT_SECONDS",
        description="Longest time the analyses' snapshot read may run (it reads the whole graph)",
    )
    analysis_cache_seconds: float = Field(
        default=DEFAULT_ANALYSIS_CACHE_SECONDS,
        ge=0,
        validation_alias="VERBUND_ANALYSIS_CACHE_SECONDS",
        description="Longest time an analysis result is reused (0: never); writes through "
        "verbund make the next request recompute at once",
    )
    analysis_precompute: bool = Field(
        default=True,
        validation_alias="VERBUND_ANALYSIS_PRECOMPUTE",
        description="Compute the analyses in the background after the data changed, so the "
        "next planner page finds them ready (graph/analysis/precompute.py); 0: off",
    )
    analysis_cache_entries: int = Field(
        default=DEFAULT_ANALYSIS_CACHE_ENTRIES,
        ge=0,
        validation_alias="VERBUND_ANALYSIS_CACHE_ENTRIES",
        description="Analysis results kept per worker process (0: none)",
    )
    analysis_processes: int = Field(
        default=1,
        ge=0,
        validation_alias="VERBUND_ANALYSIS_PROCESSES",
        description="Worker processes computing the analyses of several Gebiete side by side "
        "(1: none; 0: one per core); only for idle cores and from 5,000 Träger",
    )
    # Backpressure (api/backpressure.py, docs/operations.md "Worker bemessen").
    neo4j_pool_size: int = Field(
        # Measured (bench/overload.py): on 2 cores 4 requests at work answer faster and
        # serve more than 8; 4 at work with 2 connections each make 8.
        default=8,
        ge=2,
        validation_alias="VERBUND_NEO4J_POOL_SIZE",
        description="Neo4j connections of one server process (the driver's pool)",
    )
    max_concurrent: int | None = Field(
        default=None,
        ge=1,
        validation_alias="VERBUND_MAX_CONCURRENT",
        description="Requests at work at once per process; unset: half the pool (a request "
        "may hold two connections at once, e.g. its read and its audit entry)",
    )
    max_queue: int | None = Field(
        default=None,
        ge=0,
        validation_alias="VERBUND_MAX_QUEUE",
        description="Requests waiting for a slot; beyond: 503 with Retry-After. Unset: as "
        "many as VERBUND_MAX_CONCURRENT",
    )
    max_queue_wait_seconds: float = Field(
        default=1.0,
        gt=0,
        validation_alias="VERBUND_MAX_QUEUE_WAIT",
        description="Longest wait for a slot; then 503 with Retry-After",
    )
    hsds_api: Literal["public", "token", "off"] = Field(
        default="token",
        validation_alias="VERBUND_HSDS_API",
        description="Open Referral API under /hsds: public, token (like /graphql) or off",
    )
    max_request_bytes: int = Field(
        default=1_000_000, ge=1024, validation_alias="VERBUND_MAX_REQUEST_BYTES"
    )
    max_upload_bytes: int = Field(
        default=20_000_000,
        ge=1024,
        validation_alias="VERBUND_MAX_UPLOAD_BYTES",
        description="Largest upload of the import page (/import); other requests: "
        "VERBUND_MAX_REQUEST_BYTES",
    )
    auth_failure_limit: int = Field(default=10, ge=1, validation_alias="VERBUND_AUTH_FAILURE_LIMIT")
    auth_failure_window_seconds: float = Field(
        default=60.0, validation_alias="VERBUND_AUTH_FAILURE_WINDOW"
    )
    trusted_proxies: str = Field(
        default="",
        validation_alias="VERBUND_TRUSTED_PROXIES",
        description="Comma-separated addresses/CIDRs of reverse proxies whose X-Forwarded-For "
        "is believed; empty: the socket peer is the client address",
    )

    # Web pages (api/web): sessions and the demo logins.
    session_secret: SecretStr | None = Field(
        default=None,
        validation_alias="VERBUND_SESSION_SECRET",
        description="Key that signs the session cookie; unset: generated once into state_dir",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, validation_alias="VERBUND_SESSION_IDLE_MINUTES"
    )
    session_absolute_hours: int = Field(
        default=10, ge=1, validation_alias="VERBUND_SESSION_ABSOLUTE_HOURS"
    )
    map_tile_url: str | None = Field(
        default=None,
        validation_alias="VERBUND_MAP_TILE_URL",
        description="Optional background tiles for the planner's map ({z}/{x}/{y}); the "
        "Content-Security-Policy allows only this server's own address",
    )
    demo_logins: bool | None = Field(
        default=None,
        validation_alias="VERBUND_DEMO_LOGINS",
        description="Demo logins on (1) or off (0); unset: on while the demo data is loaded",
    )

    @property
    def concurrency(self) -> tuple[int, int]:
        """(requests at work, requests waiting) of one process."""
        running = self.max_concurrent or max(1, self.neo4j_pool_size // 2)
        waiting = running if self.max_queue is None else self.max_queue
        return running, waiting

    @property
    def uses_local_server(self) -> bool:
        return not self.neo4j_uri


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
