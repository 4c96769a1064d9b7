"""Per-request state of the access policies: the caller's visibility and what to audit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from graph.scope import Visibility


@dataclass
class RequestAccess:
    """Filled by ``schema/policy.py`` while a request resolves; flushed once at its end."""

    visibility: Visibility | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Root fields the request ran, with the purpose their policy declares (None: none).
    operations: dict[str, str | None] = field(default_factory=dict)
    # "Label:id" of every household-level record read or written.
    records: set[str] = field(default_factory=set)
    wrote: bool = False
    # Whether a write committed its entry in its own transaction (graph/audit_unit.py), and
    # which records such entries named: the request's end records only the rest.
    write_audited: bool = False
    audited: set[str] = field(default_factory=set)
    # Refused (wrong role, not the caller's case, no consent, purpose not covered, a write
    # a rule refused): "Label:id" of the records, or "field:Type.field" when the whole field
    # was refused. Audited as "denied", with ``reasons``.
    denied: set[str] = field(default_factory=set)
    # Why, as "CODE (field): Erklärung", one per distinct refusal.
    reasons: set[str] = field(default_factory=set)
    # Purposes of the consents under which a partner read (audited when none was declared).
    consent_purposes: set[str] = field(default_factory=set)
    # Whether the declared purpose is covered by any visible consent (cached per request).
    purpose_covered: bool | None = None

    def refuse(self, what: str, reason: str) -> None:
        """Note a refused access (a record ``Label:id`` or ``field:Type.field``) and why."""
        self.denied.add(what)
        self.reasons.add(reason)
