"""The referral lifecycle (Überleitung): create under a valid consent, then the status steps.

Each step is one statement that takes the referral's write lock, checks the current status
(and, if given, the version) under it, and only then sets the new status and appends the
ReferralEvent (who, when): two concurrent steps cannot both pass from the same status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, LiteralString

import neo4j

from graph.connection import Graph, run
from graph.consent_in_force import in_term
from graph.errors import ConflictError, GraphError
from graph.records import Referral
from graph.repo.nodes import PROJECTIONS, to_stored
from graph.repo.values import Stored
from graph.repo.writes import NotFoundError, StaleVersion

# action -> (statuses it may start from, status it leads to)
# (created -> waitlisted -> accepted -> started -> completed; declined, cancelled and
# not_taken_up end a referral on the way.)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "waitlist": (frozenset({"created"}), "waitlisted"),
    "accept": (frozenset({"created", "waitlisted"}), "accepted"),
    "decline": (frozenset({"created", "waitlisted", "accepted"}), "declined"),
    "start": (frozenset({"accepted"}), "started"),
    "complete": (frozenset({"started"}), "completed"),
    "cancel": (frozenset({"created", "waitlisted", "accepted", "started"}), "cancelled"),
    "not_taken_up": (frozenset({"waitlisted", "accepted", "started"}), "not_taken_up"),
}


class RefusedError(GraphError):
    """The step is not allowed in the referral's (or consent's) present state."""

    code = "NOT_ALLOWED"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class NewReferral:
    id: str
    household_id: str
    from_organization_id: str
    to_service_id: str
    consent_id: str
    purpose: str | None = None  # None: the consent's purpose
    need_id: str | None = None
    note: str = ""


_CHECK = """
OPTIONAL MATCH (h:Household {id: $household})
OPTIONAL MATCH (f:Organization {id: $from})
OPTIONAL MATCH (s:Service {id: $service})
OPTIONAL MATCH (c:Consent {id: $consent})
OPTIONAL MATCH (x:Need {id: $need})
WITH h, f, s, c, x
// Lock the consent: a concurrent revocation waits for this referral, or it wins and we see it.
SET c._lock = true
REMOVE c._lock
RETURN h IS NOT NULL AS household, f IS NOT NULL AS organization, s IS NOT NULL AS service,
       c IS NOT NULL AS consent, x IS NOT NULL AS need,
       s.status AS service_status,
       head([(o:Organization)-[:PROVIDES]->(s) | o.id]) AS receiving,
       EXISTS { (c)-[:GIVEN_BY]->(h) } AS consent_of_household,
       [(c)-[:GRANTS_TO]->(o:Organization) | o.id] AS granted,
       c.purpose AS consent_purpose, c.revoked_at AS revoked_at,
       c.valid_from AS valid_from, c.valid_to AS valid_to,
       EXISTS { (h)-[:HAS_NEED]->(x) } AS need_of_household
"""

_CREATE = (
    """
MATCH (h:Household {id: $household}), (f:Organization {id: $from}), (s:Service {id: $service}),
      (c:Consent {id: $consent})
OPTIONAL MATCH (x:Need {id: $need})
CREATE (r:Referral {id: $id, status: 'created', purpose: coalesce($purpose, c.purpose),
                    created_at: $now, updated_at: $now, version: 1, source: 'api'})
CREATE (r)-[:FOR_HOUSEHOLD]->(h), (r)-[:FROM_ORGANIZATION]->(f), (r)-[:TO_SERVICE]->(s),
       (r)-[:UNDER_CONSENT]->(c)
CREATE (r)-[:HAS_EVENT]->(:ReferralEvent {id: $id + '#0', status: 'created', at: $now, by: $by,
                                          note: $note, created_at: $now, updated_at: $now,
                                          version: 1, source: 'api'})
FOREACH (_ IN CASE WHEN x IS NULL THEN [] ELSE [1] END | CREATE (r)-[:FOR_NEED]->(x))
WITH r MATCH (n:Referral {id: r.id}) RETURN """
    + PROJECTIONS["Referral"]
    + " AS n"
)


def _check_new(row: dict[str, Any], new: NewReferral, today: date) -> None:
    for key, label, ident in (
        ("household", "Household", new.household_id),
        ("organization", "Organization", new.from_organization_id),
        ("service", "Service", new.to_service_id),
        ("consent", "Consent", new.consent_id),
    ):
        if not row[key]:
            raise NotFoundError(label, ident)
    if new.need_id is not None and not (row["need"] and row["need_of_household"]):
        raise NotFoundError("Need", new.need_id)
    if row["service_status"] != "active":
        raise RefusedError("SERVICE_NOT_ACTIVE", "Das Angebot nimmt keine Überleitungen an.")
    if not row["consent_of_household"]:
        raise RefusedError("NO_CONSENT", "Die Einwilligung stammt nicht von diesem Haushalt.")
    if row["revoked_at"] is not None:
        raise RefusedError("CONSENT_REVOKED", "Die Einwilligung wurde widerrufen.")
    valid_from, valid_to = (
        None if row[key] is None else row[key].to_native() for key in ("valid_from", "valid_to")
    )
    if not in_term(valid_from, valid_to, today):
        raise RefusedError("CONSENT_EXPIRED", "Die Einwilligung gilt heute nicht.")
    if row["receiving"] not in row["granted"]:
        raise RefusedError(
            "CONSENT_NOT_FOR_ORGANIZATION",
            "Die Einwilligung nennt den aufnehmenden Träger nicht.",
        )
    if new.purpose is not None and (row["consent_purpose"] or "") != new.purpose:
        raise RefusedError(
            "CONSENT_PURPOSE",
            f"Die Einwilligung gilt für den Zweck „{row['consent_purpose']}“, "
            f"nicht „{new.purpose}“.",
        )


def create_referral(
    graph: Graph, new: NewReferral, *, by: str, now: datetime, today: date
) -> Stored[Referral]:
    """Create a referral in status ``created`` with its first event, if the consent allows."""

    def work(tx: neo4j.ManagedTransaction) -> Stored[Referral]:
        if run(tx, "MATCH (r:Referral {id: $id}) RETURN r.id AS id", id=new.id):
            raise ConflictError(f"Überleitung {new.id!r} existiert bereits.")
        (row,) = run(
            tx,
            _CHECK,
            household=new.household_id,
            **{"from": new.from_organization_id},
            service=new.to_service_id,
            consent=new.consent_id,
            need=new.need_id,
        )
        _check_new(row, new, today)
        (created,) = run(
            tx,
            _CREATE,
            id=new.id,
            household=new.household_id,
            service=new.to_service_id,
            consent=new.consent_id,
            need=new.need_id,
            purpose=new.purpose,
            by=by,
            note=new.note,
            now=now,
            **{"from": new.from_organization_id},
        )
        stored: Stored[Referral] = to_stored("Referral", created["n"])
        return stored

    result: Stored[Referral] = graph.write(work)
    return result


_STEP: LiteralString = (
    """
MATCH (r:Referral {id: $id})
SET r._lock = true
WITH r, r.status AS current, coalesce(r.version, 1) AS version
WITH r, current, version,
     current IN $from AND ($expected IS NULL OR version = $expected) AS ok
CALL (r, ok, version) {
  WITH * WHERE ok
  SET r.status = $to, r.version = version + 1, r.updated_at = $now, r += $extra
  WITH r, COUNT { (r)-[:HAS_EVENT]->(:ReferralEvent) } AS n
  CREATE (r)-[:HAS_EVENT]->(:ReferralEvent {id: r.id + '#' + toString(n), status: $to, at: $now,
                                            by: $by, note: $note, created_at: $now,
                                            updated_at: $now, version: 1, source: 'api'})
}
REMOVE r._lock
WITH r, current, version, ok
MATCH (n:Referral {id: r.id})
RETURN current, version, ok, """
    + PROJECTIONS["Referral"]
    + " AS n"
)


def step(
    graph: Graph,
    referral_id: str,
    action: str,
    *,
    by: str,
    now: datetime,
    note: str = "",
    expected_version: int | None = None,
    extra: dict[str, Any] | None = None,
) -> Stored[Referral]:
    """Move a referral one step (an action of TRANSITIONS)."""
    allowed, target = TRANSITIONS[action]
    rows = graph.query(
        _STEP,
        {
            "id": referral_id,
            "from": sorted(allowed),
            "to": target,
            "expected": expected_version,
            "now": now,
            "by": by,
            "note": note,
            "extra": extra or {},
        },
        write=True,
    )
    if not rows:
        raise NotFoundError("Referral", referral_id)
    row = rows[0]
    if not row["ok"]:
        if row["current"] not in allowed:
            raise RefusedError(
                "INVALID_TRANSITION",
                f"Die Überleitung ist im Status „{row['current']}“; „{action}“ ist nicht möglich.",
            )
        raise StaleVersion("Referral", referral_id, row["version"])
    stored: Stored[Referral] = to_stored("Referral", row["n"])
    return stored
