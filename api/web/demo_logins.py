"""The four demo logins (password ``demo``): only while the synthetic demo is loaded or
``VERBUND_DEMO_LOGINS=1``; ``VERBUND_DEMO_LOGINS=0`` switches them off for good.

They exist so a newcomer can try every role after ``make run`` without an identity provider.
Production signs in through OpenID Connect (``api/web/oidc.py``).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass

from api.settings import Settings
from graph import Graph
from graph.admin import has_source
from schema.principal import Principal, Role

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented password of the synthetic demo
DEMO_SOURCE = "demo"  # loaders/demo writes its records with this source


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    role: Role
    organization_id: str | None
    display_name: str
    description: str


DEMO_USERS: dict[str, DemoUser] = {
    u.username: u
    for u in (
        DemoUser(
            "fallmanagement",
            "caseworker",
            "jobcenter-stuttgart",
            "Fallmanagement (Jobcenter Stuttgart)",
            "sucht Angebote und leitet Familien über",
        ),
        DemoUser(
            "traeger",
            "partner",
            "caritas-stuttgart",
            "Caritasverband für Stuttgart e.V.",
            "beantwortet Überleitungen an seine Angebote",
        ),
        DemoUser(
            "koordination",
            "coordinator",
            None,
            "Netzwerkkoordination",
            "pflegt Träger, Angebote und Vereinbarungen",
        ),
        DemoUser(
            "planung",
            "planner",
            None,
            "Sozialplanung",
            "sieht Versorgungslücken und Doppelstrukturen (nur Summen)",
        ),
    )
}

_CACHE_SECONDS = 60.0


class DemoLogins:
    """Decides whether demo logins are on; asks the database at most once a minute."""

    def __init__(self, settings: Settings) -> None:
        self.setting = settings.demo_logins
        self._known: tuple[float, bool] | None = None

    def enabled(self, graph: Graph) -> bool:
        if self.setting is not None:
            return self.setting
        now = time.monotonic()
        if self._known is None or now - self._known[0] > _CACHE_SECONDS:
            self._known = (now, has_source(graph, DEMO_SOURCE))
        return self._known[1]

    @staticmethod
    def check(username: str, password: str) -> DemoUser | None:
        """The demo user for these credentials, or None (compared in constant time)."""
        user = DEMO_USERS.get(username.strip().lower())
        ok = hmac.compare_digest(password.encode("utf-8"), DEMO_PASSWORD.encode("utf-8"))
        return user if user is not None and ok else None

    @staticmethod
    def principal(user: DemoUser) -> Principal:
        return Principal(
            subject=f"demo:{user.username}",
            role=user.role,
            organization_id=user.organization_id,
            auth_method="demo",
        )
