"""The scoped referral lists (Meine Überleitungen, Eingang): a page costs the rows it shows.

Issue #14: the list matched every referral in the database, checked the scope on each, sorted
them all and cut the page (a caseworker's first page on the ``large`` demo: 480,000 db hits,
plus 909,000 for the policies' visibility). Now a first, tiny statement reads the number of
referrals (count store), the organization's reach (relationship degrees) and how many
referrals have the filter's statuses (index entries); from these the page is read the way
that touches the fewest referrals:

- **from the organization**: walk its relationships, sort what it has, cut the page; work
  in proportion to its own referrals, whatever other organizations have;
- **from the status index** (a filter on statuses, e.g. the inbox's "neu und Warteliste"):
  the referrals in those statuses, then the scope on each;
- **along the ``created_at`` index**, newest first (an organization with a large share,
  like the Jobcenter with 79 % of all referrals): check each referral until the page is
  full: about ``page size ÷ share`` referrals.

The total (``totalCount``) is counted the cheaper of the first two ways, or read from the
organization's degree when nothing is filtered. All ways give the order of ``paging.pages``
(sort key ``-created_at.epochMillis``, then id) and accept its cursors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, LiteralString

from graph.connection import Graph
from graph.repo.includes import Memo, Shape, projection, read
from graph.repo.paging import After, Page
from graph.repo.visibility import OrgScope, Source, scope_params, visible

# The index path checks about ``limit × referrals ÷ matches`` referrals, the organization's
# path reads all of its ``reach``; the index path is taken when it is expected to check
# fewer (with this margin for its second pass and its per-row scope check).
INDEX_MARGIN = 3

_REACH: dict[str, LiteralString] = {
    # getDegree: answered from the node's relationship counts, no referral is read.
    "referring": "COUNT { (so)<-[:FROM_ORGANIZATION]-() }",
    "receiving": "COLLECT { MATCH (so)-[:PROVIDES]->(s:Service) "
    "RETURN sum(COUNT { (s)<-[:TO_SERVICE]-() }) }[0]",
}

_KEY: LiteralString = "-n.created_at.epochMillis"
_CURSOR: LiteralString = f"({_KEY} > $after_key OR ({_KEY} = $after_key AND n.id > $after_id))"


def _where(conditions: Sequence[LiteralString]) -> LiteralString:
    return ("WHERE " + " AND ".join(f"({c})" for c in conditions) + " ") if conditions else ""


def _matching(
    first: Sequence[LiteralString], then: Sequence[LiteralString], keep: LiteralString | None
) -> LiteralString:
    """``WHERE first``, then ``WHERE then`` on what passed: the filters read a property or
    two of the referral, the scope walks its consent (about twenty db hits), so the cheap
    test goes first (a partner's inbox: 80 of 7,430 referrals are new). The planner moves
    predicates past a plain ``WITH``, so unless the rows' order matters (``keep`` None) the
    matches are collected first, keeping ``keep`` besides ``n``."""
    text = _where(first)
    if then:
        if keep is not None:
            carried: LiteralString = f"{keep}, " if keep else ""
            text += f"WITH {carried}collect(n) AS found UNWIND found AS n WITH {carried}n "
        else:
            text += "WITH n "
        text += _where(then)
    return text


def _stats(scope: OrgScope) -> LiteralString:
    """Referrals in the database (count store), the organization's reach (degrees) and the
    referrals in the filter's statuses (index entries only)."""
    return (
        "CALL () { MATCH (r:Referral) RETURN count(r) AS everything } "
        "OPTIONAL MATCH (so:Organization {id: $scope}) "
        f"WITH everything, so, {_REACH[scope.side]} AS reach "
        "RETURN everything, coalesce(reach, 0) AS reach, "
        "COUNT { MATCH (r:Referral) WHERE r.status IN $statuses } AS by_status"
    )


def _candidates(
    path: str, source: Source, scope: OrgScope, filters: Sequence[LiteralString]
) -> LiteralString:
    """The referrals of the list, found from the organization or from the status index.

    From the organization, every test comes after its referrals are collected: with a
    status filter in the pattern's ``WHERE`` the planner may start from the status index
    instead and check the organization on each referral in those statuses, work that grows
    with other organizations' referrals (seen in CI: 5,258 -> 6,989 db hits for 4 times as
    many referrals elsewhere, the plan chosen under statistics left by earlier tests)."""
    if path == "organization":
        then = [*filters, *([source.condition] if source.condition else [])]
        return f"MATCH {source.pattern} " + _matching([], then, "so")
    first: list[LiteralString] = ["n.status IN $statuses", *filters]
    return "MATCH (n:Referral) " + _matching(first, [visible(scope, "Referral")], "")


def _along_index(scope: OrgScope, filters: Sequence[LiteralString], after: bool) -> LiteralString:
    # The range (down to the cursor's millisecond) and the hint keep the planner on the
    # index in its order: on the city demo it once chose to sort every referral instead.
    start: LiteralString = (
        "n.created_at < datetime({epochMillis: 1 - $after_key})"
        if after
        else "n.created_at IS NOT NULL"
    )
    first: list[LiteralString] = [start, *filters]
    then = [visible(scope, "Referral")]
    # First pass: the newest ``limit`` matches in index order (created_at, to the
    # microsecond); second pass: every match down to the millisecond of the last of them,
    # sorted by the list's key (milliseconds, then id).
    second: list[LiteralString] = ["n.created_at >= datetime({epochMillis: edge})", *filters]
    return (
        "CALL () { "
        "MATCH (n:Referral) USING INDEX n:Referral(created_at) "
        + _matching(first, then, None)
        + "WITH n ORDER BY n.created_at DESC LIMIT $limit "
        "RETURN min(n.created_at.epochMillis) AS edge } "
        "WITH edge WHERE edge IS NOT NULL "
        "MATCH (n:Referral) USING INDEX n:Referral(created_at) " + _matching(second, then, None)
    )


@dataclass(frozen=True, slots=True)
class _Plan:
    count: str  # "reach" (the degree is the total), "organization" or "status"
    page: str  # "organization", "status" or "index"


def _plan(
    scope: OrgScope,
    source: Source,
    filters: Sequence[LiteralString],
    stats: Mapping[str, Any],
    first: int,
    statuses: bool,
) -> _Plan:
    """Which way touches the fewest referrals (estimates from degrees and counts)."""
    everything, reach = max(1, int(stats["everything"])), int(stats["reach"])
    by_status = int(stats["by_status"]) if statuses else None
    finding = {"organization": reach}
    if by_status is not None:
        finding["status"] = by_status
    count = min(finding, key=lambda way: finding[way])
    if not filters and source.condition is None:
        count = "reach"
    # Matches expected (statuses assumed independent of the organization); along the index
    # about ``limit × referrals ÷ matches`` are checked until the page is full.
    matches = reach * (by_status / everything if by_status is not None else 1.0)
    ways = {**finding, "index": INDEX_MARGIN * (first + 1) * everything / max(matches, 1.0)}
    return _Plan(count, min(ways, key=lambda way: ways[way]))


def scoped_page(
    graph: Graph,
    source: Source,
    scope: OrgScope,
    filters: Sequence[LiteralString],
    params: Mapping[str, Any],
    *,
    first: int,
    after: After | None,
    shape: Shape,
    with_total: bool = True,
) -> Page:
    """The first ``first`` referrals after ``after`` the scope may see (with the total)."""
    values: dict[str, Any] = {"statuses": [], **params, **scope_params(scope), "limit": first + 1}
    (stats,) = graph.rows(_stats(scope), values)
    plan = _plan(scope, source, filters, stats, first, "statuses" in params)
    conditions = list(filters)
    if after is not None:
        values["after_key"] = after.key
        values["after_id"] = after.id
        conditions.append(_CURSOR)
    body = (
        _along_index(scope, conditions, after is not None)
        if plan.page == "index"
        else _candidates(plan.page, source, scope, conditions)
    )
    node = projection("Referral", shape, scope)
    counted: LiteralString = ""
    if with_total and plan.count != "reach":
        counted = (
            "CALL () { "
            + _candidates(plan.count, source, scope, filters)
            + "RETURN count(n) AS total } "
        )
    cypher: LiteralString = (
        counted
        + "CALL () { "
        + body
        + f"WITH n, {_KEY} AS k ORDER BY k, n.id LIMIT $limit "
        + f"RETURN collect({{node: {node}, key: k}}) AS rows }} "
        + ("RETURN total, rows" if counted else "RETURN rows")
    )
    (row,) = graph.rows(cypher, values)
    rows: list[Mapping[str, Any]] = row["rows"]
    shown = rows[:first]
    memo: Memo = {}
    total: int | None = None
    if with_total:
        total = int(row["total"]) if counted else int(stats["reach"])
    return Page(
        items=[read("Referral", r["node"], shape, memo) for r in shown],
        keys=[r["key"] for r in shown],
        has_next=len(rows) > first,
        total=total,
    )


def scoped_count(
    graph: Graph,
    source: Source,
    scope: OrgScope,
    filters: Sequence[LiteralString],
    params: Mapping[str, Any],
) -> int:
    """How many referrals the scope may see under the filters (none loaded)."""
    values: dict[str, Any] = {"statuses": [], **params, **scope_params(scope)}
    (stats,) = graph.rows(_stats(scope), values)
    plan = _plan(scope, source, filters, stats, 0, "statuses" in params)
    if plan.count == "reach":
        return int(stats["reach"])
    cypher: LiteralString = (
        _candidates(plan.count, source, scope, filters) + "RETURN count(n) AS total"
    )
    (row,) = graph.rows(cypher, values)
    return int(row["total"])
