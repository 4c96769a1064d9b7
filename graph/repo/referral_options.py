"""What the ranking of referral options needs from the graph, read in one transaction:
the household's Sozialraum, the adjacency of areas, and the candidate services with the
areas they serve and the valid agreements between their Träger and the referring one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import neo4j

from graph import normalize
from graph.capacity import DEFAULT_MAX_AGE_DAYS
from graph.connection import Graph, run
from graph.ranking import AgreementRef, Candidate, Home, Option, ServedArea, Wanted, rank
from graph.records import Service
from graph.repo.nodes import PROJECTIONS, to_stored
from graph.repo.values import Stored

_HOME = """
MATCH (h:Area {id: $area})
RETURN [(h)-[:PART_OF*0..]->(x:Area) | x.id] AS enclosing,
       [(h)<-[:PART_OF*1..]-(x:Area) | x.id] AS contained,
       head([(h)-[:PART_OF*0..]->(d:Area {level: 'district'}) | d.id]) AS district
"""

_ADJACENCY = """
MATCH (a:Area)-[:ADJACENT_TO]-(b:Area) WHERE a.id < b.id
RETURN a.id AS a, b.id AS b ORDER BY a, b
"""

# Active services valid on the day in one of the categories (or a narrower one).
_CANDIDATES = (
    """
MATCH (n:Service)-[:IN_CATEGORY]->(:Category)-[:BROADER*0..]->(c:Category)
WHERE c.id IN $categories AND n.status = 'active'
  AND (n.valid_from IS NULL OR n.valid_from <= $on)
  AND (n.valid_to IS NULL OR n.valid_to >= $on)
WITH DISTINCT n
MATCH (o:Organization)-[:PROVIDES]->(n)
RETURN """
    + PROJECTIONS["Service"]
    + """ AS service, o.name AS organization_name,
  [(n)-[:SERVES]->(a:Area) | {id: a.id,
     district: head([(a)-[:PART_OF*0..]->(d:Area {level: 'district'}) | d.id])}] AS served,
  [(ref:Organization {id: $referring})-[:PARTY_TO]->(ag:Agreement)<-[:PARTY_TO]-(o)
     WHERE ref <> o
       AND (ag.valid_from IS NULL OR ag.valid_from <= $on)
       AND (ag.valid_to IS NULL OR ag.valid_to >= $on)
     | {id: ag.id, title: ag.title, priority_access: coalesce(ag.priority_access, false),
        categories: [(ag)-[:COVERS]->(k:Category) | k.id]}] AS agreements
ORDER BY n.id
"""
)


@dataclass(frozen=True, slots=True)
class OptionData:
    home: Home | None  # None: the area does not exist
    adjacency: list[tuple[str, str]]
    candidates: list[Candidate]
    stored: dict[str, Stored[Service]]
    referring_organization_name: str | None


def _candidate(row: dict[str, Any]) -> tuple[Candidate, Stored[Service]]:
    stored: Stored[Service] = to_stored("Service", row["service"])
    served = tuple(
        ServedArea(id=a["id"], district_id=a["district"])
        for a in sorted(row["served"], key=lambda a: a["id"])
    )
    agreements = tuple(
        AgreementRef(
            id=a["id"],
            title=a["title"] or a["id"],
            priority_access=bool(a["priority_access"]),
            category_ids=tuple(sorted(a["categories"])),
        )
        for a in sorted(row["agreements"], key=lambda a: a["id"])
    )
    return (
        Candidate(
            service=stored.record,
            organization_name=row["organization_name"] or "",
            served=served,
            agreements=agreements,
        ),
        stored,
    )


def option_data(
    graph: Graph,
    *,
    area_id: str,
    category_ids: Sequence[str],
    referring_organization_id: str | None,
    on: date,
) -> OptionData:
    """Everything the ranking needs, in one read transaction (one round trip)."""

    def work(tx: neo4j.ManagedTransaction) -> OptionData:
        homes = run(tx, _HOME, area=area_id)
        adjacency = [(r["a"], r["b"]) for r in run(tx, _ADJACENCY)]
        rows = run(
            tx,
            _CANDIDATES,
            categories=list(category_ids),
            on=on,
            referring=referring_organization_id,
        )
        names = run(
            tx,
            "OPTIONAL MATCH (o:Organization {id: $id}) RETURN o.name AS name",
            id=referring_organization_id,
        )
        home = None
        if homes:
            h = homes[0]
            home = Home(
                area_id=area_id,
                enclosing=frozenset(h["enclosing"]),
                contained=frozenset(h["contained"]),
                district_id=h["district"],
            )
        pairs = [_candidate(r) for r in rows]
        return OptionData(
            home=home,
            adjacency=adjacency,
            candidates=[c for c, _ in pairs],
            stored={s.record.id: s for _, s in pairs},
            referring_organization_name=names[0]["name"] if names else None,
        )

    return graph.read(work)


@dataclass(frozen=True, slots=True)
class RankedOptions:
    options: list[Option]
    stored: dict[str, Stored[Service]]


def referral_options(
    graph: Graph,
    *,
    area_id: str,
    category_ids: Sequence[str],
    target_groups: Sequence[str],
    languages: Sequence[str],
    referring_organization_id: str | None,
    max_steps: int,
    on: date,
    capacity_max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> RankedOptions | None:
    """Ranked services for a need in an area; None when the area does not exist."""
    data = option_data(
        graph,
        area_id=area_id,
        category_ids=category_ids,
        referring_organization_id=referring_organization_id,
        on=on,
    )
    if data.home is None:
        return None
    wanted = Wanted(
        category_ids=tuple(category_ids),
        target_groups=tuple(target_groups),
        # As stored: "DE" or "Deutsch" asks for "de" (graph/normalize.py).
        languages=normalize.languages(tuple(languages)),
        referring_organization_name=data.referring_organization_name,
        max_steps=max_steps,
        today=on,
        capacity_max_age_days=capacity_max_age_days,
    )
    return RankedOptions(
        options=rank(data.candidates, data.home, data.adjacency, wanted), stored=data.stored
    )
