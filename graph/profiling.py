"""Database hits of the statements a piece of code sends, from Neo4j's own PROFILE.

Wall time on a shared machine varies with the load; the db hits of a statement's plan do
not. The benchmarks (bench/referrals.py) and the behaviour tests of the referral lists
(tests/test_referral_reads.py) use them to show that a list costs work in proportion to the
rows it shows, not to every referral in the database (issue #14).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, LiteralString

import neo4j

from graph.connection import Graph, Params, translate_errors


def db_hits(plan: Mapping[str, Any] | None) -> int:
    """The db hits of a profiled plan (the driver's ``summary.profile``), children included."""
    if not plan:
        return 0
    own = int(plan.get("dbHits", 0) or 0)
    return own + sum(db_hits(child) for child in plan.get("children", []) or [])


@dataclass(frozen=True, slots=True)
class Profiled:
    """One profiled statement: its text (start), its db hits and its rows."""

    cypher: str
    db_hits: int
    rows: int


@dataclass(slots=True)
class _Log:
    statements: list[Profiled] = field(default_factory=list)


class ProfilingGraph(Graph):
    """A Graph whose reads run with ``PROFILE`` and are recorded with their db hits.

    Only for measuring (benchmarks, tests): PROFILE executes the statement as usual but
    makes the server count every access. Writes run unchanged and are not counted.
    """

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self._log = _Log()

    @property
    def profiled(self) -> list[Profiled]:
        return list(self._log.statements)

    @property
    def db_hits(self) -> int:
        """The db hits of every read recorded since the last ``reset``."""
        return sum(p.db_hits for p in self._log.statements)

    def reset(self) -> None:
        self._log.statements.clear()

    def _profile(
        self, cypher: LiteralString, params: Params | None, *, data: bool = False
    ) -> list[dict[str, Any]]:
        with translate_errors(), self._session(neo4j.READ_ACCESS) as session:
            result = session.run("PROFILE " + cypher, dict(params or {}))
            keys = result.keys()
            rows = [
                record.data() if data else dict(zip(keys, record, strict=True)) for record in result
            ]
            summary = result.consume()
        self._log.statements.append(Profiled(cypher[:200], db_hits(summary.profile), len(rows)))
        return rows

    def query(
        self,
        cypher: LiteralString,
        params: Params | None = None,
        *,
        write: bool = False,
        revise: bool = True,
    ) -> list[dict[str, Any]]:
        if write:
            return super().query(cypher, params, write=True, revise=revise)
        self._count()
        return self._profile(cypher, params, data=True)

    def _auto_read(self, cypher: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        return self._profile(cypher, params)
