"""The trends chart as geometry for an inline SVG: one small bar chart per Leistungsbereich.

Drawn on the server (no chart library, works without JavaScript); every bar carries its number,
and a hidden count is drawn as no bar at all but the words "unter 5", so the picture never
suggests a value the table does not show. All charts share one scale so Bereiche compare.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.web.pages.planning_findings import SUPPRESSED, figure_text

WIDTH = 340
HEIGHT = 190
_LEFT = 8
_RIGHT = 8
_TOP = 22  # room for the number above the tallest bar
_BOTTOM = 34  # room for two lines of quarter labels


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_text: str  # the number, or "unter 5"
    hidden: bool
    ongoing: bool
    quarter_top: str  # "Q1"
    quarter_bottom: str  # "2025"


@dataclass(frozen=True, slots=True)
class Chart:
    key: str  # for element ids
    title: str
    description: str
    bars: tuple[Bar, ...]
    baseline: float
    width: int = WIDTH
    height: int = HEIGHT


@dataclass(frozen=True, slots=True)
class QuarterLabel:
    number: int
    year: int
    label: str
    ongoing: bool


def chart(
    key: str,
    title: str,
    quarters: list[QuarterLabel],
    values: list[int | None],
    scale_max: int,
) -> Chart:
    """One Bereich's bars; ``scale_max`` is the largest shown value of all charts."""
    slot = (WIDTH - _LEFT - _RIGHT) / max(1, len(quarters))
    bar_width = slot * 0.66
    baseline = HEIGHT - _BOTTOM
    room = baseline - _TOP
    top = max(1, scale_max)
    bars = []
    for n, (quarter, value) in enumerate(zip(quarters, values, strict=True)):
        x = _LEFT + n * slot + (slot - bar_width) / 2
        height = 0.0 if value is None else max(1.0, room * value / top)
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(baseline - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                label_x=round(x + bar_width / 2, 1),
                value_text=figure_text(value, "people") if value is not None else "<5",
                hidden=value is None,
                ongoing=quarter.ongoing,
                quarter_top=f"Q{quarter.number}",
                quarter_bottom=str(quarter.year),
            )
        )
    parts = [
        f"{q.label}{' (laufend)' if q.ongoing else ''}: "
        f"{figure_text(v, 'people') if v is not None else SUPPRESSED}"
        for q, v in zip(quarters, values, strict=True)
    ]
    return Chart(
        key=key,
        title=f"Überleitungen {title} je Quartal",
        description="; ".join(parts) + ".",
        bars=tuple(bars),
        baseline=baseline,
    )
