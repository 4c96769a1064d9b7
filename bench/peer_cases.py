"""The five directory queries of bench/peer.py, each in three forms that must agree.

verbund's GraphQL, the peer's GraphQL (@neo4j/graphql, ``bench/peer/server.mjs``) and the
hand-written Cypher of the HTTP floor (``bench/peer_floor.py``) ask for the same records;
``ids`` reduces each answer to the ids it holds, and the bench stops when they differ.
The records asked for by id are chosen from the loaded data (the richest Träger, an Angebot
with several Leistungsbereiche), so the cases work on any demo size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, LiteralString

from graph import Graph

Ids = Callable[[dict[str, Any]], list[str]]


@dataclass(frozen=True)
class PeerCase:
    key: str
    name: str
    verbund: str
    peer: str
    variables: dict[str, Any]
    cypher: LiteralString
    params: dict[str, Any]
    verbund_ids: Ids
    peer_ids: Ids
    floor_ids: Ids


def _pick(graph: Graph, cypher: LiteralString) -> str:
    (row,) = graph.query(cypher)
    return str(row["id"])


def _flat(*groups: list[dict[str, Any]] | None) -> list[str]:
    return sorted(item["id"] for group in groups for item in group or [])


def cases(graph: Graph) -> list[PeerCase]:
    service = _pick(
        graph,
        """MATCH (s:Service {status: 'active'})<-[:PROVIDES]-(:Organization)
           WITH s, COUNT { (s)-[:IN_CATEGORY]->() } + COUNT { (s)-[:SERVES]->() } AS links
           RETURN s.id AS id ORDER BY links DESC, s.id LIMIT 1""",
    )
    organization = _pick(
        graph,
        """MATCH (o:Organization)
           WITH o, COUNT { (o)-[:PARTY_TO]->() } + COUNT { (o)-[:PROVIDES]->() } AS links
           RETURN o.id AS id ORDER BY links DESC, o.id LIMIT 1""",
    )
    return [
        PeerCase(
            "service",
            "Angebot mit Träger, Leistungsbereichen, Sozialräumen",
            """query($id: ID!) { service(id: $id) { id name languages capacity capacityUsed
                 organization { id name } categories { id name } areas { id name } } }""",
            """query($id: ID!) { services(where: {id: {eq: $id}}) { id name languages capacity
                 capacity_used organization { id name } categories { id name }
                 areas { id name } } }""",
            {"id": service},
            """MATCH (s:Service {id: $id})
               RETURN s {.id, .name, .languages, .capacity, .capacity_used,
                 organization: head([(o:Organization)-[:PROVIDES]->(s) | o {.id, .name}]),
                 categories: [(s)-[:IN_CATEGORY]->(c:Category) | c {.id, .name}],
                 areas: [(s)-[:SERVES]->(a:Area) | a {.id, .name}]} AS s""",
            {"id": service},
            lambda d: _flat(
                [d["service"]],
                [d["service"]["organization"]],
                d["service"]["categories"],
                d["service"]["areas"],
            ),
            lambda d: _flat(
                d["services"],
                d["services"][0]["organization"],
                d["services"][0]["categories"],
                d["services"][0]["areas"],
            ),
            lambda d: _flat(
                [d[0]["s"]],
                [d[0]["s"]["organization"]],
                d[0]["s"]["categories"],
                d[0]["s"]["areas"],
            ),
        ),
        PeerCase(
            "organization",
            "Träger mit Angeboten, Standorten, Vereinbarungen, Verbünden",
            """query($id: ID!) { organization(id: $id) { id name
                 services(first: 100) { nodes { id name } } locations { id name }
                 agreements { id title } memberships { network { id name } } } }""",
            """query($id: ID!) { organizations(where: {id: {eq: $id}}) { id name
                 services { id name } locations { id name } agreements { id title }
                 networks { id name } } }""",
            {"id": organization},
            """MATCH (o:Organization {id: $id})
               RETURN o {.id, .name,
                 services: [(o)-[:PROVIDES]->(s:Service) | s {.id, .name}],
                 locations: [(o)-[:HAS_LOCATION]->(l:Location) | l {.id, .name}],
                 agreements: [(o)-[:PARTY_TO]->(g:Agreement) | g {.id, .title}],
                 networks: [(o)-[:MEMBER_OF]->(w:Network) | w {.id, .name}]} AS o""",
            {"id": organization},
            lambda d: _flat(
                d["organization"]["services"]["nodes"],
                d["organization"]["locations"],
                d["organization"]["agreements"],
                [m["network"] for m in d["organization"]["memberships"]],
            ),
            lambda d: _flat(
                d["organizations"][0]["services"],
                d["organizations"][0]["locations"],
                d["organizations"][0]["agreements"],
                d["organizations"][0]["networks"],
            ),
            lambda d: _flat(
                d[0]["o"]["services"],
                d[0]["o"]["locations"],
                d[0]["o"]["agreements"],
                d[0]["o"]["networks"],
            ),
        ),
        PeerCase(
            "services",
            "Aktive Angebote, erste 20 nach Name, mit Träger und Leistungsbereichen",
            """{ services(filter: {statuses: [ACTIVE]}, first: 20) { nodes { id name
                 organization { id name } categories { id name } } } }""",
            """{ services(where: {status: {eq: "active"}}, sort: [{name: ASC}, {id: ASC}],
                 limit: 20) { id name organization { id name } categories { id name } } }""",
            {},
            """MATCH (s:Service {status: 'active'})
               WITH s ORDER BY s.name, s.id LIMIT 20
               RETURN s {.id, .name,
                 organization: head([(o:Organization)-[:PROVIDES]->(s) | o {.id, .name}]),
                 categories: [(s)-[:IN_CATEGORY]->(c:Category) | c {.id, .name}]} AS s""",
            {},
            lambda d: [n["id"] for n in d["services"]["nodes"]],
            lambda d: [n["id"] for n in d["services"]],
            lambda d: [r["s"]["id"] for r in d],
        ),
        PeerCase(
            "categories",
            "Leistungsbereiche mit je 10 Angeboten und deren Träger",
            """{ categories { id name services(first: 10) { nodes { id name
                 organization { id name } } } } }""",
            """{ categories(sort: [{name: ASC}]) { id name
                 services(sort: [{name: ASC}, {id: ASC}], limit: 10) { id name
                   organization { id name } } } }""",
            {},
            """MATCH (c:Category) WITH c ORDER BY c.name
               RETURN c {.id, .name, services: COLLECT {
                 MATCH (c)<-[:IN_CATEGORY]-(s:Service) WITH s ORDER BY s.name, s.id LIMIT 10
                 RETURN s {.id, .name,
                   organization: head([(o:Organization)-[:PROVIDES]->(s) | o {.id, .name}])}
               }} AS c""",
            {},
            lambda d: sorted(
                f"{c['id']}/{s['id']}" for c in d["categories"] for s in c["services"]["nodes"]
            ),
            lambda d: sorted(
                f"{c['id']}/{s['id']}" for c in d["categories"] for s in c["services"]
            ),
            lambda d: sorted(f"{r['c']['id']}/{s['id']}" for r in d for s in r["c"]["services"]),
        ),
        PeerCase(
            "agreements",
            "Kooperationsvereinbarungen mit Parteien und Leistungsbereichen",
            """{ agreements { id title priorityAccess parties { id name }
                 categories { id name } } }""",
            """{ agreements { id title priority_access parties { id name }
                 categories { id name } } }""",
            {},
            """MATCH (g:Agreement)
               RETURN g {.id, .title, .priority_access,
                 parties: [(o:Organization)-[:PARTY_TO]->(g) | o {.id, .name}],
                 categories: [(g)-[:COVERS]->(c:Category) | c {.id, .name}]} AS g""",
            {},
            lambda d: sorted(f"{g['id']}/{p['id']}" for g in d["agreements"] for p in g["parties"]),
            lambda d: sorted(f"{g['id']}/{p['id']}" for g in d["agreements"] for p in g["parties"]),
            lambda d: sorted(f"{r['g']['id']}/{p['id']}" for r in d for p in r["g"]["parties"]),
        ),
    ]
