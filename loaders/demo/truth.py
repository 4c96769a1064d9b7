"""The planted truth: what the analyses must find in a generated demo, and nothing more.

Ids are the ids of the generated records (Area, Category, Service, Household, Organization).
Definitions are the team's "default analysis semantics" (coverage gap by two-step floating
catchment, Doppelstruktur, Doppelbetreuung, duplicate records, missing cooperation).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["hoch", "mittel"]
Cell = tuple[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlantedTruth:
    """Known findings of one generated demo (``size``, ``seed``).

    - ``gaps``: (district_id, category_id) cells flagged as coverage gaps; ``hoch_gaps`` have no
      reachable service, ``mittel_gaps`` fewer than 0.5 reachable places per household in need.
    - ``duplicate_structures``: each Doppelstruktur as the set of its service ids.
    - ``double_support``: (household_id, category_id) with parallel active referrals to two or
      more Träger; ``uncoordinated_double_support`` is the subset without Agreement or Network.
    - ``duplicate_organizations``: pairs of organization ids that are the same Träger.
    - ``duplicate_services``: pairs of service ids that are one Angebot entered twice.
    - ``missing_cooperation``: pairs of organization ids sharing >= 5 households, no Agreement.
    """

    size: str
    seed: int
    hoch_gaps: frozenset[Cell]
    mittel_gaps: frozenset[Cell]
    duplicate_structures: frozenset[frozenset[str]]
    double_support: frozenset[Cell]
    uncoordinated_double_support: frozenset[Cell]
    duplicate_organizations: frozenset[frozenset[str]]
    missing_cooperation: frozenset[frozenset[str]]
    duplicate_services: frozenset[frozenset[str]] = frozenset()

    def __post_init__(self) -> None:
        if self.hoch_gaps & self.mittel_gaps:
            raise ValueError("a gap cannot be both hoch and mittel")
        if not self.uncoordinated_double_support <= self.double_support:
            raise ValueError("uncoordinated double support must be a subset of double support")

    @property
    def gaps(self) -> frozenset[Cell]:
        return self.hoch_gaps | self.mittel_gaps

    @property
    def coordinated_double_support(self) -> frozenset[Cell]:
        return self.double_support - self.uncoordinated_double_support

    def severity(self, district_id: str, category_id: str) -> Severity | None:
        """``hoch``/``mittel`` for a planted gap, None for any other cell."""
        cell = (district_id, category_id)
        if cell in self.hoch_gaps:
            return "hoch"
        if cell in self.mittel_gaps:
            return "mittel"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "seed": self.seed,
            "gaps": [
                {"district_id": d, "category_id": c, "severity": self.severity(d, c)}
                for d, c in sorted(self.gaps)
            ],
            "duplicate_structures": _sorted_sets(self.duplicate_structures),
            "double_support": [
                {
                    "household_id": h,
                    "category_id": c,
                    "coordinated": (h, c) not in self.uncoordinated_double_support,
                }
                for h, c in sorted(self.double_support)
            ],
            "duplicate_organizations": _sorted_sets(self.duplicate_organizations),
            "duplicate_services": _sorted_sets(self.duplicate_services),
            "missing_cooperation": _sorted_sets(self.missing_cooperation),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlantedTruth:
        gaps = [(g["district_id"], g["category_id"], g["severity"]) for g in data["gaps"]]
        support = [
            (s["household_id"], s["category_id"], s["coordinated"]) for s in data["double_support"]
        ]
        return cls(
            size=str(data["size"]),
            seed=int(data["seed"]),
            hoch_gaps=frozenset((d, c) for d, c, s in gaps if s == "hoch"),
            mittel_gaps=frozenset((d, c) for d, c, s in gaps if s == "mittel"),
            duplicate_structures=_frozen_sets(data["duplicate_structures"]),
            double_support=frozenset((h, c) for h, c, _ in support),
            uncoordinated_double_support=frozenset((h, c) for h, c, ok in support if not ok),
            duplicate_organizations=_frozen_sets(data["duplicate_organizations"]),
            missing_cooperation=_frozen_sets(data["missing_cooperation"]),
            # Truth files written before duplicate services were planted have none.
            duplicate_services=_frozen_sets(data.get("duplicate_services", [])),
        )

    @classmethod
    def from_json(cls, text: str) -> PlantedTruth:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("planted truth must be a JSON object")
        return cls.from_dict(data)


def _sorted_sets(groups: frozenset[frozenset[str]]) -> list[list[str]]:
    return sorted(sorted(g) for g in groups)


def _frozen_sets(groups: list[list[str]]) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(g) for g in groups)
