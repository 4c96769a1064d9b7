"""Load the part of the graph the analyses need: nine bulk queries in one read transaction.

Every query reads all nodes of one kind (never one query per node), so the cost grows with the
graph, not with the number of round trips; one transaction gives a consistent view. The big
ones (Träger, Angebote, needs, referrals, agreements) come back as one collected list of plain
values, times as epoch milliseconds: decoding tens of thousands of records and driver
DateTimes one by one cost four times as much for referrals, and two to three times the client
CPU for 20,000 Träger and 50,000 agreements on the generated Land (bench/README.md).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, LiteralString

import neo4j

from graph import clock
from graph.analysis.snapshot import (
    AgreementInfo,
    AreaInfo,
    NeedInfo,
    NetworkInfo,
    OrganizationInfo,
    ReferralInfo,
    ServiceInfo,
    Snapshot,
)
from graph.capacity import DEFAULT_MAX_AGE_DAYS, occupancy
from graph.connection import Graph, run
from graph.records import ANSWER_REFERRAL_STATUSES
from graph.repo.link_decisions import REJECTED_PAIRS

_AREAS = """
MATCH (a:Area)
OPTIONAL MATCH (a)-[:PART_OF]->(p:Area)
RETURN a.id AS id, a.name AS name, a.level AS level, p.id AS parent_id,
       a.population AS population, a.centroid_lat AS lat, a.centroid_lon AS lon,
       a.geometry AS geometry,
       [k IN coalesce(a.indicator_keys, []) | [k, a['indicator_' + k]]] AS indicators
"""
_ADJACENCY = """
MATCH (a:Area)-[:ADJACENT_TO]-(b:Area) WHERE a.id < b.id
RETURN a.id AS a, b.id AS b
"""
_CATEGORIES = "MATCH (c:Category) RETURN c.id AS id, c.name AS name"
_ORGANIZATIONS = """
MATCH (o:Organization)
RETURN collect([o.id, o.name, o.sector, o.website, o.phone, o.email, o.source,
       [(o)-[:HAS_LOCATION]->(l:Location) |
         [coalesce(l.street, ''), coalesce(l.postal_code, ''), coalesce(l.city, '')]],
       [(o)-[:HAS_LOCATION]->(:Location)-[:IN_AREA]->(a:Area) | a.id]]) AS rows
"""
_SERVICES = """
MATCH (o:Organization)-[:PROVIDES]->(s:Service)
RETURN collect([s.id, o.id, s.name,
       [(s)-[:IN_CATEGORY]->(c:Category) | c.id],
       coalesce(s.target_groups, []),
       [(s)-[:SERVES]->(a:Area) | a.id],
       s.capacity, s.capacity_used, s.status, s.assured_date, s.valid_from, s.valid_to,
       s.email, s.url,
       [(s)-[:AT_LOCATION]->(l:Location) |
         [l.id, coalesce(l.street, ''), coalesce(l.postal_code, ''), coalesce(l.city, '')]]
       ]) AS rows
"""
_NEEDS = """
MATCH (h:Household)-[:HAS_NEED]->(n:Need {status: 'open'})-[:OF_CATEGORY]->(c:Category)
MATCH (h)-[:LIVES_IN]->(a:Area)
RETURN collect([h.id, a.id, c.id]) AS rows
"""
_REFERRALS = """
MATCH (r:Referral)-[:TO_SERVICE]->(s:Service)
MATCH (r)-[:FOR_HOUSEHOLD]->(h:Household)
OPTIONAL MATCH (h)-[:LIVES_IN]->(a:Area)
OPTIONAL MATCH (r)-[:FROM_ORGANIZATION]->(f:Organization)
CALL (r) {
  OPTIONAL MATCH (r)-[:HAS_EVENT]->(e:ReferralEvent)
  WHERE e.status IN $answers
  RETURN min(e.at) AS responded_at
}
RETURN collect([r.id, h.id, a.id, s.id, f.id, r.status, r.created_at.epochMillis,
                responded_at.epochMillis]) AS rows
"""
_AGREEMENTS = """
MATCH (g:Agreement)
RETURN collect([g.id, [(o:Organization)-[:PARTY_TO]->(g) | o.id],
       [(g)-[:COVERS]->(c:Category) | c.id], g.valid_from, g.valid_to]) AS rows
"""
_NETWORKS = """
MATCH (n:Network)
RETURN n.id AS id, n.name AS name, [(o:Organization)-[:MEMBER_OF]->(n) | o.id] AS member_ids,
       [(n)-[:ACTIVE_IN]->(a:Area) | a.id] AS area_ids
"""


# Small results: one record per row. Big ones: one record holding one collected list.
_RECORD_QUERIES: tuple[tuple[str, LiteralString], ...] = (
    ("areas", _AREAS),
    ("adjacency", _ADJACENCY),
    ("categories", _CATEGORIES),
    ("networks", _NETWORKS),
    ("rejected", REJECTED_PAIRS),
)
_COLLECTED_QUERIES: tuple[tuple[str, LiteralString], ...] = (
    ("organizations", _ORGANIZATIONS),
    ("services", _SERVICES),
    ("needs", _NEEDS),
    ("referrals", _REFERRALS),
    ("agreements", _AGREEMENTS),
)


def _collected(tx: neo4j.ManagedTransaction, query: LiteralString, **params: Any) -> list[Any]:
    """The one collected list of a bulk query, as the driver unpacked it. ``record.data()``
    would walk every nested value once more to convert graph entities, of which these lists
    hold none (only ids, strings, numbers and dates): half the client time of the Land's read
    (bench/README.md, "Land: the read in one pass")."""
    record = tx.run(query, params).single(strict=True)
    rows: list[Any] = record[0]
    return rows


def _native(value: Any) -> Any:
    """Driver temporal values as Python ones (naive datetimes are taken as UTC)."""
    if hasattr(value, "to_native"):
        value = value.to_native()
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def _from_millis(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


def _as_date(value: Any) -> date | None:
    value = _native(value)
    return value.date() if isinstance(value, datetime) else value


def _current(valid_from: Any, valid_to: Any, today: date) -> bool:
    start, end = _native(valid_from), _native(valid_to)
    if isinstance(start, datetime):
        start = start.date()
    if isinstance(end, datetime):
        end = end.date()
    return (start is None or start <= today) and (end is None or end >= today)


def load_snapshot(
    graph: Graph,
    *,
    today: date | None = None,
    capacity_max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Snapshot:
    """Everything the analyses read, from one consistent read transaction; an occupancy
    older than ``capacity_max_age_days`` is read as unknown (graph/capacity.py)."""
    today = today or clock.today()
    # A referral is answered at its first accept, waitlisting or decline.
    params = {"referrals": {"answers": sorted(ANSWER_REFERRAL_STATUSES)}}

    def work(tx: neo4j.ManagedTransaction) -> Snapshot:
        rows: dict[str, Any] = {name: run(tx, query) for name, query in _RECORD_QUERIES}
        for name, query in _COLLECTED_QUERIES:
            rows[name] = _collected(tx, query, **params.get(name, {}))
        return _snapshot(rows, today, capacity_max_age_days)

    return graph.read(work, timeout=graph.config.analysis_timeout)


def _address(parts: list[str]) -> str:
    street, postal, city = parts
    return f"{street}, {postal} {city}".strip(", ") if street else ""


def _snapshot(
    rows: dict[str, Any], today: date, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> Snapshot:
    return Snapshot(
        areas=tuple(
            AreaInfo(
                id=r["id"],
                name=r["name"] or r["id"],
                level=r["level"] or "planning",
                parent_id=r["parent_id"],
                population=r["population"],
                indicators={k: float(v) for k, v in r["indicators"] if v is not None},
                centroid_lat=r["lat"],
                centroid_lon=r["lon"],
                geometry=r["geometry"],
            )
            for r in rows["areas"]
        ),
        adjacencies=tuple((r["a"], r["b"]) for r in rows["adjacency"]),
        category_names={r["id"]: r["name"] or r["id"] for r in rows["categories"]},
        rejected_pairs=frozenset(frozenset((r["a"], r["b"])) for r in rows["rejected"]),
        organizations=tuple(
            OrganizationInfo(
                id=o_id,
                name=name or o_id,
                sector=sector or "nonprofit",
                website=website,
                phone=phone,
                email=email,
                addresses=tuple(sorted({a for p in addresses if (a := _address(p))})),
                area_ids=tuple(sorted(set(area_ids))),
                source=source,
            )
            for o_id, name, sector, website, phone, email, source, addresses, area_ids in (
                rows["organizations"]
            )
        ),
        services=tuple(
            ServiceInfo(
                id=s_id,
                organization_id=org_id,
                name=name or s_id,
                category_ids=tuple(sorted(category_ids)),
                target_groups=tuple(target_groups),
                area_ids=tuple(sorted(area_ids)),
                capacity=capacity,
                capacity_used=occupancy(
                    capacity, used, _as_date(assured), today, max_age_days
                ).used,
                active=status == "active" and _current(valid_from, valid_to, today),
                email=email,
                url=url,
                location_ids=tuple(sorted({loc[0] for loc in locations})),
                addresses=tuple(sorted({a for loc in locations if (a := _address(loc[1:]))})),
            )
            for (
                s_id,
                org_id,
                name,
                category_ids,
                target_groups,
                area_ids,
                capacity,
                used,
                status,
                assured,
                valid_from,
                valid_to,
                email,
                url,
                locations,
            ) in rows["services"]
        ),
        needs=tuple(
            NeedInfo(household_id=h, area_id=a, category_id=c) for h, a, c in rows["needs"]
        ),
        referrals=tuple(
            ReferralInfo(
                id=r,
                household_id=h,
                household_area_id=a,
                service_id=s,
                from_organization_id=f,
                status=status,
                created_at=_from_millis(created),
                responded_at=_from_millis(responded),
            )
            for r, h, a, s, f, status, created, responded in rows["referrals"]
        ),
        agreements=tuple(
            AgreementInfo(
                id=g_id,
                party_ids=tuple(sorted(party_ids)),
                category_ids=tuple(sorted(category_ids)),
            )
            for g_id, party_ids, category_ids, valid_from, valid_to in (rows["agreements"])
            if _current(valid_from, valid_to, today)
        ),
        networks=tuple(
            NetworkInfo(
                id=r["id"],
                name=r["name"] or r["id"],
                member_ids=tuple(sorted(r["member_ids"])),
                area_ids=tuple(sorted(r["area_ids"])),
            )
            for r in rows["networks"]
        ),
    )
