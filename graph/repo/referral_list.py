"""The scoped referral lists (Meine Überleitungen, Eingang): a page costs the rows it shows.

Issue #14: the list matched every referral in the database, checked the scope on each, sorted
them all and cut the page: a caseworker's first page on the ``large`` demo cost 480,000 db
hits. Now one small statement reads the organization's degree, the number of referrals (from
the count store) and the list's total; then the page is read one of two ways, whichever
touches fewer referrals:

- **from the organization** (few referrals: a small Träger): walk its relationships, sort
  what it has, cut the page: work in proportion to its own referrals, whatever others have;
- **along the ``created_at`` index**, newest first (an organization with a large share, like
  the Jobcenter with 79 % of all referrals): check each referral against the scope and the
  filters until the page is full: about ``page size ÷ share`` referrals.

Both give the order of ``paging.pages`` (sort key ``-created_at.epochMillis``, then id) and
its cursors: the index gives the order of ``created_at`` itself, so the page is cut from the
index rows down to the last millisecond the first pass reached, then sorted by the key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    first: Sequence[LiteralString], then: Sequence[LiteralString], barrier: bool
) -> LiteralString:
    """``WHERE first``, then ``WHERE then`` on what passed: the filters read a property or
    two of the referral, the scope walks its consent (about twenty db hits), so the cheap
    test goes first (a partner's inbox: 80 of 7,430 referrals are new). The planner moves
    predicates past a plain ``WITH``; ``barrier`` collects the matches first (only where
    the order of the rows does not matter)."""
    text = _where(first)
    if then:
        text += "WITH so, collect(n) AS found UNWIND found AS n " if barrier else ""
        text += "WITH n, so " if barrier else "WITH n "
        text += _where(then)
    return text


def _stats(source: Source, scope: OrgScope, filters: Sequence[LiteralString]) -> LiteralString:
    """Referrals in the database, the organization's reach and the list's total."""
    scoped = [source.condition] if source.condition else []
    counted: LiteralString = (
        # Without a condition every referral the pattern reaches counts: its degree.
        "WITH everything, reach, reach AS total "
        if not filters and not scoped
        else "CALL (so) { MATCH "
        + source.pattern
        + " "
        + _matching(filters, scoped, True)
        + "RETURN count(n) AS total } "
    )
    return (
        "CALL () { MATCH (r:Referral) RETURN count(r) AS everything } "
        "OPTIONAL MATCH (so:Organization {id: $scope}) "
        f"WITH everything, so, {_REACH[scope.side]} AS reach "
        + counted
        + "RETURN everything, coalesce(reach, 0) AS reach, total"
    )


def _from_organization(
    source: Source, filters: Sequence[LiteralString], after: bool
) -> LiteralString:
    then = [source.condition] if source.condition else []
    first = [*filters, _CURSOR] if after else list(filters)
    return (
        f"MATCH {source.pattern} {_matching(first, then, True)}"
        f"WITH n, {_KEY} AS k ORDER BY k, n.id LIMIT $limit "
    )


def _along_index(scope: OrgScope, filters: Sequence[LiteralString], after: bool) -> LiteralString:
    first: list[LiteralString] = ["n.created_at IS NOT NULL", *filters]
    if after:
        first.append(_CURSOR)
    then = [visible(scope, "Referral")]
    # First pass: the newest ``limit`` matches in index order (created_at, to the
    # microsecond); second pass: every match down to the millisecond of the last of them,
    # sorted by the list's key (milliseconds, then id).
    second: list[LiteralString] = ["n.created_at >= datetime({epochMillis: edge})", *first[1:]]
    return (
        "CALL () { "
        f"MATCH (n:Referral) {_matching(first, then, False)}"
        "WITH n ORDER BY n.created_at DESC LIMIT $limit "
        "RETURN min(n.created_at.epochMillis) AS edge } "
        "WITH edge WHERE edge IS NOT NULL "
        f"MATCH (n:Referral) {_matching(second, then, False)}"
        f"WITH n, {_KEY} AS k ORDER BY k, n.id LIMIT $limit "
    )


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
) -> Page:
    """The first ``first`` referrals after ``after`` the scope may see, with the total."""
    values: dict[str, Any] = {**params, **scope_params(scope), "limit": first + 1}
    (stats,) = graph.rows(_stats(source, scope, filters), values)
    total, reach, everything = int(stats["total"]), int(stats["reach"]), int(stats["everything"])
    if total == 0:
        return Page(items=[], keys=[], has_next=False, total=0)
    if after is not None:
        values["after_key"] = after.key
        values["after_id"] = after.id
    # Expected referrals checked along the index: the page's share of the matches.
    along_index = (first + 1) * everything / total
    body = (
        _along_index(scope, filters, after is not None)
        if INDEX_MARGIN * along_index < reach
        else _from_organization(source, filters, after is not None)
    )
    node = projection("Referral", shape, scope)
    cypher: LiteralString = body + f"RETURN collect({{node: {node}, key: k}}) AS rows"
    (row,) = graph.rows(cypher, values)
    rows: list[Mapping[str, Any]] = row["rows"]
    shown = rows[:first]
    memo: Memo = {}
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
    values = {**params, **scope_params(scope)}
    (stats,) = graph.rows(_stats(source, scope, filters), values)
    return int(stats["total"])
