"""Who is asking: the authenticated caller of a request (Benutzerin/Benutzer oder Skript).

The starlette middleware in ``api/auth`` turns credentials into a ``Principal``; everything
below it (the policies in ``schema/policy.py``) decides only from this value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal["admin", "coordinator", "caseworker", "partner", "planner"]
ROLES: tuple[Role, ...] = get_args(Role)

AuthMethod = Literal["anonymous", "token", "oidc", "demo", "system"]

# Roles whose every access is bound to one organization (Träger).
ORGANIZATION_ROLES: frozenset[Role] = frozenset({"caseworker", "partner"})

ROLE_NAMES: dict[Role, str] = {
    "admin": "Administration",
    "coordinator": "Netzwerkkoordination",
    "caseworker": "Fallmanagement",
    "partner": "Partner (aufnehmender Träger)",
    "planner": "Sozialplanung",
}


class AccessDenied(Exception):
    """The caller may not do this (code FORBIDDEN; never says whether a record exists)."""

    code = "FORBIDDEN"

    def __init__(self, message: str = "Zugriff nicht erlaubt.") -> None:
        super().__init__(message)


class Unauthenticated(AccessDenied):
    code = "UNAUTHENTICATED"

    def __init__(self, message: str = "Anmeldung erforderlich.") -> None:
        super().__init__(message)


class InvalidPrincipal(ValueError):
    """A principal that cannot exist (unknown role, organization role without organization)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a subject (user or token), one role, the organization it acts for."""

    subject: str
    role: Role | None
    organization_id: str | None = None
    auth_method: AuthMethod = "anonymous"

    def __post_init__(self) -> None:
        if self.role is not None and self.role not in ROLES:
            raise InvalidPrincipal(f"Unbekannte Rolle: {self.role!r}")
        if self.role in ORGANIZATION_ROLES and not self.organization_id:
            raise InvalidPrincipal(f"Die Rolle {self.role} braucht eine Organisation")

    @property
    def authenticated(self) -> bool:
        return self.role is not None

    def label(self) -> str:
        """How the audit trail names the caller."""
        org = f"@{self.organization_id}" if self.organization_id else ""
        return f"{self.auth_method}:{self.subject}{org}"


ANONYMOUS = Principal(subject="anonymous", role=None)

# For command-line and loader work that runs with the operator's own rights.
SYSTEM = Principal(subject="system", role="admin", auth_method="system")


def parse_role(value: str) -> Role:
    """A role from user input (CLI, token claims), or InvalidPrincipal."""
    for role in ROLES:
        if role == value:
            return role
    raise InvalidPrincipal(f"Unbekannte Rolle: {value!r} (erlaubt: {', '.join(ROLES)})")
