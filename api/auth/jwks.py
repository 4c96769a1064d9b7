"""The identity provider's signing keys, fetched from its JWKS URL and cached.

Keys are kept for ``cache_seconds``. A token signed with a key id the cache does not know
(the provider rotated its keys) triggers one refetch, but never more often than every
``min_refresh_seconds``: random key ids cannot turn verbund into a load generator against the
provider. When the provider cannot be reached, keys already known stay in use; without any,
requests are refused with ``KeysUnavailable`` (HTTP 503 ``OIDC_KEYS_UNAVAILABLE``), and the next
attempt waits for the same minimum interval.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from jwt import PyJWK, PyJWKSet
from jwt.exceptions import PyJWKSetError

from api.auth.errors import AuthError, KeysUnavailable

log = logging.getLogger("verbund.auth")

MAX_JWKS_BYTES = 1_000_000


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, setting: str = "VERBUND_OIDC_JWKS") -> None:
    """A provider URL must be https (plain http only to this machine, e.g. a sidecar or a test)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and _loopback(parts.hostname):
        return
    raise ValueError(f"{setting} muss eine https-URL sein: {url}")


class JwksCache:
    """Signing keys by key id, from one JWKS URL (thread-safe; ``verify`` runs in threads)."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 5.0,
        cache_seconds: float = 300.0,
        min_refresh_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_url(url)
        self.url = url
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.clock = clock
        self.fetches = 0
        self._keys: dict[str | None, PyJWK] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last attempt, successful or not
        self._lock = threading.Lock()

    def key(self, kid: str | None) -> Any:
        """The verification key for a token's ``kid``; AuthError if the provider has none."""
        with self._lock:
            now = self.clock()
            expired = self._fetched_at is None or now - self._fetched_at > self.cache_seconds
            unknown = self._find(kid) is None
            if (expired or unknown) and self._may_fetch(now):
                self._fetch(now)
            found = self._find(kid)
            if found is not None:
                return found.key
            if self._fetched_at is None:
                raise KeysUnavailable("Schlüssel des Identitätsanbieters nicht erreichbar")
            raise AuthError(f"unbekannte Schlüssel-ID {kid!r}")

    def _find(self, kid: str | None) -> PyJWK | None:
        if kid is None:
            # Without a kid only an unambiguous key set can be used.
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _may_fetch(self, now: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= self.min_refresh_seconds

    def _fetch(self, now: float) -> None:
        self._attempted_at = now
        self.fetches += 1
        try:
            data = self._download()
            keys = PyJWKSet.from_dict(data).keys
        except (OSError, ValueError, PyJWKSetError) as exc:
            # urllib's URLError and timeouts are OSErrors; bad JSON is a ValueError.
            log.warning("JWKS von %s nicht geladen: %s", self.url, exc)
            return
        # Keycloak also publishes encryption keys (use "enc"): never a signature key.
        self._keys = {k.key_id: k for k in keys if k.public_key_use in (None, "sig")}
        self._fetched_at = now
        log.info("JWKS geladen: %d Schlüssel von %s", len(self._keys), self.url)

    def _download(self) -> dict[str, Any]:
        # check_url allows only https and loopback http: no file:// or other schemes.
        request = urllib.request.Request(  # noqa: S310
            self.url, headers={"Accept": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            body = response.read(MAX_JWKS_BYTES + 1)
        if len(body) > MAX_JWKS_BYTES:
            raise ValueError("JWKS zu groß")
        data = json.loads(body)
        if not isinstance(data, dict):
            raise ValueError("JWKS ist kein JSON-Objekt")
        return data
