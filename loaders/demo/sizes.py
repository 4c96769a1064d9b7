"""The three demo sizes: ``small`` for tests, ``city`` for the demo, ``large`` for benchmarks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Size = Literal["small", "city", "large"]
SIZES: tuple[Size, ...] = ("small", "city", "large")


@dataclass(frozen=True, slots=True)
class SizeSpec:
    households: int  # all households, planted ones included
    gap_households: int  # planted households with an open need in each gap cell
    services_per_cell: int  # services of the responsible Träger per Bezirk and Bereich
    caseworkers: int  # pseudonymous staff of each referring office


SIZE_SPECS: Mapping[Size, SizeSpec] = {
    "small": SizeSpec(households=300, gap_households=20, services_per_cell=1, caseworkers=12),
    "city": SizeSpec(households=3_200, gap_households=25, services_per_cell=1, caseworkers=60),
    "large": SizeSpec(households=32_000, gap_households=60, services_per_cell=3, caseworkers=400),
}


def spec_of(size: str) -> SizeSpec:
    if size not in SIZE_SPECS:
        raise ValueError(f"unbekannte Größe {size!r}: erlaubt sind {', '.join(SIZES)}")
    return SIZE_SPECS[size]  # type: ignore[index]
