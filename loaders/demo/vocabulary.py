"""The shared vocabulary (team guide): Leistungsbereiche, Zielgruppen, languages, legal bases."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graph.records import ACTIVE_REFERRAL_STATUSES


@dataclass(frozen=True, slots=True)
class CategoryInfo:
    id: str
    name: str
    legal_basis: str
    capacity_unit: str
    target_groups: tuple[str, ...]
    # Share of households (of the kind that can have the need) with a need in this area.
    need_rate: float


CATEGORIES: tuple[CategoryInfo, ...] = (
    CategoryInfo(
        "schuldnerberatung", "Schuldnerberatung", "§ 16a Nr. 2 SGB II", "Fälle gleichzeitig",
        ("erwachsene", "familien", "junge-erwachsene"), 0.30,
    ),
    CategoryInfo(
        "suchtberatung", "Suchtberatung", "§ 16a Nr. 4 SGB II", "Fälle gleichzeitig",
        ("erwachsene", "familien"), 0.10,
    ),
    CategoryInfo(
        "sozialpsychiatrie", "Sozialpsychiatrische Hilfen", "§ 16a Nr. 3 SGB II",
        "Fälle gleichzeitig", ("erwachsene", "senioren"), 0.10,
    ),
    CategoryInfo(
        "erziehungsberatung", "Erziehungsberatung", "§ 28 SGB VIII", "Fälle gleichzeitig",
        ("familien", "alleinerziehende", "kinder", "jugendliche"), 0.30,
    ),
    CategoryInfo(
        "wohnungsnotfallhilfe", "Wohnungsnotfallhilfe", "§ 67 SGB XII", "Fälle gleichzeitig",
        ("erwachsene", "junge-erwachsene", "familien"), 0.08,
    ),
    CategoryInfo(
        "kinderbetreuung", "Kinderbetreuung", "§ 24 SGB VIII", "Plätze",
        ("kinder", "familien", "alleinerziehende"), 0.40,
    ),
    CategoryInfo(
        "arbeitsfoerderung", "Arbeitsförderung", "§ 16d SGB II", "Teilnehmerplätze",
        ("erwachsene", "junge-erwachsene", "alleinerziehende"), 0.35,
    ),
    CategoryInfo(
        "migrationsberatung", "Migrationsberatung", "§ 45 AufenthG", "Fälle gleichzeitig",
        ("erwachsene", "familien", "gefluechtete"), 0.18,
    ),
)  # fmt: skip

CATEGORY: Mapping[str, CategoryInfo] = {c.id: c for c in CATEGORIES}
CATEGORY_IDS: tuple[str, ...] = tuple(c.id for c in CATEGORIES)

TARGET_GROUPS: tuple[str, ...] = (
    "familien",
    "alleinerziehende",
    "kinder",
    "jugendliche",
    "junge-erwachsene",
    "erwachsene",
    "senioren",
    "gefluechtete",
)

LANGUAGES: tuple[str, ...] = ("de", "tr", "ar", "ru", "uk", "en", "it", "el", "hr", "fa")

HOUSEHOLD_TYPES: tuple[str, ...] = (
    "alleinstehend",
    "alleinerziehend",
    "paar-mit-kindern",
    "paar-ohne-kinder",
    "mehrgenerationen",
)
WITH_CHILDREN: frozenset[str] = frozenset(
    {"alleinerziehend", "paar-mit-kindern", "mehrgenerationen"}
)
CHILD_BANDS: tuple[str, ...] = ("0-2", "3-5", "6-9", "10-13", "14-17")
ADULT_BANDS: tuple[str, ...] = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")

ACTIVE_STATUSES: frozenset[str] = ACTIVE_REFERRAL_STATUSES
