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
    total: float, parts: Sequence[float], unlisted: Iterable[int] = ()
) -> tuple[bool, list[bool]]:
    """Primary and secondary suppression of a total published together with its parts.

    ``parts`` add up to ``total``. Parts in ``unlisted`` are never published themselves (a
    remainder such as "referrals without a known area" or "all other pathways"); they may
    be zero, but not a small positive count. A listed part is shown only if it is not small;
    then, while the hidden remainder (total minus the shown parts) is small, the smallest
    shown part is hidden too, so no hidden part, no sum of hidden parts and no zero among
    them follows by subtraction. Returns (show the total, show each part).
    """
    never = set(unlisted)
    shown = [i not in never and not is_small(p) for i, p in enumerate(parts)]
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
