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

Shape = Literal["ids", "properties"]


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
    return the number of nodes. The database must not hold these ids yet."""
    written = 0
    for records in node_groups(bundle):
        if not records:
            continue
        record_type = type(records[0])
        props = _shape(record_type, ()) if shape == "properties" else None
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
    return written
