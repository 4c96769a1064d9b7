"""Pseudonymous households: where they live, their make-up in age bands, their needs.

No names, no addresses, no birth dates: a household is a pseudonym, a Stadtteil, a household
type and age bands. Districts with higher SGB II rates get more households.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from loaders.demo.geography import DISTRICTS, District
from loaders.demo.vocabulary import (
    ADULT_BANDS,
    CATEGORIES,
    CHILD_BANDS,
    HOUSEHOLD_TYPES,
    WITH_CHILDREN,
)

CHILD_CATEGORIES = frozenset({"kinderbetreuung", "erziehungsberatung"})
TYPE_WEIGHTS: tuple[float, ...] = (0.34, 0.18, 0.28, 0.12, 0.08)


@dataclass(slots=True)
class HouseholdDraft:
    """A household before its pseudonym is assigned."""

    district: str  # slug
    area_id: str  # the Stadtteil it lives in
    household_type: str
    age_bands: tuple[str, ...]
    categories: list[str]
    referrer: str  # the office that refers it: jobcenter-stuttgart or jugendamt-stuttgart
    caseworker: str
    planted: bool = False
    id: str = field(default="")


def caseworker(rng: random.Random, referrer: str, count: int) -> str:
    prefix = "fm" if referrer == "jobcenter-stuttgart" else "asd"
    return f"{prefix}-{rng.randint(1, count):03d}"


def make_up(rng: random.Random, household_type: str) -> tuple[str, ...]:
    """Age bands of the members, adults first."""
    adults = {"alleinstehend": 1, "alleinerziehend": 1, "mehrgenerationen": 3}.get(
        household_type, 2
    )
    kids = rng.randint(1, 4) if household_type in WITH_CHILDREN else 0
    if household_type == "mehrgenerationen":
        bands = [rng.choice(ADULT_BANDS[1:4]), rng.choice(ADULT_BANDS[1:4]), "65+"]
    else:
        bands = [rng.choice(ADULT_BANDS[:5]) for _ in range(adults)]
    bands += sorted(rng.choice(CHILD_BANDS) for _ in range(kids))
    return tuple(bands)


def needs_of(
    rng: random.Random, district: District, household_type: str, bands: tuple[str, ...]
) -> list[str]:
    """Leistungsbereiche the household needs help in (at least one)."""
    has_children = household_type in WITH_CHILDREN
    has_small = any(b in ("0-2", "3-5") for b in bands)
    result: list[str] = []
    for info in CATEGORIES:
        rate = info.need_rate
        if info.id == "erziehungsberatung" and not has_children:
            continue
        if info.id == "kinderbetreuung" and not has_small:
            continue
        if info.id == "migrationsberatung":
            rate *= district.migration_quote / 42.0
        if info.id == "schuldnerberatung":
            rate *= district.sgb2_quote / 7.5
        if rng.random() < rate:
            result.append(info.id)
    if not result:
        result.append("arbeitsfoerderung" if "65+" not in bands[:1] else "schuldnerberatung")
    return result


def draw_district(rng: random.Random) -> District:
    weights = [d.population * d.sgb2_quote for d in DISTRICTS]
    return rng.choices(DISTRICTS, weights=weights)[0]


def household(
    rng: random.Random,
    district: District,
    caseworkers: int,
    *,
    categories: list[str] | None = None,
    household_type: str | None = None,
    referrer: str | None = None,
    planted: bool = False,
) -> HouseholdDraft:
    child_needs = categories is not None and bool(CHILD_CATEGORIES & set(categories))
    if household_type is None and child_needs:
        household_type = rng.choice(("alleinerziehend", "paar-mit-kindern"))
    htype = household_type or rng.choices(HOUSEHOLD_TYPES, weights=TYPE_WEIGHTS)[0]
    bands = make_up(rng, htype)
    small_child = any(b in ("0-2", "3-5") for b in bands)
    if categories is not None and "kinderbetreuung" in categories and not small_child:
        bands = (*bands[:-1], "3-5")
    needs = categories if categories is not None else needs_of(rng, district, htype, bands)
    if referrer is None:
        with_kids = htype in WITH_CHILDREN
        referrer = (
            "jugendamt-stuttgart" if with_kids and rng.random() < 0.35 else "jobcenter-stuttgart"
        )
    return HouseholdDraft(
        district=district.slug,
        area_id=rng.choice(district.subdistrict_ids()),
        household_type=htype,
        age_bands=bands,
        categories=needs,
        referrer=referrer,
        caseworker=caseworker(rng, referrer, caseworkers),
        planted=planted,
    )


def ordinary(rng: random.Random, count: int, caseworkers: int) -> list[HouseholdDraft]:
    return [household(rng, draw_district(rng), caseworkers) for _ in range(count)]
