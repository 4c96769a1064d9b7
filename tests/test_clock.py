"""One calendar day for every rule: Europe/Berlin, whatever the machine's clock says.

CI once ran between midnight in Berlin and midnight UTC: the web form took "today" from
Berlin and the mutation behind it from ``date.today()``, so the closing date was refused as
in the future and "zuletzt geprüft" was saved as yesterday.
"""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime
from pathlib import Path

from graph import clock

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("api", "graph", "schema", "loaders", "bench", "tests")


def test_today_is_the_german_calendar_day() -> None:
    # 23:30 UTC in winter is 00:30 the next day in Berlin; in summer 22:30 UTC is 00:30.
    assert clock.today(datetime(2026, 12, 3, 23, 30, tzinfo=UTC)) == date(2026, 12, 4)
    assert clock.today(datetime(2026, 12, 3, 22, 59, tzinfo=UTC)) == date(2026, 12, 3)
    assert clock.today(datetime(2026, 7, 1, 22, 30, tzinfo=UTC)) == date(2026, 7, 2)
    assert clock.today(datetime(2026, 7, 1, 21, 59, tzinfo=UTC)) == date(2026, 7, 1)


def _machine_day_calls(tree: ast.AST) -> list[int]:
    """Lines asking the machine's calendar: ``date.today()`` or ``datetime.now(…).date()``."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name = node.func.attr
        target = node.func.value
        if name == "today" and isinstance(target, ast.Name | ast.Attribute):
            owner = target.id if isinstance(target, ast.Name) else target.attr
            if owner == "date":
                found.append(node.lineno)
        if name == "date" and isinstance(target, ast.Call):
            inner = target.func
            if isinstance(inner, ast.Attribute) and inner.attr == "now":
                found.append(node.lineno)
    return sorted(found)


def test_no_module_asks_the_machine_for_the_day() -> None:
    offenders = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [f"{path.relative_to(ROOT)}:{line}" for line in _machine_day_calls(tree)]
    assert offenders == [], "graph.clock.today() statt des Rechnerkalenders: " + ", ".join(
        offenders
    )


def test_the_scan_finds_what_it_looks_for() -> None:
    sample = ast.parse(
        "import datetime as dt\nfrom datetime import date, datetime, UTC\n"
        "a = date.today()\nb = dt.date.today()\nc = datetime.now(UTC).date()\n"
        "d = clock.today()\n"
    )
    assert _machine_day_calls(sample) == [3, 4, 5]
