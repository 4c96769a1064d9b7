"""One settings object: environment variables and an optional ``.env`` file.

Without ``NEO4J_URI`` verbund starts and uses its own local Neo4j (state in ``.verbund/``);
with it, verbund uses that server (a user's own server, a cluster or Aura) and starts nothing.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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

    @property
    def uses_local_server(self) -> bool:
        return not self.neo4j_uri


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
