"""Household-level reads (Bedarfsgemeinschaften, Handlungsbedarfe, Einwilligungen,
Überleitungen): social data, so every read goes through the few functions here, and each
takes an optional organization scope.

The scope (``OrgScope``) mirrors graph/scope.py, which the access policies in
schema/policy.py use to check single records: doing it here as well keeps lists, pages and
their counts consistent with what the policies let through. ``scope=None`` means
unrestricted (administrators, system jobs; other roles are stopped by the policies).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, LiteralString

from graph import overdue
from graph.connection import Graph
from graph.records import Household
from graph.repo import paging, referral_list
from graph.repo.matching import CATEGORY_WANTED, category_params
from graph.repo.nodes import PROJECTIONS, Hop, to_stored
from graph.repo.paging import Anchor, Page, PageArgs
from graph.repo.values import Stored
from graph.repo.visibility import OrgScope, scope_for, scope_params, source, visible

__all__ = ["OrgScope", "scope_for"]


HOPS: dict[str, Hop] = {
    "household.needs": Hop("(x:Household {id: xid})-[:HAS_NEED]->(n:Need)", "Need", "n.id"),
    "household.consents": Hop(
        "(x:Household {id: xid})<-[:GIVEN_BY]-(n:Consent)", "Consent", "n.valid_from, n.id"
    ),
    "household.referrals": Hop(
        "(x:Household {id: xid})<-[:FOR_HOUSEHOLD]-(n:Referral)", "Referral", "n.created_at, n.id"
    ),
    "need.referrals": Hop(
        "(x:Need {id: xid})<-[:FOR_NEED]-(n:Referral)", "Referral", "n.created_at, n.id"
    ),
    "consent.referrals": Hop(
        "(x:Consent {id: xid})<-[:UNDER_CONSENT]-(n:Referral)", "Referral", "n.created_at, n.id"
    ),
    "area.households": Hop("(x:Area {id: xid})<-[:LIVES_IN]-(n:Household)", "Household", "n.id"),
}

HouseholdHop = Literal[
    "household.needs",
    "household.consents",
    "household.referrals",
    "need.referrals",
    "consent.referrals",
    "area.households",
]


def by_ids(
    graph: Graph,
    label: Literal["Household", "Need", "Consent", "Referral"],
    ids: Iterable[str],
    scope: OrgScope | None,
) -> dict[str, Stored[Any]]:
    """Household-level nodes by id; those outside the scope are absent, as if missing."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    where: LiteralString = ("WHERE " + visible(scope, label)) if scope else ""
    cypher = (
        f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) {where} RETURN {PROJECTIONS[label]} AS n"
    )
    rows = graph.query(cypher, {"ids": wanted, **scope_params(scope)})
    return {row["n"]["id"]: to_stored(label, row["n"]) for row in rows}


def related(
    graph: Graph, hop_name: HouseholdHop, ids: Iterable[str], scope: OrgScope | None
) -> dict[str, list[Stored[Any]]]:
    """For each id, the household-level nodes one hop away that the scope may see."""
    hop = HOPS[hop_name]
    wanted = sorted(set(ids))
    found: dict[str, list[Stored[Any]]] = {i: [] for i in wanted}
    if not wanted:
        return found
    where: LiteralString = ("WHERE " + visible(scope, hop.target)) if scope else ""
    cypher = (
        f"UNWIND $ids AS xid MATCH {hop.pattern} {where} "
        f"WITH DISTINCT xid, n ORDER BY {hop.order} "
        f"RETURN xid, collect({PROJECTIONS[hop.target]}) AS items"
    )
    for row in graph.query(cypher, {"ids": wanted, **scope_params(scope)}):
        found[row["xid"]] = [to_stored(hop.target, item) for item in row["items"]]
    return found


REFERRAL_ANCHORS: dict[str, Anchor] = {
    "household": Anchor("(x:Household {id: xid})<-[:FOR_HOUSEHOLD]-(n:Referral)"),
    "service": Anchor("(x:Service {id: xid})<-[:TO_SERVICE]-(n:Referral)"),
    "sent_by": Anchor("(x:Organization {id: xid})<-[:FROM_ORGANIZATION]-(n:Referral)"),
    "received_by": Anchor(
        "(x:Organization {id: xid})-[:PROVIDES]->(:Service)<-[:TO_SERVICE]-(n:Referral)"
    ),
}
ReferralAnchor = Literal["household", "service", "sent_by", "received_by"]
ReferralSort = Literal["created", "updated"]

REFERRAL_SORT_KEYS: dict[str, LiteralString] = {
    "created": "-n.created_at.epochMillis",
    "updated": "-n.updated_at.epochMillis",
}


@dataclass(frozen=True, slots=True)
class ReferralFilter:
    statuses: tuple[str, ...] = ()
    household_id: str | None = None
    service_id: str | None = None
    from_organization_id: str | None = None
    to_organization_id: str | None = None
    category_ids: tuple[str, ...] = ()
    created_from: datetime | None = None
    created_to: datetime | None = None
    # Overdue or not (graph/overdue.py), measured against ``overdue_before`` (its cutoff).
    overdue: bool | None = None
    overdue_before: datetime | None = None


def _referral_query(f: ReferralFilter, scope: OrgScope | None) -> paging.Query:
    q = paging.Query("Referral")
    if scope is not None:
        start = source(scope, "Referral")
        q.source = start.pattern if start is not None else None
        q.conditions.append(visible(scope, "Referral"))
        q.params.update(scope_params(scope))
    if f.statuses:
        q.conditions.append("n.status IN $statuses")
        q.params["statuses"] = list(f.statuses)
    elif f.overdue and f.overdue_before is not None:
        # Only a waiting referral can be overdue (graph/overdue.py): saying so lets the list
        # find them through the status index (graph/repo/referral_list.py).
        q.conditions.append("n.status IN $statuses")
        q.params["statuses"] = [overdue.WAITING_STATUS]
    if f.household_id is not None:
        q.conditions.append("EXISTS { MATCH (n)-[:FOR_HOUSEHOLD]->(:Household {id: $household}) }")
        q.params["household"] = f.household_id
    if f.service_id is not None:
        q.conditions.append("EXISTS { MATCH (n)-[:TO_SERVICE]->(:Service {id: $service}) }")
        q.params["service"] = f.service_id
    if f.from_organization_id is not None:
        q.conditions.append(
            "EXISTS { MATCH (n)-[:FROM_ORGANIZATION]->(:Organization {id: $from_org}) }"
        )
        q.params["from_org"] = f.from_organization_id
    if f.to_organization_id is not None:
        q.conditions.append(
            "EXISTS { MATCH (n)-[:TO_SERVICE]->(:Service)<-[:PROVIDES]-"
            "(:Organization {id: $to_org}) }"
        )
        q.params["to_org"] = f.to_organization_id
    if f.category_ids:
        q.conditions.append(
            "EXISTS { MATCH (n)-[:TO_SERVICE]->(:Service)-[:IN_CATEGORY]->(c:Category) "
            "WHERE " + CATEGORY_WANTED + " }"
        )
        q.params.update(category_params(f.category_ids))
    if f.created_from is not None:
        q.conditions.append("n.created_at >= $created_from")
        q.params["created_from"] = f.created_from
    if f.created_to is not None:
        q.conditions.append("n.created_at < $created_to")
        q.params["created_to"] = f.created_to
    if f.overdue is not None and f.overdue_before is not None:
        q.conditions.append(
            overdue.OVERDUE_CONDITION if f.overdue else "NOT " + overdue.OVERDUE_CONDITION
        )
        q.params.update(overdue.params(f.overdue_before))
    return q


REFERRALS = paging.Listing(REFERRAL_SORT_KEYS, REFERRAL_ANCHORS)


def referral_page(
    graph: Graph,
    a: PageArgs[ReferralFilter, ReferralSort],
    anchor: ReferralAnchor | None = None,
    anchor_ids: Sequence[str] = (),
    *,
    scope: OrgScope | None,
) -> dict[str | None, Page]:
    start = source(scope, "Referral") if scope is not None else None
    if scope is not None and start is not None and anchor is None and a.sort == "created":
        # An organization's own list: from the organization or along the index (issue #14).
        filters = _referral_query(a.filter, None)
        page = referral_list.scoped_page(
            graph,
            start,
            scope,
            filters.conditions,
            filters.params,
            first=a.first,
            after=a.after,
            shape=a.shape,
        )
        return {None: page}
    return REFERRALS.pages(graph, _referral_query(a.filter, scope), a, anchor, anchor_ids, scope)


def referral_count(
    graph: Graph,
    f: ReferralFilter,
    anchor: ReferralAnchor | None = None,
    anchor_ids: Sequence[str] = (),
    *,
    scope: OrgScope | None,
) -> dict[str | None, int]:
    start = source(scope, "Referral") if scope is not None else None
    if scope is not None and start is not None and anchor is None:
        filters = _referral_query(f, None)
        return {
            None: referral_list.scoped_count(
                graph, start, scope, filters.conditions, filters.params
            )
        }
    return REFERRALS.counts(graph, _referral_query(f, scope), anchor, anchor_ids)


def households(
    graph: Graph, ids: Iterable[str], scope: OrgScope | None
) -> dict[str, Stored[Household]]:
    found: dict[str, Stored[Any]] = by_ids(graph, "Household", ids, scope)
    return found
