"""Fallzahlenschutz: which counts of households and referrals a planner may see.

The one place for small-count suppression. GraphQL's aggregate policy, the planner view of the
analyses (``graph.analysis.planner_view``) and through it the CLI's table, JSON and HTML
outputs and the web pages all decide with these functions, so one cell is shown or hidden the
same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MIN_COUNT = 5
"""Aggregates never show a count of households or referrals below MIN_COUNT, zero included
(Fallzahlen unter 5 werden nicht ausgewiesen): a zero is as telling as a one when a planner
knows the area, and a hidden zero cannot be told apart from a hidden small count."""


def is_small(value: float) -> bool:
    """A count that must not be shown to planners (0 to MIN_COUNT - 1)."""
    return round(value) < MIN_COUNT


def people(value: float | None) -> int | None:
    """A count of households for planners: None when it is small (zero included)."""
    if value is None or is_small(value):
        return None
    return round(value)


def share(part: int, whole: int) -> float | None:
    """A rate, unless it would give away a small count: whole and part are known to be
    shown or hidden, and ``whole - part`` follows from them, so all three must be large."""
    if is_small(whole) or is_small(part) or is_small(whole - part):
        return None
    return part / whole


def complementary(
    total: float,
    parts: Sequence[float],
    unlisted: Iterable[int] = (),
    hidden: Iterable[int] = (),
) -> tuple[bool, list[bool]]:
    """Primary and secondary suppression of a total published together with its parts.

    ``parts`` add up to ``total``. Parts in ``unlisted`` are never published themselves (a
    remainder such as "referrals without a known area" or "all other pathways"); they may
    be zero, but not a small positive count. A listed part is shown only if it is not small;
    then, while the hidden remainder (total minus the shown parts) is small, the smallest
    shown part is hidden too, so no hidden part, no sum of hidden parts and no zero among
    them follows by subtraction. Parts in ``hidden`` are hidden already (by another total they
    belong to, see ``two_way``). Returns (show the total, show each part).
    """
    never = set(unlisted)
    already = set(hidden)
    shown = [i not in never and i not in already and not is_small(p) for i, p in enumerate(parts)]
    show_total = not is_small(total)
    while show_total:
        remainder = total - sum(p for p, s in zip(parts, shown, strict=True) if s)
        hidden_listed = any(not s for i, s in enumerate(shown) if i not in never)
        if not is_small(remainder) or (round(remainder) == 0 and not hidden_listed):
            break
        candidates = [i for i, s in enumerate(shown) if s]
        if not candidates:  # the remainder is the whole (large) total: cannot happen
            break
        shown[min(candidates, key=lambda i: (parts[i], i))] = False
    return show_total, shown


def two_way(
    cells: Sequence[Sequence[float]],
    row_rest: Sequence[float],
    column_rest: Sequence[float],
    total_rest: float,
) -> tuple[list[bool], list[list[bool]]]:
    """Suppression of a table published with its row totals, where the column totals and the
    grand total are published elsewhere (or may be).

    ``cells[r][c]`` are the listed cells; a row's total is its cells plus ``row_rest[r]`` (a
    part in no listed column, never published: e.g. no known Sozialraum), a column's total is
    its cells plus ``column_rest[c]`` (e.g. outside the listed quarters); the row totals and
    ``total_rest`` add up to the grand total. Every column (the row totals as one more column)
    and every row goes through ``complementary`` with what the other lines hid already, and a
    line never keeps a single hidden cell (it would follow from the line's total and then give
    away a small cell of its other line), until nothing changes. The rests count as known
    (they may be zero). Returns (show each row total, show each cell).
    """
    height = len(cells)
    width = len(column_rest)
    totals = [sum(row) + rest for row, rest in zip(cells, row_rest, strict=True)]
    grid = [[*row, total] for row, total in zip(cells, totals, strict=True)]
    rests = [*column_rest, total_rest]
    hidden: set[tuple[int, int]] = set()
    changed = True
    while changed:
        before = len(hidden)
        for c in range(width + 1):
            parts = [grid[r][c] for r in range(height)]
            gone = _line(parts, rests[c], [r for r in range(height) if (r, c) in hidden], False)
            hidden |= {(r, c) for r in gone}
        for r in range(height):
            gone = _line(
                cells[r],
                row_rest[r],
                [c for c in range(width) if (r, c) in hidden],
                (r, width) in hidden,
            )
            hidden |= {(r, c) for c in gone}
        changed = len(hidden) != before
    return (
        [(r, width) not in hidden for r in range(height)],
        [[(r, c) not in hidden for c in range(width)] for r in range(height)],
    )


def _line(
    parts: Sequence[float], rest: float, hidden: Sequence[int], total_hidden: bool
) -> set[int]:
    """The listed parts of one line of ``two_way`` to hide (those hidden already included)."""
    total = sum(parts) + rest
    _, shown = complementary(total, [*parts, rest], unlisted=[len(parts)], hidden=hidden)
    gone = {i for i in range(len(parts)) if not shown[i]}
    if len(gone) + total_hidden == 1:
        candidates = [i for i in range(len(parts)) if i not in gone]
        if candidates:
            gone.add(min(candidates, key=lambda i: (parts[i], i)))
    return gone
