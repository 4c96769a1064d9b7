"""The naive way to import, kept only as the benchmark baseline (bench/import.py).

One auto-commit MERGE per node and one per relationship, as a first importer would write
it. Never use it for real imports: graph/write.py batches the same work with UNWIND.
"""

from __future__ import annotations

from graph.bundle import Bundle
from graph.connection import Graph
from graph.diff import node_groups
from graph.model import NODE_SPECS, props_of


def write_row_by_row(graph: Graph, bundle: Bundle) -> int:
    """Write the bundle's nodes and relationships one statement at a time; return node rows."""
    rows = 0
    for records in node_groups(bundle):
        for record in records:
            spec = NODE_SPECS[type(record)]
            # Labels and relationship types come only from NODE_SPECS.
            graph.query(
                f"MERGE (n:{spec.label} {{id: $id}}) SET n += $props",
                {"id": record.id, "props": props_of(record)},
                write=True,
            )
            for rel in spec.rels:
                pattern = (
                    f"(n)-[:{rel.type}]->(t)"
                    if rel.direction == "out"
                    else f"(t)-[:{rel.type}]->(n)"
                )
                for target in rel.targets(record):
                    graph.query(
                        f"MATCH (n:{spec.label} {{id: $id}}) MATCH (t:{rel.target} {{id: $t}}) "
                        f"MERGE {pattern}",
                        {"id": record.id, "t": target},
                        write=True,
                    )
            rows += 1
    for m in bundle.memberships:
        graph.query(
            "MATCH (o:Organization {id: $o}) MATCH (w:Network {id: $w}) "
            "MERGE (o)-[r:MEMBER_OF]->(w) SET r.role = $role, r.since = $since, r.source = $source",
            {
                "o": m.organization_id,
                "w": m.network_id,
                "role": m.role,
                "since": m.since,
                "source": m.source,
            },
            write=True,
        )
    for a in bundle.adjacencies:
        graph.query(
            "MATCH (a:Area {id: $a}) MATCH (b:Area {id: $b}) "
            "MERGE (a)-[r:ADJACENT_TO]-(b) SET r.source = $source",
            {"a": a.area_id, "b": a.other_area_id, "source": a.source},
            write=True,
        )
    return rows
