"""Typed findings: what an analysis found, how serious it is, what is behind it, in German words.

Every finding names its kind, a severity, the areas, organizations and services behind it, the
counts it rests on and one sentence a planner can read. Analysis-specific details live in the
subclasses; nothing here names a household.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

FindingKind = Literal[
    "coverage_gap",
    "duplicate_structure",
    "duplicate_record",
    "duplicate_service",
    "double_support",
    "missing_cooperation",
    "weak_spot",
]
Severity = Literal["hoch", "mittel", "niedrig"]
SEVERITY_ORDER: Mapping[str, int] = {"hoch": 0, "mittel": 1, "niedrig": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    kind: FindingKind
    severity: Severity
    explanation: str
    area_ids: tuple[str, ...] = ()
    organization_ids: tuple[str, ...] = ()
    service_ids: tuple[str, ...] = ()
    category_id: str | None = None
    counts: Mapping[str, float] = field(default_factory=dict)
    scope_id: str | None = None  # the Gebiet (top-level area) it was found in


def fmt(value: float, digits: int = 2) -> str:
    """German number formatting for explanations (decimal comma)."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".replace(".", ",")


def households_text(value: float, min_count: int) -> str:
    """``count_text`` with the noun: "1 Haushalt", "7 Haushalte", "weniger als 5 Haushalte"."""
    count = count_text(value, min_count)
    return f"{count} Haushalt" if count == "1" else f"{count} Haushalte"


def sentence(text: str) -> str:
    """``text`` with a capital first letter: a count may open it ("weniger als 5 Haushalte")."""
    return text[:1].upper() + text[1:]


def share_text(value: float) -> str:
    """A share between 0 and 1 as a German percentage ("31 %", "unter 1 %")."""
    percent = round(value * 100)
    if percent < 1:
        return "unter 1 %"
    return f"{percent} %"


def count_text(value: float, min_count: int) -> str:
    """A count of people for planners: below ``min_count`` it is not shown (small cells,
    zero included: a zero tells as much about an area as a one)."""
    if round(value) < min_count:
        return f"weniger als {min_count}"
    return fmt(value, 0)
