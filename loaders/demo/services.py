"""Angebote and Standorte of the demo city, laid out from the plan (capacities come later).

A ``ServiceSlot`` is a service before its capacity is known: capacities depend on the demand
the households produce, so ``capacity.py`` sizes them once households and referrals exist.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal

from graph.records import Location
from loaders.demo import plan
from loaders.demo.geography import BY_SLUG, CITY_ID, DISTRICTS, neighbours
from loaders.demo.organizations import ORGANIZATIONS, SOURCE
from loaders.demo.vocabulary import CATEGORY, LANGUAGES

# regular: the responsible Träger's service (capacity sized to stay comfortably above the gap
# threshold); low: a deliberately tiny one next to a planted "mittel" gap; extra: planted
# Doppelstruktur or near miss (capacity fixed); duplicate: a planted second record of a regular
# service (the original's capacity).
Sizing = Literal["regular", "low", "extra", "duplicate"]

SHORT_NAMES: Mapping[str, str] = {
    "jobcenter-stuttgart": "Jobcenter",
    "jugendamt-stuttgart": "Beratungszentrum Jugend und Familie",
    "caritas-stuttgart": "Caritas-Zentrum",
    "eva-stuttgart": "eva",
    "praeventsozial": "PräventSozial",
    "release-stuttgart": "Release",
    "bwlv-stuttgart": "bwlv",
    "rudolf-sophien-stift": "Rudolf-Sophien-Stift",
    "ambulante-hilfe-stuttgart": "Ambulante Hilfe",
    "sozialberatung-stuttgart": "Sozialberatung",
    "kita-stuttgart": "Städtische Kita",
    "kinderwelt-ggmbh": "Kinderwelt",
    "neue-arbeit-stuttgart": "Neue Arbeit",
    "bbq-stuttgart": "BBQ",
    "awo-stuttgart": "AWO",
    "drk-stuttgart": "DRK",
}

STREETS: tuple[str, ...] = (
    "Hauptstraße", "Bahnhofstraße", "Kirchstraße", "Marktplatz", "Schulstraße", "Gartenstraße",
    "Lindenstraße", "Wilhelmstraße", "Neckarstraße", "Rosenstraße", "Talstraße", "Ringstraße",
)  # fmt: skip

JOBCENTER_OFFICES: tuple[str, ...] = (
    "mitte", "bad-cannstatt", "feuerbach", "vaihingen", "zuffenhausen", "ost", "sued",
    "moehringen", "weilimdorf",
)  # fmt: skip

# Beratungszentren Jugend und Familie (ASD), one per region of the Jugendamt.
JUGENDAMT_CENTRES: tuple[str, ...] = (
    "mitte", "nord", "ost", "sued", "west", "bad-cannstatt", "feuerbach", "moehringen",
    "vaihingen", "zuffenhausen", "muehlhausen", "untertuerkheim", "sillenbuch", "weilimdorf",
)  # fmt: skip


@dataclass(slots=True)
class ServiceSlot:
    id: str
    organization_id: str
    category_id: str
    district: str | None  # slug; None = city-wide
    name: str
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    location_id: str
    sizing: Sizing
    active: bool = True
    valid_from: date = date(2019, 1, 1)
    valid_to: date | None = None
    fixed_capacity: int | None = None
    copy_of: str | None = None  # duplicate: the id of the original record
    email: str | None = None

    @property
    def area_id(self) -> str:
        return CITY_ID if self.district is None else f"{CITY_ID}-{self.district}"


@dataclass(slots=True)
class Layout:
    """Services by cell plus the Standorte they use."""

    slots: list[ServiceSlot] = field(default_factory=list)
    locations: dict[str, Location] = field(default_factory=dict)

    def cell(self, district: str, category: str) -> list[ServiceSlot]:
        """Active services of a Bezirk and Bereich that referrals may go to."""
        return [
            s
            for s in self.slots
            if s.active and s.district == district and s.category_id == category
        ]


def _other_spelling(street: str) -> str:
    """How a second clerk types the same street: "Hauptstraße 12" as "Hauptstr. 12"."""
    if "straße" in street:
        return street.replace("straße", "str.")
    return street.upper()


def removed_cells() -> frozenset[tuple[str, str]]:
    """Cells left without any service: hoch gaps with their neighbours, mittel gaps without
    an own Außensprechstunde."""
    cells: set[tuple[str, str]] = set()
    for gap in plan.GAPS:
        if gap.severity == "hoch":
            cells.add((gap.district, gap.category))
            for nbr in neighbours()[f"{CITY_ID}-{gap.district}"]:
                cells.add((nbr.removeprefix(f"{CITY_ID}-"), gap.category))
        elif not gap.own_service:
            cells.add((gap.district, gap.category))
    return frozenset(cells)


def low_cells() -> frozenset[tuple[str, str]]:
    """Cells whose services get tiny capacities: a mittel gap and all its neighbours."""
    cells: set[tuple[str, str]] = set()
    for gap in plan.GAPS:
        if gap.severity != "mittel":
            continue
        if gap.own_service:
            cells.add((gap.district, gap.category))
        for nbr in neighbours()[f"{CITY_ID}-{gap.district}"]:
            cells.add((nbr.removeprefix(f"{CITY_ID}-"), gap.category))
    return frozenset(cells)


class _Builder:
    def __init__(self, rng: random.Random, services_per_cell: int) -> None:
        self.rng = rng
        self.per_cell = services_per_cell
        self.layout = Layout()

    def location(self, org: str, district: str, label: str | None = None) -> str:
        loc_id = f"loc-{org}-{district}"
        if loc_id in self.layout.locations:
            return loc_id
        d = BY_SLUG[district]
        rng = self.rng
        self.layout.locations[loc_id] = Location(
            id=loc_id,
            name=label or f"{SHORT_NAMES[org]} {d.name}",
            organization_id=org,
            street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
            postal_code=d.postal_code,
            city="Stuttgart",
            latitude=round(d.lat + rng.uniform(-0.006, 0.006), 6),
            longitude=round(d.lon + rng.uniform(-0.008, 0.008), 6),
            area_id=d.id,
            source=SOURCE,
        )
        return loc_id

    def outpost(self, org: str, district: str, n: int) -> str:
        """The Standort of an Außenstelle: in its Stadtteil, at another street than the main one.

        Drawn from its own generator so the main landscape stays the same for every size.
        """
        loc_id = f"loc-{org}-{district}-{n}"
        if loc_id in self.layout.locations:
            return loc_id
        d = BY_SLUG[district]
        main = self.layout.locations[self.location(org, district)]
        rng = random.Random(f"verbund-demo:outpost:{loc_id}")
        main_street = (main.street or "").rsplit(" ", 1)[0]
        street = rng.choice([s for s in STREETS if s != main_street])
        self.layout.locations[loc_id] = Location(
            id=loc_id,
            name=f"{SHORT_NAMES[org]} {d.subdistricts[n - 1]}",
            organization_id=org,
            street=f"{street} {rng.randint(1, 120)}",
            postal_code=d.postal_code,
            city="Stuttgart",
            latitude=round(d.lat + rng.uniform(-0.01, 0.01), 6),
            longitude=round(d.lon + rng.uniform(-0.012, 0.012), 6),
            area_id=d.subdistrict_ids()[n - 1],
            source=SOURCE,
        )
        return loc_id

    def languages(self, category: str) -> tuple[str, ...]:
        extra = 3 if category == "migrationsberatung" else self.rng.choice((0, 1, 1, 2))
        others = self.rng.sample(LANGUAGES[1:], extra)
        return ("de", *sorted(others))

    def regular(self, org: str, category: str, district: str, sizing: Sizing) -> None:
        info = CATEGORY[category]
        d = BY_SLUG[district]
        # Large cities get several services of the same Träger per cell (Außenstellen).
        count = self.per_cell if d.population >= 25_000 and sizing == "regular" else 1
        for n in range(1, count + 1):
            suffix = "" if n == 1 else f"-{n}"
            where = d.name if n == 1 else f"{d.name}, Außenstelle {d.subdistricts[n - 1]}"
            name = f"{info.name} {where}"
            if sizing == "low":
                small = "Kleingruppe" if category == "kinderbetreuung" else "Außensprechstunde"
                name = f"{info.name} {d.name} ({small})"
            self.layout.slots.append(
                ServiceSlot(
                    id=f"svc-{category}-{district}{suffix}",
                    organization_id=org,
                    category_id=category,
                    district=district,
                    name=name,
                    target_groups=info.target_groups,
                    languages=self.languages(category),
                    location_id=(
                        self.location(org, district) if n == 1 else self.outpost(org, district, n)
                    ),
                    sizing=sizing,
                    valid_from=date(self.rng.randint(2015, 2023), self.rng.choice((1, 4, 7)), 1),
                    valid_to=self.rng.choice((None, None, date(2027, 12, 31))),
                )
            )

    def extra(self, spec: plan.ExtraService) -> None:
        district = spec.district or "mitte"
        self.layout.slots.append(
            ServiceSlot(
                id=f"svc-{spec.key}",
                organization_id=spec.organization,
                category_id=spec.category,
                district=spec.district,
                name=spec.name,
                target_groups=spec.target_groups,
                languages=self.languages(spec.category),
                location_id=self.location(spec.organization, district),
                sizing="extra",
                active=spec.active,
                valid_from=date(2021, 1, 1) if spec.active else date(2019, 1, 1),
                # Ended services are ended by every reading: status and validity.
                valid_to=None if spec.active else date(2024, 6, 30),
                fixed_capacity=self.rng.randint(15, 40),
            )
        )

    def duplicate(self, spec: plan.DuplicateService) -> ServiceSlot:
        """A second record of the original's first service in its cell (see plan)."""
        org, category, district = spec.original
        found = [s for s in self.layout.cell(district, category) if s.organization_id == org]
        if not found:
            raise ValueError(f"Plan: kein Angebot von {org} für {category} in {district}")
        original = found[0]
        owner = spec.organization or org
        location_id = original.location_id
        if spec.location == "same_address":
            main = self.layout.locations[original.location_id]
            location_id = f"loc-dup-{spec.key}"
            self.layout.locations[location_id] = replace(
                main,
                id=location_id,
                name=spec.name,
                organization_id=owner,
                street=_other_spelling(main.street or ""),
            )
        email = None
        if spec.emails is not None:
            original.email, email = spec.emails
        slot = ServiceSlot(
            id=f"svc-{spec.key}",
            organization_id=owner,
            category_id=category,
            district=district,
            name=spec.name,
            target_groups=(
                original.target_groups if spec.target_groups is None else spec.target_groups
            ),
            languages=original.languages,
            location_id=location_id,
            sizing="duplicate",
            valid_from=original.valid_from,
            valid_to=original.valid_to,
            copy_of=original.id,
            email=email,
        )
        self.layout.slots.append(slot)
        return slot

    def offices(self) -> None:
        for district in JOBCENTER_OFFICES:
            name = f"Jobcenter Stuttgart, Standort {BY_SLUG[district].name}"
            self.location("jobcenter-stuttgart", district, name)
        for district in JUGENDAMT_CENTRES:
            name = f"Beratungszentrum Jugend und Familie {BY_SLUG[district].name}"
            self.location("jugendamt-stuttgart", district, name)


def layout(rng: random.Random, services_per_cell: int) -> Layout:
    """Every service slot and Standort, in a fixed order."""
    known = {o.id for o in ORGANIZATIONS}
    builder = _Builder(rng, services_per_cell)
    builder.offices()
    removed, low = removed_cells(), low_cells()
    for category, by_org in plan.PROVIDERS.items():
        for org, districts in by_org.items():
            if org not in known:
                raise ValueError(f"Plan nennt unbekannten Träger {org}")
            for district in districts:
                if (district, category) in removed:
                    continue
                sizing: Sizing = "low" if (district, category) in low else "regular"
                builder.regular(org, category, district, sizing)
    for group in plan.DUPLICATE_GROUPS:
        for spec in group:
            builder.extra(spec)
    for spec in plan.NEAR_MISS_SERVICES:
        builder.extra(spec)
    for duplicate in plan.DUPLICATE_SERVICES:
        builder.duplicate(duplicate)
    _check_one_provider_per_cell(builder.layout)
    return builder.layout


def _check_one_provider_per_cell(result: Layout) -> None:
    seen: dict[tuple[str, str], str] = {}
    for slot in result.slots:
        if slot.sizing in ("extra", "duplicate") or slot.district is None:
            continue
        key = (slot.district, slot.category_id)
        if seen.setdefault(key, slot.organization_id) != slot.organization_id:
            raise ValueError(f"Plan: zwei Träger für {key}")
    for d in DISTRICTS:
        for category in CATEGORY:
            if (d.slug, category) not in seen and (d.slug, category) not in removed_cells():
                raise ValueError(f"Plan: kein Träger für {d.slug}/{category}")
