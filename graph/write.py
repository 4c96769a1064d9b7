"""Idempotent batched writes of records: MERGE on constrained ids, UNWIND batches.

Each record kind has a spec: its label, the properties it stores and the relationships it
owns. A written record's owned relationships are made to match the record exactly (stale
ones are removed), so writing the same records twice changes nothing and a changed record
updates its node. Labels and relationship types come only from the specs below, never
from user input; all values travel as parameters.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timezone
from functools import partial
from typing import Any, Literal, get_args, get_type_hints

import neo4j

from graph.bundle import Bundle
from graph.connection import Graph
from graph.errors import IntegrityError
from graph.model import NODE_SPECS, NodeSpec, OwnedRel, Record, props_of
from graph.records import (
    Referral,
    ReferralEvent,
)

DEFAULT_BATCH_SIZE = 10_000
# Transactions in flight at once for a non-atomic write (see _Writer.nodes).
DEFAULT_PARALLEL = 2


@dataclass(slots=True)
class WriteCounts:
    """What a write did, per label: created, changed, unchanged nodes and relationships set."""

    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    relationships: int = 0

    def add(self, label: str, created: int, changed: int, total: int) -> None:
        self.created[label] = self.created.get(label, 0) + created
        self.changed[label] = self.changed.get(label, 0) + changed
        self.unchanged[label] = self.unchanged.get(label, 0) + total - created - changed


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _state_query(spec: NodeSpec) -> str:
    """Which of a batch's ids exist, and whether their stored fingerprint still holds.

    The fingerprint (``_hash``, over properties and link targets) only counts while
    ``_hash_version`` equals ``version``: any other writer that changes the node bumps
    ``version`` and so invalidates it. Only labels and relationship types from NODE_SPECS are
    interpolated into these statements. The rows carry only id and fingerprint: sending the
    properties here too doubled what a batch costs to pack and unpack.
    """
    return f"""
    UNWIND $rows AS row
    MATCH (n:{spec.label} {{id: row.id}})
    RETURN row.id AS id,
           coalesce(n._hash = row.h AND n._hash_version = n.version, false) AS same
    """


PropKind = Literal["value", "datetime", "date"]


@dataclass(frozen=True, slots=True)
class _Shape:
    """How the rows of one record kind look in the statements.

    ``props`` names every property with its kind, so statements set each by name: a map
    (``n += row.p``) hides from the planner which properties change, and it then buffers
    all rows (Eager) between every step of a statement. ``props`` is None when property
    names depend on the data (area indicators); those kinds use the map.
    """

    spec: NodeSpec
    props: tuple[tuple[str, PropKind], ...] | None
    stamp: tuple[str, ...]
    temporal: dict[str, PropKind] = field(default_factory=dict)  # the props sent as text


def _kind(hint: Any) -> PropKind:
    args = get_args(hint) or (hint,)
    if datetime in args:
        return "datetime"
    if date in args:
        return "date"
    return "value"


_NAME = re.compile(r"[a-z_][a-z0-9_]*")


_SHAPES: dict[tuple[type, tuple[str, ...]], _Shape] = {}


def _shape(record_type: type, stamp: tuple[str, ...]) -> _Shape:
    key = (record_type, stamp)
    if key not in _SHAPES:
        _SHAPES[key] = _new_shape(record_type, stamp)
    return _SHAPES[key]


def _new_shape(record_type: type, stamp: tuple[str, ...]) -> _Shape:
    spec = NODE_SPECS[record_type]
    for name in stamp:
        # Stamp keys are code constants, but they become property names in the statements.
        if not _NAME.fullmatch(name):
            raise ValueError(f"ungültiger Eigenschaftsname {name!r}")
    if spec.extra_keys is None:
        return _Shape(spec, None, stamp)
    hints = get_type_hints(record_type)
    props = [
        (f.name, _kind(hints[f.name]))
        for f in fields(record_type)
        if f.name != "id" and f.name not in spec.not_props
    ]
    props += [(name, "value") for name in spec.extra_keys]
    temporal: dict[str, PropKind] = {name: kind for name, kind in props if kind != "value"}
    return _Shape(spec, tuple(props), stamp, temporal)


def _value(name: str, kind: PropKind) -> str:
    # Temporal values travel as ISO text and are converted by the server: the driver's
    # per-value conversion of datetime objects cost more client time than everything else
    # in a batch. ``row.t`` holds date-times with a fixed offset, ``row.d`` dates; anything
    # else (None, a named zone) stays in ``row.p`` (see _params).
    if kind == "datetime":
        return f"coalesce(datetime(row.t.{name}), row.p.{name})"
    if kind == "date":
        return f"coalesce(date(row.d.{name}), row.p.{name})"
    return f"row.p.{name}"


def _set_items(shape: _Shape, *, update: bool) -> list[str]:
    """What a created (``update=False``) or changed node gets: its properties, the stamp and
    the bookkeeping. A changed node is bound together with ``v`` (its next version), ``was``
    (its created_at) and ``revoked`` (its revoked_at) read before."""
    version = "v" if update else "1"
    tail = [f"n.{key} = $stamp.{key}" for key in shape.stamp]
    tail += ["n._hash = row.h", "n.updated_at = $now", f"n.version = {version}",
             f"n._hash_version = {version}"]  # fmt: skip
    if shape.props is None:
        return ["n += row.p", *tail]
    items = []
    created = "was" if update else "null"
    for name, kind in shape.props:
        value = _value(name, kind)
        if name == "created_at":
            created = value
        elif name == "revoked_at" and update:
            # A revocation (of a consent) is final: a re-import cannot undo it.
            items.append(f"n.revoked_at = coalesce(revoked, {value})")
        else:
            items.append(f"n.{name} = {value}")
    return [*items, *tail, f"n.created_at = coalesce({created}, $now)"]


def _sets(items: list[str]) -> str:
    return "SET " + ",\n        ".join(items)


def _create_query(shape: _Shape) -> str:
    """Create new nodes and all their owned relationships in one statement.

    Plain CREATE: the state query (or an empty label) showed these ids are new (the
    constraint guards races). Linking from the node just created, instead of one statement
    per relationship type that finds it again by id, halves the index lookups. Returns how
    many relationships of each type were created, so missing targets are only looked for
    when a count falls short.
    """
    spec = shape.spec
    links = "".join(
        f"""
    CALL (n, row) {{
      UNWIND row.l[{i}] AS target
      MATCH (t:{rel.target} {{id: target}})
      CREATE (n){arrows(rel)[1]}(t)
      RETURN count(*) AS c{i}
    }}"""
        for i, rel in enumerate(spec.rels)
    )
    counts = "".join(f", sum(c{i}) AS c{i}" for i in range(len(spec.rels)))
    dynamic = "\n    SET n.created_at = coalesce(n.created_at, $now)" if shape.props is None else ""
    return f"""
    UNWIND $rows AS row
    CREATE (n:{spec.label} {{id: row.id}})
    {_sets(_set_items(shape, update=False))}{dynamic}
    WITH n, row{links}
    RETURN count(*) AS created{counts}
    """


def _update_query(shape: _Shape) -> str:
    dynamic = (
        """
    SET n.created_at = coalesce(n.created_at, $now),
        n.revoked_at = coalesce(revoked, n.revoked_at)"""
        if shape.props is None
        else ""
    )
    return f"""
    UNWIND $rows AS row
    MATCH (n:{shape.spec.label} {{id: row.id}})
    WITH n, row, coalesce(n.version, 0) + 1 AS v, n.revoked_at AS revoked, n.created_at AS was
    {_sets(_set_items(shape, update=True))}{dynamic}
    """


def arrows(rel: OwnedRel) -> tuple[str, str]:
    if rel.direction == "out":
        return f"-[r:{rel.type}]->", f"-[:{rel.type}]->"
    return f"<-[r:{rel.type}]-", f"<-[:{rel.type}]-"


def _missing_query(rel: OwnedRel) -> str:
    return f"""
    UNWIND $ids AS id
    OPTIONAL MATCH (t:{rel.target} {{id: id}})
    WITH id, t WHERE t IS NULL
    RETURN collect(id) AS missing
    """


def _unlink_query(spec: NodeSpec, rel: OwnedRel) -> str:
    old, _ = arrows(rel)
    return f"""
    UNWIND $rows AS row
    MATCH (n:{spec.label} {{id: row.id}}){old}(t:{rel.target})
    WHERE NOT t.id IN row.targets
    DELETE r
    """


def _link_query(spec: NodeSpec, rel: OwnedRel) -> str:
    """Relink changed nodes (MERGE: the links they keep already exist)."""
    _, new = arrows(rel)
    return f"""
    UNWIND $links AS link
    MATCH (n:{spec.label} {{id: link.s}})
    MATCH (t:{rel.target} {{id: link.t}})
    MERGE (n){new}(t)
    RETURN count(*) AS linked
    """


def fingerprint(props: dict[str, Any], targets: list[list[str]]) -> str:
    """A stable digest of what a record writes; equal digests mean nothing to change."""
    text = repr((sorted(props.items()), targets))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


_ADJACENCY_QUERY = """
UNWIND $rows AS row
OPTIONAL MATCH (a:Area {id: row.a})
OPTIONAL MATCH (b:Area {id: row.b})
FOREACH (_ IN CASE WHEN a IS NULL OR b IS NULL THEN [] ELSE [1] END |
  MERGE (a)-[r:ADJACENT_TO]-(b) SET r.source = row.source)
WITH row, a, b WHERE a IS NULL OR b IS NULL
RETURN row.a AS a, row.b AS b, a IS NULL AS a_missing, b IS NULL AS b_missing
"""

_MEMBERSHIP_QUERY = """
UNWIND $rows AS row
OPTIONAL MATCH (o:Organization {id: row.organization_id})
OPTIONAL MATCH (w:Network {id: row.network_id})
FOREACH (_ IN CASE WHEN o IS NULL OR w IS NULL THEN [] ELSE [1] END |
  MERGE (o)-[m:MEMBER_OF]->(w) SET m.role = row.role, m.since = row.since, m.source = row.source)
WITH row, o, w WHERE o IS NULL OR w IS NULL
RETURN row.organization_id AS a, row.network_id AS b, o IS NULL AS a_missing,
       w IS NULL AS b_missing
"""


@dataclass(slots=True)
class _Row:
    id: str
    targets: list[list[str]]
    hash: str
    props: dict[str, Any]
    # What the create and update statements get for this row: built ahead for a fresh label,
    # else only for the rows the state read finds new or changed (see _param).
    param: dict[str, Any] | None = None


def _params(
    ident: str, digest: str, props: dict[str, Any], temporal: dict[str, PropKind]
) -> dict[str, Any]:
    """The statement parameters of one row: properties in ``p``, except date-times with a
    fixed offset (as ISO text in ``t``) and dates (in ``d``), which the server converts."""
    param: dict[str, Any] = {"id": ident, "h": digest, "p": props}
    if not temporal:
        return param
    plain = dict(props)
    times: dict[str, str] = {}
    dates: dict[str, str] = {}
    for key, kind in temporal.items():
        value = plain.get(key)
        if kind == "datetime" and isinstance(value, datetime):
            # Named zones (zoneinfo) keep their zone id only through the driver.
            if isinstance(value.tzinfo, timezone):
                times[key] = value.isoformat()
                del plain[key]
        elif kind == "date" and isinstance(value, date) and not isinstance(value, datetime):
            dates[key] = value.isoformat()
            del plain[key]
    param["p"] = plain
    if times:
        param["t"] = times
    if dates:
        param["d"] = dates
    return param


class _Writer:
    def __init__(
        self,
        tx_runner: Callable[[Callable[[neo4j.ManagedTransaction], Any]], Any],
        batch_size: int,
        now: datetime,
        stamp: Mapping[str, Any] | None = None,
        progress: Callable[[int], None] | None = None,
        parallel: int = 1,
    ) -> None:
        self._run_tx = tx_runner
        self._progress = progress
        self._parallel = parallel
        self._batch = batch_size
        self._now = now
        self._stamp = dict(stamp or {})
        self.counts = WriteCounts()
        self.missing: list[tuple[str, str]] = []

    def _run(self, cypher: str, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            records = tx.run(cypher, rows=list(rows), now=self._now, stamp=self._stamp)
            return [r.data() for r in records]

        result: list[dict[str, Any]] = self._run_tx(work)
        return result

    def nodes(self, records: Sequence[Record]) -> None:
        """Upsert records of one kind: new ones are created, changed ones updated and
        re-linked, unchanged ones (same fingerprint) not touched at all."""
        if not records:
            return
        shape = _shape(type(records[0]), tuple(self._stamp))
        spec = shape.spec
        unique = list({r.id: r for r in records}.values())  # last wins, as MERGE would
        # A label without nodes when the write starts needs no state reads at all: every id
        # of this call is new (they are unique), also in its later batches.
        fresh: bool = self._run_tx(partial(self._is_empty, label=spec.label))
        batches = list(_batches(_parents_first(spec, unique), self._batch))
        # The transaction function may run more than once (retries), so it only returns what
        # it did; counts are taken after it committed.
        if self._parallel > 1 and len(batches) > 1 and not _links_own_kind(spec):

            def prepare_and_write(batch: Sequence[Record]) -> tuple[int, _BatchResult]:
                rows = _rows(shape, batch, fresh)
                work = partial(self._batch_in, shape=shape, rows=rows, fresh=fresh)
                return len(rows), self._run_tx(work)

            # Batches of one kind are independent (their links point to kinds written
            # before), so several run at once: the server then uses more than one core, and
            # one batch's rows are prepared while another waits for the server.
            with ThreadPoolExecutor(self._parallel, thread_name_prefix="write") as pool:
                for size, done in pool.map(prepare_and_write, batches):
                    self._count(spec.label, size, done)
            return
        for rows in _prepared(shape, batches, fresh):
            done = self._run_tx(partial(self._batch_in, shape=shape, rows=rows, fresh=fresh))
            self._count(spec.label, len(rows), done)

    def _count(self, label: str, rows: int, done: _BatchResult) -> None:
        self.counts.add(label, done.created, done.changed, rows)
        self.counts.relationships += done.linked
        self.missing.extend(done.missing)
        self._done(rows)

    def _done(self, rows: int) -> None:
        if self._progress is not None:
            self._progress(rows)

    def _batch_in(
        self, tx: neo4j.ManagedTransaction, *, shape: _Shape, rows: list[_Row], fresh: bool
    ) -> _BatchResult:
        spec = shape.spec
        state: dict[str, bool] = {}
        if not fresh:
            result = tx.run(_state_query(spec), rows=[{"id": r.id, "h": r.hash} for r in rows])
            state = {r["id"]: r["same"] for r in result}
        new = [row for row in rows if row.id not in state]
        changed = [row for row in rows if row.id in state and not state[row.id]]
        common: dict[str, Any] = {"now": self._now, "stamp": self._stamp}
        done = _BatchResult(len(new), len(changed))
        if new:
            (linked,) = tx.run(
                _create_query(shape), rows=[_param(shape, r) for r in new], **common
            ).data()
            for i, rel in enumerate(spec.rels):
                wanted = [t for r in new for t in r.targets[i]]
                done.linked += linked[f"c{i}"]
                if linked[f"c{i}"] < len(wanted):
                    _find_missing(tx, rel, wanted, done)
        if changed:
            tx.run(
                _update_query(shape), rows=[_param(shape, r) for r in changed], **common
            ).consume()
        for i, rel in enumerate(spec.rels):
            if changed:
                tx.run(
                    _unlink_query(spec, rel),
                    rows=[{"id": r.id, "targets": r.targets[i]} for r in changed],
                ).consume()
                _link(tx, spec, rel, [(r.id, r.targets[i]) for r in changed], done)
        return done

    def _is_empty(self, tx: neo4j.ManagedTransaction, label: str) -> bool:
        """Whether the label has no nodes (answered from the count store)."""
        (row,) = tx.run(_COUNT_QUERIES[label]).data()
        return bool(row["n"] == 0)

    def pairs(self, query: str, rows: Sequence[dict[str, Any]], labels: tuple[str, str]) -> None:
        for batch in _batches(rows, self._batch):
            for res in self._run(query, batch):
                if res["a_missing"]:
                    self.missing.append((labels[0], res["a"]))
                if res["b_missing"]:
                    self.missing.append((labels[1], res["b"]))
            self.counts.relationships += len(batch)
            self._done(len(batch))


@dataclass(slots=True)
class _BatchResult:
    created: int
    changed: int
    linked: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)


def _link(
    tx: neo4j.ManagedTransaction,
    spec: NodeSpec,
    rel: OwnedRel,
    wanted: list[tuple[str, list[str]]],
    done: _BatchResult,
) -> None:
    links = [{"s": s, "t": t} for s, targets in wanted for t in targets]
    if not links:
        return
    (res,) = tx.run(_link_query(spec, rel), links=links).data()
    done.linked += res["linked"]
    if res["linked"] < len(links):
        _find_missing(tx, rel, [link["t"] for link in links], done)


def _find_missing(
    tx: neo4j.ManagedTransaction, rel: OwnedRel, targets: list[str], done: _BatchResult
) -> None:
    """Only called when a link statement fell short: the common case costs no statement."""
    (found,) = tx.run(_missing_query(rel), ids=sorted(set(targets))).data()
    done.missing.extend((rel.target, m) for m in found["missing"])


def _links_own_kind(spec: NodeSpec) -> bool:
    """Areas and categories link to their own kind: their batches go in order, parents first."""
    return any(rel.target == spec.label for rel in spec.rels)


def _prepared(shape: _Shape, batches: list[Sequence[Record]], fresh: bool) -> Iterator[list[_Row]]:
    """Each batch's rows, the next batch prepared in a thread while the current one is written.

    Preparing rows (properties, fingerprints) is client CPU, writing mostly waits on the
    server: overlapped they use both cores. One batch ahead keeps memory bounded.
    """
    if len(batches) <= 1:
        yield from (_rows(shape, batch, fresh) for batch in batches)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="write-prepare") as pool:
        ahead = pool.submit(_rows, shape, batches[0], fresh)
        for nxt in [*batches[1:], None]:
            rows = ahead.result()
            if nxt is not None:
                ahead = pool.submit(_rows, shape, nxt, fresh)
            yield rows


def _rows(shape: _Shape, batch: Sequence[Record], fresh: bool) -> list[_Row]:
    return [_row(shape, r, fresh=fresh) for r in batch]


def _row(shape: _Shape, record: Record, *, fresh: bool = True) -> _Row:
    spec = shape.spec
    props = props_of(record)
    targets = [list(dict.fromkeys(rel.targets(record))) for rel in spec.rels]
    row = _Row(record.id, targets, fingerprint(props, targets), props)
    if fresh:
        _param(shape, row)
    return row


def _param(shape: _Shape, row: _Row) -> dict[str, Any]:
    if row.param is None:
        row.param = _params(row.id, row.hash, row.props, shape.temporal)
        if row.targets:
            row.param["l"] = row.targets
    return row.param


def _parents_first(spec: NodeSpec, records: list[Record]) -> list[Record]:
    """Order records that link to their own kind (areas, categories) parents first, so a
    parent is always written in the same or an earlier batch than its children."""
    self_rels = [rel for rel in spec.rels if rel.target == spec.label]
    if not self_rels:
        return records
    by_id = {r.id: r for r in records}
    depth: dict[str, int] = {}

    def depth_of(ident: str, seen: frozenset[str] = frozenset()) -> int:
        if ident in depth:
            return depth[ident]
        parents = [
            p
            for rel in self_rels
            for p in rel.targets(by_id[ident])
            if p in by_id and p not in seen
        ]
        d = 1 + max((depth_of(p, seen | {ident}) for p in parents), default=-1)
        depth[ident] = d
        return d

    return sorted(records, key=lambda r: depth_of(r.id))


def write_bundle(
    graph: Graph,
    bundle: Bundle,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    atomic: bool = False,
    parallel: int = DEFAULT_PARALLEL,
    now: datetime | None = None,
    stamp: Mapping[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> WriteCounts:
    """Write a bundle in dependency order; raise IntegrityError if a reference dangles.

    ``stamp`` holds extra properties (e.g. ``imported_at``) set only on nodes the write
    creates or changes, so re-writing the same records stays a no-op. ``progress`` is called
    after each batch with the number of rows (nodes, referral events included, or membership
    and adjacency pairs) it wrote; see ``bundle_rows`` for the total.

    ``atomic=True`` writes everything in one transaction, so a dangling reference leaves the
    database unchanged. Otherwise each batch commits by itself (bounded memory for large
    imports), up to ``parallel`` batches of a kind at once; callers validate references
    first, as loaders do.
    """
    now = now or datetime.now(UTC)
    if atomic:

        def all_in_one(tx: neo4j.ManagedTransaction) -> WriteCounts:
            writer = _Writer(lambda work: work(tx), batch_size, now, stamp, progress)
            _write_all(writer, bundle)
            if writer.missing:
                # Raising inside the transaction function rolls everything back.
                raise _dangling(writer.missing)
            return writer.counts

        result: WriteCounts = graph.write(all_in_one)
        return result
    writer = _Writer(graph.write, batch_size, now, stamp, progress, parallel)
    _write_all(writer, bundle)
    if writer.missing:
        raise _dangling(writer.missing)
    return writer.counts


def bundle_rows(bundle: Bundle) -> int:
    """How many rows ``write_bundle`` writes for a bundle: records (memberships and
    adjacencies included) plus one per referral status event."""
    return sum(bundle.counts().values()) + sum(len(r.history) for r in bundle.referrals)


def write_bundle_in(
    tx: neo4j.ManagedTransaction,
    records: Sequence[Record],
    now: datetime,
    stamp: Mapping[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """Write records of one kind inside the caller's transaction; return dangling references.

    For the API's single-record writes, which check versions in the same transaction first;
    ``stamp`` as in ``write_bundle`` (e.g. ``updated_by``).
    """
    writer = _Writer(lambda work: work(tx), DEFAULT_BATCH_SIZE, now, stamp)
    writer.nodes(records)
    return writer.missing


def _dangling(missing: list[tuple[str, str]]) -> IntegrityError:
    shown = ", ".join(f"{label} {ident!r}" for label, ident in missing[:10])
    more = f" (und {len(missing) - 10} weitere)" if len(missing) > 10 else ""
    return IntegrityError(f"Verweise auf fehlende Knoten: {shown}{more}", missing)


def _write_all(writer: _Writer, bundle: Bundle) -> None:
    writer.nodes(bundle.areas)
    writer.pairs(
        _ADJACENCY_QUERY,
        [{"a": a.area_id, "b": a.other_area_id, "source": a.source} for a in bundle.adjacencies],
        ("Area", "Area"),
    )
    writer.nodes(bundle.categories)
    writer.nodes(bundle.organizations)
    writer.nodes(bundle.locations)
    writer.nodes(bundle.services)
    writer.nodes(bundle.agreements)
    writer.nodes(bundle.networks)
    writer.pairs(
        _MEMBERSHIP_QUERY,
        [
            {
                "organization_id": m.organization_id,
                "network_id": m.network_id,
                "role": m.role,
                "since": m.since,
                "source": m.source,
            }
            for m in bundle.memberships
        ],
        ("Organization", "Network"),
    )
    writer.nodes(bundle.households)
    writer.nodes(bundle.needs)
    writer.nodes(bundle.consents)
    # Events carry their own id derived from the referral id and position.
    events = [_EventRecord.of(r, i, e) for r in bundle.referrals for i, e in enumerate(r.history)]
    writer.nodes(events)
    writer.nodes(bundle.referrals)


@dataclass(frozen=True, slots=True)
class _EventRecord:
    id: str
    status: str
    at: datetime
    by: str
    note: str
    source: str  # the referral's: every imported node keeps its source

    @staticmethod
    def of(referral: Referral, index: int, event: ReferralEvent) -> _EventRecord:
        return _EventRecord(
            f"{referral.id}#{index}", event.status, event.at, event.by, event.note, referral.source
        )


NODE_SPECS[_EventRecord] = NodeSpec("ReferralEvent")

_COUNT_QUERIES: dict[str, str] = {
    spec.label: f"MATCH (n:{spec.label}) RETURN count(n) AS n" for spec in NODE_SPECS.values()
}
