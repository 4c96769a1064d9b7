"""A bundle as input files for ``neo4j-admin database import`` (the bulk first load).

The offline import tool writes a new store from CSV files far faster than transactions do,
but only into a stopped server and only as a whole database. The files hold exactly what
``graph.write.write_bundle`` would store for the same records in an empty database: every
property, the bookkeeping (``_hash``, ``version``, ``_hash_version``, ``created_at``,
``updated_at``) and the stamp, so a later normal import of the same records is a no-op.
What the tool cannot express (an empty list: it stores no property for an empty array
field) is set afterwards by ``set_empty_lists``. Labels and relationship types come only
from NODE_SPECS.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from neo4j.spatial import WGS84Point

from graph.bundle import Bundle
from graph.connection import Graph
from graph.model import NODE_SPECS, NodeSpec
from graph.write import _EventRecord, _row, _shape

# Between the elements of a list in one field: a control character no text of the model
# holds (checked for every value, see _text).
ARRAY_DELIMITER = "\x1f"
_EMPTY_BATCH = 10_000


class BulkUnsupported(Exception):
    """The bundle holds a value the import files cannot carry exactly (German message)."""


@dataclass(slots=True)
class ImportFiles:
    """The files written: per label its node files, per relationship type its files, each
    a header file and a data file (the tool's ``--nodes=Label=header,data`` form)."""

    folder: Path
    nodes: list[tuple[str, Path, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path, Path]] = field(default_factory=list)
    # (label, property) -> ids whose property is an empty list (see set_empty_lists)
    empty_lists: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    rows: int = 0

    def arguments(self) -> list[str]:
        """The tool's options naming the files (the database name goes before them)."""
        args = [f"--nodes={label}={head},{data}" for label, head, data in self.nodes]
        args += [f"--relationships={t}={head},{data}" for t, head, data in self.relationships]
        return args


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise BulkUnsupported("Zeitpunkt ohne Zeitzone")
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, WGS84Point):
        return "point"
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise BulkUnsupported("Liste mit Werten, die kein Text sind")
        return "string[]"
    raise BulkUnsupported(f"Wert vom Typ {type(value).__name__}")


def _text(value: str) -> str:
    if ARRAY_DELIMITER in value:
        raise BulkUnsupported("Text mit dem Steuerzeichen U+001F")
    return value


def _field(value: Any) -> str | None:
    """One field's text; None for an absent property (an empty, unquoted field)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BulkUnsupported(f"Zahl {value}")
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, datetime):
        if isinstance(value.tzinfo, timezone):
            return value.isoformat()
        # A named zone (zoneinfo) keeps its id, as the driver would send it.
        return f"{value.isoformat()}[{value.tzinfo}]"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, WGS84Point):
        return f"{{x:{value.x!r}, y:{value.y!r}, crs:'WGS-84'}}"
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(_text(v) for v in value) if value else None
    raise BulkUnsupported(f"Wert vom Typ {type(value).__name__}")


class _Table:
    """Rows of one node label or relationship type with typed columns, written as CSV."""

    def __init__(self, key_columns: list[str]) -> None:
        self.keys = key_columns
        self.types: dict[str, str] = {}
        self.rows: list[tuple[list[str], dict[str, Any]]] = []

    def add(self, keys: list[str], props: Mapping[str, Any], where: str) -> None:
        for name, value in props.items():
            if value is None:
                continue
            try:
                kind = _type_of(value)
            except BulkUnsupported as exc:
                raise BulkUnsupported(f"{where}, Feld {name}: {exc}") from None
            known = self.types.setdefault(name, kind)
            if known != kind:
                raise BulkUnsupported(
                    f"{where}, Feld {name}: mal {known}, mal {kind} (Schnellimport nicht möglich)"
                )
        self.rows.append((keys, dict(props)))

    def write(self, head: Path, data: Path) -> None:
        names = sorted(self.types)
        with head.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerow([*self.keys, *(f"{n}:{self.types[n]}" for n in names)])
        with data.open("w", encoding="utf-8", newline="") as fh:
            for keys, props in self.rows:
                fields = [_quoted(k) for k in keys]
                for name in names:
                    try:
                        text = _field(props.get(name))
                    except BulkUnsupported as exc:
                        raise BulkUnsupported(f"{keys[0]}, Feld {name}: {exc}") from None
                    fields.append("" if text is None else _quoted(text))
                fh.write(",".join(fields) + "\n")


def _quoted(text: str) -> str:
    # Every present value quoted: an empty text then stays an empty text, and only an
    # unquoted empty field means "no property".
    return '"' + text.replace('"', '""') + '"'


def write_files(
    bundle: Bundle,
    folder: Path,
    *,
    now: datetime,
    stamp: Mapping[str, Any] | None = None,
    extra_nodes: Iterable[tuple[str, Mapping[str, Any]]] = (),
) -> ImportFiles:
    """Write the bundle (and ``extra_nodes``: label and properties incl. ``id``, e.g. the
    audit entries) as import files into ``folder``; raise BulkUnsupported for a value the
    files cannot carry exactly."""
    folder.mkdir(parents=True, exist_ok=True)
    files = ImportFiles(folder)
    nodes: dict[str, _Table] = {}
    rels: dict[tuple[str, str, str], _Table] = {}
    for records in _groups(bundle):
        _add_nodes(records, now, dict(stamp or {}), nodes, rels, files)
    for label, props in extra_nodes:
        table = nodes.setdefault(label, _Table([f"id:ID({label})"]))
        rest = {k: v for k, v in props.items() if k != "id"}
        for name, value in rest.items():
            if value == []:
                files.empty_lists.setdefault((label, name), []).append(props["id"])
        table.add([str(props["id"])], rest, f"{label} {props['id']}")
    _add_pairs(bundle, rels)
    for label, table in nodes.items():
        head, data = folder / f"{label}.header.csv", folder / f"{label}.csv"
        table.write(head, data)
        files.nodes.append((label, head, data))
        files.rows += len(table.rows)
    for (rel_type, start, end), table in rels.items():
        name = f"{rel_type}.{start}.{end}"
        head, data = folder / f"{name}.header.csv", folder / f"{name}.csv"
        table.write(head, data)
        files.relationships.append((rel_type, head, data))
    return files


def _groups(bundle: Bundle) -> Iterator[Sequence[Any]]:
    yield from (
        bundle.areas,
        bundle.categories,
        bundle.organizations,
        bundle.locations,
        bundle.services,
        bundle.agreements,
        bundle.networks,
        bundle.households,
        bundle.needs,
        bundle.consents,
        [_EventRecord.of(r, i, e) for r in bundle.referrals for i, e in enumerate(r.history)],
        bundle.referrals,
    )


def _add_nodes(
    records: Sequence[Any],
    now: datetime,
    stamp: dict[str, Any],
    nodes: dict[str, _Table],
    rels: dict[tuple[str, str, str], _Table],
    files: ImportFiles,
) -> None:
    if not records:
        return
    shape = _shape(type(records[0]), tuple(stamp))
    spec = shape.spec
    table = nodes.setdefault(spec.label, _Table([f"id:ID({spec.label})"]))
    unique = list({r.id: r for r in records}.values())  # last wins, as the writer does
    for record in unique:
        row = _row(shape, record, fresh=False)
        props = dict(row.props)
        # What the writer's create statement sets besides the record (graph/write.py).
        props["created_at"] = props.get("created_at") or now
        props.update(stamp)
        props.update(_hash=row.hash, version=1, _hash_version=1, updated_at=now)
        for name, value in props.items():
            if value == []:
                files.empty_lists.setdefault((spec.label, name), []).append(record.id)
        table.add([record.id], props, f"{spec.label} {record.id}")
        for i, targets in enumerate(row.targets):
            _add_links(spec, i, record.id, targets, rels)


def _add_links(
    spec: NodeSpec,
    index: int,
    ident: str,
    targets: list[str],
    rels: dict[tuple[str, str, str], _Table],
) -> None:
    rel = spec.rels[index]
    start, end = (spec.label, rel.target) if rel.direction == "out" else (rel.target, spec.label)
    table = rels.setdefault(
        (rel.type, start, end), _Table([f":START_ID({start})", f":END_ID({end})"])
    )
    for target in targets:
        pair = [ident, target] if rel.direction == "out" else [target, ident]
        table.rows.append((pair, {}))


def _add_pairs(bundle: Bundle, rels: dict[tuple[str, str, str], _Table]) -> None:
    """Memberships and adjacencies as the writer's MERGE leaves them: one relationship per
    pair (an adjacency in either direction), the last row's properties."""
    members: dict[tuple[str, str], dict[str, Any]] = {}
    for m in bundle.memberships:
        members[(m.organization_id, m.network_id)] = {
            "role": m.role,
            "since": m.since,
            "source": m.source,
        }
    if members:
        table = rels.setdefault(
            ("MEMBER_OF", "Organization", "Network"),
            _Table([":START_ID(Organization)", ":END_ID(Network)"]),
        )
        for (org, net), props in members.items():
            table.add([org, net], props, f"Mitgliedschaft {org} → {net}")
    adjacent: dict[frozenset[str], tuple[list[str], dict[str, Any]]] = {}
    for a in bundle.adjacencies:
        key = frozenset((a.area_id, a.other_area_id))
        first = adjacent[key][0] if key in adjacent else [a.area_id, a.other_area_id]
        adjacent[key] = (first, {"source": a.source})
    if adjacent:
        table = rels.setdefault(
            ("ADJACENT_TO", "Area", "Area"), _Table([":START_ID(Area)", ":END_ID(Area)"])
        )
        for pair, props in adjacent.values():
            table.add(pair, props, f"Nachbarschaft {pair[0]} – {pair[1]}")


def only_bookkeeping(graph: Graph) -> bool:
    """Whether the database holds nothing but the data revision (a fresh, migrated one):
    the bulk load replaces the whole database, so anything else (data, users, tokens, the
    audit log) would be lost."""
    (row,) = graph.query("MATCH (n) WHERE NOT n:DataRevision RETURN count(n) > 0 AS used LIMIT 1")
    return not row["used"]


def set_empty_lists(graph: Graph, empty: Mapping[tuple[str, str], list[str]]) -> int:
    """Set the list properties that are empty (the import files cannot hold an empty list);
    returns how many were set. Labels from NODE_SPECS or the audit log, property names
    from the record types, both checked."""
    labels = {spec.label for spec in NODE_SPECS.values()} | {"AuditEvent"}
    done = 0
    for (label, name), ids in empty.items():
        if label not in labels or not name.isidentifier():
            raise ValueError(f"unerwartete Eigenschaft {label}.{name}")
        cypher = f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) SET n.{name} = []"
        for start in range(0, len(ids), _EMPTY_BATCH):
            graph.query(cypher, {"ids": ids[start : start + _EMPTY_BATCH]}, write=True)
            done += len(ids[start : start + _EMPTY_BATCH])
    return done
