"""``Graph.rows``, the API's hot read path: auto-commit reads that still see every write
committed before them, rows as plain dicts, statement errors raised at once."""

from __future__ import annotations

import pytest

from graph import Graph
from graph.errors import InvalidValue


def test_rows_sees_a_write_committed_just_before(db: Graph) -> None:
    for i in range(20):
        db.query("CREATE (:Category {id: $id, name: 'x'})", {"id": f"c{i}"}, write=True)
        rows = db.rows("MATCH (c:Category) RETURN count(c) AS n")
        assert rows == [{"n": i + 1}]


def test_rows_are_plain_dicts_of_the_projected_maps(db: Graph) -> None:
    db.query("CREATE (:Category {id: 'a', name: 'Schuldnerberatung'})", write=True)
    (row,) = db.rows("MATCH (c:Category) RETURN c {.id, .name, tags: ['x', 'y']} AS c, 1 AS one")
    assert row == {"c": {"id": "a", "name": "Schuldnerberatung", "tags": ["x", "y"]}, "one": 1}
    assert type(row) is dict
    assert db.rows("MATCH (c:Category {id: 'none'}) RETURN c.id AS id") == []


def test_a_statement_error_is_not_retried(db: Graph) -> None:
    # Not retryable: raised at once, as the value error it is (graph/errors.py), once.
    before = db.roundtrips
    with pytest.raises(InvalidValue):
        db.rows("RETURN 1 / 0 AS x")
    assert db.roundtrips == before + 1
