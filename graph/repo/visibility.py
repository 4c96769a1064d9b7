"""The organization scope of household-level reads, as Cypher conditions.

Mirrors graph/scope.py, which the access policies in schema/policy.py use to check single
records: applying the same conditions in every list, page, count and include keeps them
consistent with what the policies let through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, LiteralString

from graph import clock
from graph.consent_in_force import in_force_where


@dataclass(frozen=True, slots=True)
class OrgScope:
    """Restrict household-level reads to what one organization may see.

    ``referring`` (caseworkers): its own cases (households it recorded, ``CASE_OF``) and the
    households it referred, their needs and consents, and its own referrals. ``receiving``
    (partners): referrals to its services under a consent in force that names it, with their
    households, needs and consents.
    """

    organization_id: str
    side: Literal["referring", "receiving"]


def scope_for(role: str | None, organization_id: str | None) -> OrgScope | None:
    """The scope of a role (mirrors graph/scope.py, which the access policies use)."""
    if organization_id and role == "caseworker":
        return OrgScope(organization_id, "referring")
    if organization_id and role == "partner":
        return OrgScope(organization_id, "receiving")
    return None


_IN_FORCE = in_force_where("sc")
# A referral the receiving organization may see (r bound): to its service, under a consent
# in force that names it.
_RECEIVED: LiteralString = (
    "EXISTS { MATCH (r)-[:TO_SERVICE]->(:Service)<-[:PROVIDES]-(so:Organization {id: $scope}) "
    "MATCH (r)-[:UNDER_CONSENT]->(sc:Consent)-[:GRANTS_TO]->(so) "
    "WHERE " + _IN_FORCE + " }"
)
_SENT: LiteralString = "EXISTS { MATCH (r)-[:FROM_ORGANIZATION]->(:Organization {id: $scope}) }"
# A household (hh bound) that is a case of the referring organization: one it recorded, or one
# it referred.
_OWN_CASE: LiteralString = (
    "(EXISTS { MATCH (hh)-[:CASE_OF]->(:Organization {id: $scope}) } "
    "OR EXISTS { MATCH (hh)<-[:FOR_HOUSEHOLD]-(r:Referral) WHERE " + _SENT + " })"
)

# The same conditions with the node itself bound as ``n``: a pattern anchored on ``n`` is
# expanded from it, where ``MATCH (r:Referral) WHERE r = n`` would scan every referral for
# each row (quadratic lists, issue #14).
_SENT_N: LiteralString = "EXISTS { MATCH (n)-[:FROM_ORGANIZATION]->(:Organization {id: $scope}) }"
_RECEIVED_N: LiteralString = (
    "EXISTS { MATCH (n)-[:TO_SERVICE]->(:Service)<-[:PROVIDES]-(so:Organization {id: $scope}) "
    "MATCH (n)-[:UNDER_CONSENT]->(sc:Consent)-[:GRANTS_TO]->(so) "
    "WHERE " + _IN_FORCE + " }"
)
_OWN_CASE_N: LiteralString = (
    "(EXISTS { MATCH (n)-[:CASE_OF]->(:Organization {id: $scope}) } "
    "OR EXISTS { MATCH (n)<-[:FOR_HOUSEHOLD]-(r:Referral) WHERE " + _SENT + " })"
)

# The scope condition on ``n`` for each household-level label, per side.
_VISIBLE: dict[tuple[str, str], LiteralString] = {
    ("referring", "Household"): _OWN_CASE_N,
    ("referring", "Need"): (
        "EXISTS { MATCH (n)<-[:HAS_NEED]-(hh:Household) WHERE " + _OWN_CASE + " }"
    ),
    ("referring", "Consent"): (
        "EXISTS { MATCH (n)-[:GIVEN_BY]->(hh:Household) WHERE " + _OWN_CASE + " }"
    ),
    ("referring", "Referral"): _SENT_N,
    ("receiving", "Household"): (
        "EXISTS { MATCH (n)<-[:FOR_HOUSEHOLD]-(r:Referral) WHERE " + _RECEIVED + " }"
    ),
    ("receiving", "Need"): "EXISTS { MATCH (n)<-[:FOR_NEED]-(r:Referral) WHERE " + _RECEIVED + " }",
    ("receiving", "Consent"): (
        "EXISTS { MATCH (n)<-[:UNDER_CONSENT]-(r:Referral) WHERE " + _RECEIVED + " }"
    ),
    ("receiving", "Referral"): _RECEIVED_N,
}


@dataclass(frozen=True, slots=True)
class Source:
    """Where a scoped list starts: ``pattern`` binds ``n`` (and ``so``, the scope's
    organization) by walking from the organization, so the list costs that organization's
    records and not every record of the label (issue #14). ``pattern`` plus ``condition``
    (if any) is exactly ``visible(scope, label)``."""

    pattern: LiteralString
    condition: LiteralString | None = None


_SOURCE: dict[tuple[str, str], Source] = {
    ("referring", "Referral"): Source(
        "(so:Organization {id: $scope})<-[:FROM_ORGANIZATION]-(n:Referral)"
    ),
    ("receiving", "Referral"): Source(
        "(so:Organization {id: $scope})-[:PROVIDES]->(:Service)<-[:TO_SERVICE]-(n:Referral)",
        "EXISTS { MATCH (n)-[:UNDER_CONSENT]->(sc:Consent)-[:GRANTS_TO]->(so) "
        "WHERE " + _IN_FORCE + " }",
    ),
}


def source(scope: OrgScope, label: str) -> Source | None:
    """Where a scoped list of ``label`` starts, if it has such a pattern."""
    return _SOURCE.get((scope.side, label))


def visible(scope: OrgScope, label: str) -> LiteralString:
    """The condition on ``n`` under which the scope may see a node of ``label``."""
    return _VISIBLE[(scope.side, label)]


def scope_params(scope: OrgScope | None) -> dict[str, Any]:
    return {"scope": scope.organization_id, "today": clock.today()} if scope else {}
