"""Keyset pagination: ordered pages of one label, optionally per anchor node, and counts.

A page is ordered by (sort key, id); the cursor carries both, so the next page starts
strictly after it whatever was inserted meanwhile, and no offset is ever skipped over. Sort
keys always ascend (newest-first sorts use a negated timestamp), which keeps the
comparison one expression. Anchors (the area whose services, the organization whose
referrals, ...) come as one batch: one query answers every anchor, each with its own limit.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, LiteralString, TypeVar

from neo4j.spatial import WGS84Point

from graph.connection import Graph
from graph.repo.includes import FULL, Memo, Shape, projection, read
from graph.repo.text import lucene_query
from graph.repo.values import Stored
from graph.repo.visibility import OrgScope

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

# The distance key of nodes without a position: behind every real distance.
FAR_AWAY = 1.0e12

F = TypeVar("F", bound=Hashable)
S = TypeVar("S", bound=str)


@dataclass(frozen=True, slots=True)
class After:
    """Where the previous page ended."""

    key: str | float | int
    id: str


@dataclass(frozen=True, slots=True)
class Near:
    """The reference position for sorting by distance (WGS84)."""

    latitude: float
    longitude: float

    def point(self) -> WGS84Point:
        return WGS84Point((self.longitude, self.latitude))


def after_condition(
    key: LiteralString,
    ident: LiteralString,
    after_key: LiteralString = "$after_key",
    after_id: LiteralString = "$after_id",
) -> LiteralString:
    """Strictly after the cursor in the order (sort key, id): the one rule for every page."""
    return f"{key} > {after_key} OR ({key} = {after_key} AND {ident} > {after_id})"


@dataclass(frozen=True, slots=True)
class PageArgs(Generic[F, S]):
    """What a page of a list asks for; equal arguments (for any number of anchors) are
    answered by one query."""

    filter: F
    sort: S
    first: int
    after: After | None
    near: Near | None = None
    # What to read of each node, and whether to count the list in the same statement.
    shape: Shape = FULL
    with_total: bool = False
    # Nodes passed over after the cursor (or from the start): a page by position, as the
    # Open Referral API's page numbers ask, in one statement.
    skip: int = 0


@dataclass(frozen=True, slots=True)
class Anchor:
    """Restricts ``n`` to the nodes related to the anchor ``x`` (whose id is ``xid``)."""

    pattern: LiteralString


@dataclass(slots=True)
class Query:
    """What to page through: a label, conditions on ``n`` and their parameters.

    ``conditions`` and ``sort_key`` are code constants; every value is in ``params``.
    ``text`` restricts to full-text hits of the ``directory_text`` index. ``source``, a
    pattern binding ``n`` (e.g. from the organization of a scope), is where the match starts
    when no anchor is given, instead of every node of the label.
    """

    label: LiteralString
    conditions: list[LiteralString] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    text: str | None = None
    source: LiteralString | None = None

    def search(self, text: str | None) -> None:
        """Only nodes the full-text index finds for ``text`` (when given)."""
        if text is None:
            return
        self.text = lucene_query(text)
        if self.text is None:
            # No searchable word: nothing matches, and Lucene must not see an empty query.
            self.conditions.append("false")

    def near(self, near: Near | None) -> None:
        """The reference position of a distance sort (when given)."""
        if near is not None:
            self.params["near"] = near.point()


@dataclass(frozen=True, slots=True)
class Page:
    items: list[Stored[Any]]
    keys: list[str | float | int]
    has_next: bool
    # How many nodes the whole list has, when it was counted in the same statement.
    total: int | None = None


def _where(query: Query, extra: Sequence[LiteralString] = ()) -> LiteralString:
    conditions = [*query.conditions, *extra]
    if query.text is not None:
        conditions.append("n IN hits")
    if not conditions:
        return ""
    return "WHERE " + " AND ".join(f"({c})" for c in conditions)


def _prelude(query: Query) -> LiteralString:
    # Without text there is no ``hits``: even an empty list imported into the subquery
    # made the planner pick a plan three times slower.
    if query.text is None:
        return ""
    return (
        "CALL () { CALL db.index.fulltext.queryNodes('directory_text', $text) YIELD node "
        "RETURN collect(node) AS hits } "
    )


def _imports(query: Query) -> LiteralString:
    return "xid" if query.text is None else "xid, hits"


def _source(query: Query, anchor: Anchor | None) -> LiteralString:
    if anchor is not None:
        return f"MATCH {anchor.pattern} "
    if query.source is not None:
        return f"MATCH {query.source} "
    return f"MATCH (n:{query.label}) "


def _params(query: Query, anchors: Sequence[str | None]) -> dict[str, Any]:
    params = dict(query.params)
    params["anchors"] = list(anchors)
    if query.text is not None:
        params["text"] = query.text
    return params


def pages(
    graph: Graph,
    query: Query,
    *,
    sort_key: LiteralString,
    first: int,
    after: After | None,
    anchor: Anchor | None = None,
    anchor_ids: Sequence[str] = (),
    shape: Shape = FULL,
    scope: OrgScope | None = None,
    with_total: bool = False,
    skip: int = 0,
) -> dict[str | None, Page]:
    """One page per anchor id (or a single page under ``None`` without an anchor).

    Each node is read in ``shape`` (household-level includes limited to ``scope``);
    ``with_total`` counts each whole list in the same statement. ``skip`` nodes after the
    cursor (or from the start) are passed over in the database, never read.
    """
    anchors: list[str | None] = list(anchor_ids) if anchor is not None else [None]
    params = _params(query, anchors)
    params["limit"] = first + 1
    params["skip"] = skip
    if after is not None:
        params["after_key"] = after.key
        params["after_id"] = after.id
    node = projection(query.label, shape, scope)
    matched: LiteralString = (
        "CALL (" + _imports(query) + ") { " + _source(query, anchor) + _where(query) + " "
        f"WITH DISTINCT n WITH n, {sort_key} AS k "
    )
    if with_total:
        # One pass: the ordered matches are collected once, counted, and the page is cut
        # from them (as a hand-written "collect, size, slice" query would do).
        window: LiteralString = (
            "[x IN found WHERE " + after_condition("x.k", "x.n.id") + "]"
            if after is not None
            else "found"
        )
        cypher = (
            _prelude(query) + "UNWIND $anchors AS xid " + matched + "ORDER BY k, n.id "
            "WITH collect({n: n, k: k}) AS found "
            f"RETURN size(found) AS total, COLLECT {{ UNWIND {window}[$skip..$skip + $limit] AS x "
            "WITH x.n AS n, x.k AS k ORDER BY k, n.id "
            f"RETURN {{node: {node}, key: k}} }} AS rows "
            "} RETURN xid, rows, total"
        )
    else:
        cursor_where: LiteralString = (
            "WHERE " + after_condition("k", "n.id") + " " if after is not None else ""
        )
        cypher = (
            _prelude(query)
            + "UNWIND $anchors AS xid "
            + matched
            + cursor_where
            + "ORDER BY k, n.id SKIP $skip LIMIT $limit "
            f"RETURN collect({{node: {node}, key: k}}) AS rows "
            "} RETURN xid, rows"
        )
    result: dict[str | None, Page] = {}
    memo: Memo = {}
    for row in graph.rows(cypher, params):
        rows: list[Mapping[str, Any]] = row["rows"]
        shown = rows[:first]
        result[row["xid"]] = Page(
            items=[read(query.label, r["node"], shape, memo) for r in shown],
            keys=[r["key"] for r in shown],
            has_next=len(rows) > first,
            total=int(row["total"]) if with_total else None,
        )
    return result


def counts(
    graph: Graph,
    query: Query,
    *,
    anchor: Anchor | None = None,
    anchor_ids: Sequence[str] = (),
) -> dict[str | None, int]:
    """How many nodes each anchor's list has, counted in the database, none loaded."""
    anchors: list[str | None] = list(anchor_ids) if anchor is not None else [None]
    cypher = (
        _prelude(query) + "UNWIND $anchors AS xid "
        "CALL (" + _imports(query) + ") { " + _source(query, anchor) + _where(query) + " "
        "RETURN count(DISTINCT n) AS total } RETURN xid, total"
    )
    return {row["xid"]: int(row["total"]) for row in graph.query(cypher, _params(query, anchors))}


@dataclass(frozen=True, slots=True)
class Listing:
    """One kind of list: its sort keys and its anchors by name."""

    sort_keys: Mapping[str, LiteralString]
    anchors: Mapping[str, Anchor] = field(default_factory=dict)

    def pages(
        self,
        graph: Graph,
        query: Query,
        args: PageArgs[Any, Any],
        anchor: str | None = None,
        anchor_ids: Sequence[str] = (),
        scope: OrgScope | None = None,
    ) -> dict[str | None, Page]:
        return pages(
            graph,
            query,
            sort_key=self.sort_keys[args.sort],
            first=args.first,
            after=args.after,
            anchor=self.anchors[anchor] if anchor else None,
            anchor_ids=anchor_ids,
            shape=args.shape,
            scope=scope,
            with_total=args.with_total,
            skip=args.skip,
        )

    def counts(
        self,
        graph: Graph,
        query: Query,
        anchor: str | None = None,
        anchor_ids: Sequence[str] = (),
    ) -> dict[str | None, int]:
        return counts(
            graph, query, anchor=self.anchors[anchor] if anchor else None, anchor_ids=anchor_ids
        )
