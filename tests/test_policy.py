"""The policy mechanism itself: authentication, roles, aggregates, the audit trail."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
import strawberry
from strawberry.types import ExecutionResult

from graph import ConflictError, Graph
from graph.audit import query_events
from graph.disclosure import complementary, is_small, two_way
from schema import Context, schema
from schema.policy import aggregate, directory_write, suppress_small_counts
from schema.principal import ROLES, InvalidPrincipal, Principal, Role

SERVER_INFO = "{ serverInfo { edition } }"


def run(on: strawberry.Schema, query: str, *, context_value: Context) -> ExecutionResult:
    return asyncio.run(on.execute(query, context_value=context_value))


def as_role(graph: Graph, role: Role | None, org: str | None = None) -> Context:
    if role is None:
        return Context(graph=graph)
    return Context(graph=graph, principal=Principal(f"t-{role}", role, org, "token"))


def test_anonymous_callers_get_unauthenticated(graph: Graph) -> None:
    result = run(schema, SERVER_INFO, context_value=as_role(graph, None))
    assert result.data is None
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "UNAUTHENTICATED"}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_server_info(graph: Graph, role: Role) -> None:
    org = "org-1" if role in ("caseworker", "partner") else None
    result = run(schema, SERVER_INFO, context_value=as_role(graph, role, org))
    assert result.errors is None
    assert result.data == {"serverInfo": {"edition": "community"}}


def test_organization_roles_need_an_organization() -> None:
    with pytest.raises(InvalidPrincipal):
        Principal("x", "partner", None, "token")
    with pytest.raises(InvalidPrincipal):
        Principal("x", "nobody", None, "token")  # type: ignore[arg-type]


@dataclass
class Row:
    area: str
    households: int | None
    level: int = 2


@strawberry.type
class CountRow:
    area: str
    households: int | None


@strawberry.type
class Summary:
    total: int | None
    rows: list[CountRow]


@strawberry.type
class PolicyQuery:
    @strawberry.field(extensions=[aggregate()])
    def summary(self) -> Summary:
        return Summary(
            total=4,
            rows=[CountRow(area="a", households=3), CountRow(area="b", households=12)],
        )

    @strawberry.field(extensions=[aggregate()])
    def big(self) -> int:
        return 7


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(extensions=[directory_write()])
    def rename(self) -> bool:
        return True


policy_schema = strawberry.Schema(query=PolicyQuery, mutation=PolicyMutation)


def test_aggregates_suppress_counts_below_five_for_planners(graph: Graph) -> None:
    query = "{ summary { total rows { area households } } big }"
    planner = run(policy_schema, query, context_value=as_role(graph, "planner"))
    assert planner.errors is None
    assert planner.data == {
        "summary": {"total": None, "rows": [{"area": "b", "households": 12}]},
        "big": 7,
    }
    admin = run(policy_schema, query, context_value=as_role(graph, "admin"))
    assert admin.data is not None
    assert admin.data["summary"]["total"] == 4


def test_aggregates_are_closed_to_household_roles(graph: Graph) -> None:
    result = run(policy_schema, "{ big }", context_value=as_role(graph, "caseworker", "org-1"))
    assert result.data is None


@pytest.mark.parametrize(("role", "allowed"), [("coordinator", True), ("planner", False)])
def test_directory_writes_only_for_coordinators(graph: Graph, role: Role, allowed: bool) -> None:
    result = run(policy_schema, "mutation { rename }", context_value=as_role(graph, role))
    assert (result.data == {"rename": True}) is allowed


def test_suppression_keeps_non_counts_and_large_counts() -> None:
    assert suppress_small_counts([Row(area="x", households=5, level=2)]) == [
        Row(area="x", households=5, level=2)
    ]
    # Zero is below five: it is suppressed like 1 to 4.
    assert suppress_small_counts([Row(area="x", households=0)]) == []
    assert suppress_small_counts(Row(area="x", households=0)) == Row(area="x", households=None)
    assert suppress_small_counts([Row(area="x", households=4)]) == []
    assert suppress_small_counts(Row(area="x", households=1)) == Row(area="x", households=None)
    assert suppress_small_counts(3) is None


def test_audit_events_are_append_only_records(db: Graph) -> None:
    from graph.audit import append, new_event

    event = new_event(
        subject="s",
        role="admin",
        organization_id=None,
        auth_method="token",
        action="read",
        operation="referral",
        purpose="Test",
        records=["Referral:r1", "Household:h1", "Referral:r1"],
    )
    append(db, [event])
    (found,) = query_events(db, record="Household:h1")
    assert found.records == ("Household:h1", "Referral:r1")
    assert found.at == event.at
    with pytest.raises(ConflictError):
        append(db, [event])


def test_is_small_includes_zero() -> None:
    assert [n for n in range(8) if is_small(n)] == [0, 1, 2, 3, 4]
    assert is_small(4.4)
    assert not is_small(4.6)


def test_complementary_hides_what_would_follow_by_subtraction() -> None:
    # 3 is hidden; 15 - 7 - 5 would give it back, so 5 goes too (hidden together: 8).
    assert complementary(15, [7, 5, 3]) == (True, [True, False, False])
    # A zero is hidden and protected like any small count.
    assert complementary(10, [10, 0]) == (True, [False, False])
    # No hidden part: everything is shown.
    assert complementary(11, [6, 5]) == (True, [True, True])
    # Two small parts whose sum is large protect each other.
    assert complementary(16, [10, 3, 3]) == (True, [True, False, False])
    # A total of small parts is shown when the parts stay hidden; a small total is not.
    assert complementary(6, [3, 3]) == (True, [False, False])
    assert complementary(4, [4]) == (False, [False])
    assert complementary(5, [3, 2]) == (True, [False, False])
    # An unlisted remainder may be zero, but not a small count.
    assert complementary(12, [7, 5, 0], unlisted=[2]) == (True, [True, True, False])
    assert complementary(14, [7, 5, 2], unlisted=[2]) == (True, [True, False, False])
    assert complementary(7, [5, 2], unlisted=[1]) == (True, [False, False])
    # A part hidden by another total counts as hidden: here it is the only one, but 3 small.
    assert complementary(18, [10, 5, 3], hidden=[2]) == (True, [True, False, False])


def test_two_way_protects_a_small_cell_in_its_row_and_its_column() -> None:
    # The 2 is hidden; its row and its column each hide one more cell, and the cells hidden
    # for them hide more, until every line with a hidden cell has two: a rectangle.
    cells = [[10, 30, 7], [8, 9, 20], [6, 7, 2]]
    totals, shown = two_way(cells, [0, 0, 0], [0, 0, 0], 0)
    assert totals == [True, True, True]
    assert shown == [[False, True, False], [True, True, True], [False, True, False]]
    # Nothing small: everything is shown.
    assert two_way([[10, 30], [8, 9]], [0, 0], [0, 0], 0) == (
        [True, True],
        [[True, True], [True, True]],
    )
    # A single hidden cell of a row (9) would follow from the row total and give away the 3
    # in its column: hidden together with the 8.
    assert two_way([[10, 3], [8, 9]], [0, 0], [0, 0], 0)[1] == [[False, False], [False, False]]
    # A small row total is hidden with its cells, and the other row total with it: the grand
    # total (published elsewhere) minus 19 would give the 3 back.
    assert two_way([[10, 9], [2, 1]], [0, 0], [0, 0], 0) == (
        [False, False],
        [[False, False], [False, False]],
    )
