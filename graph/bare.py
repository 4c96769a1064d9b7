"""Bare CREATE writes, kept only as the import benchmark's ceiling (bench/import.py).

They write a bundle's nodes the cheapest way a transactional write can: UNWIND batches of
plain ``CREATE`` into an empty database, two batches in flight like the real writer, no state
read, no fingerprint, no bookkeeping and no relationships. What they reach on a machine is
the upper bound for any importer of this graph model there; the real writer
(graph/write.py) does all of that on top. Never use them for imports: nothing here is
idempotent and references are not checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

import neo4j

from graph.bundle import Bundle
from graph.connection import Graph
from graph.diff import node_groups
from graph.model import NODE_SPECS, props_of
from graph.write import DEFAULT_BATCH_SIZE, DEFAULT_PARALLEL, _params, _Shape, _shape, _value

Shape = Literal["ids", "properties", "relationships"]


def create_bare(
    graph: Graph,
    bundle: Bundle,
    shape: Shape,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    parallel: int = DEFAULT_PARALLEL,
) -> int:
    """CREATE every node of the bundle (referral events included) with its label and id,
    and with ``shape="properties"`` also every property the writer stores from the record,
    packed and converted as the writer does (date-times as text, converted by the server);
    return the number of nodes. The database must not hold these ids yet.

    ``shape="relationships"`` writes the properties and then, per kind, the relationships
    its records own (graph/model.py) and the memberships and adjacencies: a second UNWIND
    over (source id, target id) pairs, both ends found by id with the constraint's index,
    plain ``CREATE``. That is the like-for-like ceiling of the writer, which links too."""
    written = 0
    for records in node_groups(bundle):
        if not records:
            continue
        record_type = type(records[0])
        props = _shape(record_type, ()) if shape != "ids" else None
        # Labels and property names come only from NODE_SPECS and the record types.
        cypher = f"UNWIND $rows AS row CREATE (n:{NODE_SPECS[record_type].label} {{id: row.id}})"
        if props is not None:
            items = (
                ["n += row.p"]
                if props.props is None
                else [f"n.{name} = {_value(name, kind)}" for name, kind in props.props]
            )
            cypher += " SET " + ", ".join(items)
        slices = [records[i : i + batch_size] for i in range(0, len(records), batch_size)]

        def write(batch: Sequence[Any], cypher: str = cypher, props: _Shape | None = props) -> None:
            rows = [
                {"id": r.id} if props is None else _params(r.id, "", props_of(r), props.temporal)
                for r in batch
            ]

            def work(tx: neo4j.ManagedTransaction) -> None:
                tx.run(cypher, rows=rows).consume()

            graph.write(work)

        with ThreadPoolExecutor(parallel, thread_name_prefix="bare") as pool:
            list(pool.map(write, slices))
        written += len(records)
    if shape == "relationships":
        _create_links(graph, bundle, batch_size, parallel)
    return written


def _create_links(graph: Graph, bundle: Bundle, batch_size: int, parallel: int) -> None:
    """CREATE every relationship the writer would, by kind and type, after all nodes."""
    groups: list[tuple[str, list[dict[str, str]]]] = []
    for records in node_groups(bundle):
        if not records:
            continue
        spec = NODE_SPECS[type(records[0])]
        for rel in spec.rels:
            pairs = [{"s": r.id, "t": t} for r in records for t in dict.fromkeys(rel.targets(r))]
            # Labels and types come only from NODE_SPECS.
            groups.append(
                (
                    f"UNWIND $rows AS row MATCH (n:{spec.label} {{id: row.s}}) "
                    f"MATCH (t:{rel.target} {{id: row.t}}) CREATE (n){rel.arrow}(t)",
                    pairs,
                )
            )
    groups.append(
        (
            "UNWIND $rows AS row MATCH (n:Organization {id: row.s}) "
            "MATCH (t:Network {id: row.t}) CREATE (n)-[:MEMBER_OF]->(t)",
            [{"s": m.organization_id, "t": m.network_id} for m in bundle.memberships],
        )
    )
    groups.append(
        (
            "UNWIND $rows AS row MATCH (n:Area {id: row.s}) "
            "MATCH (t:Area {id: row.t}) CREATE (n)-[:ADJACENT_TO]->(t)",
            [{"s": a.area_id, "t": a.other_area_id} for a in bundle.adjacencies],
        )
    )
    for cypher, pairs in groups:
        slices = [pairs[i : i + batch_size] for i in range(0, len(pairs), batch_size)]

        def write(rows: list[dict[str, str]], cypher: str = cypher) -> None:
            def work(tx: neo4j.ManagedTransaction) -> None:
                tx.run(cypher, rows=rows).consume()

            graph.write(work)

        with ThreadPoolExecutor(parallel, thread_name_prefix="bare") as pool:
            list(pool.map(write, slices))
