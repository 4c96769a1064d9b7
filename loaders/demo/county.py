"""A small synthetic Landkreis with its Kommunen: the second kind of Gebiet next to a city.

    from loaders.demo.county import county_bundle
    bundle = county_bundle(seed=2026)   # graph.Bundle, ids start with "lkr-lindenau"

Invented names and places (no real county): six Kommunen on a 3 x 2 grid of squares with
populations and indicators, a handful of Träger with Standorte and services (two Träger side
by side in one Kommune, one Träger recorded twice, Kommunen without any service in a
Leistungsbereich), pseudonymous households with open needs and one cooperation agreement.
Every random choice comes from a ``random.Random`` seeded with a string, so the same seed
gives identical records; used by the tests that load a city and a county into one graph.
"""

from __future__ import annotations

import random

from graph.bundle import Bundle
from graph.records import (
    Agreement,
    Area,
    Category,
    Household,
    Location,
    Need,
    Organization,
    Sector,
    Service,
)
from loaders.demo.grid import Grid
from loaders.demo.grid import kommunen as grid_kommunen
from loaders.demo.organizations import SOURCE as CITY_SOURCE
from loaders.demo.vocabulary import CATEGORIES

SOURCE = "demo-landkreis"
ROOT = "lkr-lindenau"
# Kommune names, west to east, north row first.
KOMMUNEN = ("Aubach", "Birkenfeld", "Dornheim", "Erlenau", "Falkenried", "Grünstadt")
# Three Kommunen a row; the grid's north-west corner and square size in degrees.
_GRID = Grid(west=9.60, north=48.90, size=0.08, columns=3)
_CATEGORIES = ("schuldnerberatung", "suchtberatung", "erziehungsberatung")
# Träger: id suffix, name, phone, sector; the last two are one Träger recorded twice.
_TRAEGER: tuple[tuple[str, str, str, Sector], ...] = (
    ("awo", "AWO Kreisverband Lindenau e.V.", "07191 1001", "nonprofit"),
    ("caritas", "Caritasverband Landkreis Lindenau e.V.", "07191 2002", "nonprofit"),
    ("landratsamt", "Landratsamt Lindenau", "07191 3003", "public"),
    ("diakonie", "Diakonisches Werk Lindenau e.V.", "07191 4004", "nonprofit"),
    ("diakonie-2", "Diakonisches Werk Lindenau e. V.", "07191 4004", "nonprofit"),
)
# (Träger, Kommune index, Leistungsbereich, places): Kommunen 4 and 5 have no
# Suchtberatung, only Kommune 1 has Erziehungsberatung twice.
_SERVICES = (
    ("awo", 0, "schuldnerberatung", 12),
    ("awo", 1, "erziehungsberatung", 10),
    ("caritas", 1, "erziehungsberatung", 9),
    ("caritas", 2, "suchtberatung", 6),
    ("landratsamt", 0, "suchtberatung", 4),
    ("landratsamt", 3, "schuldnerberatung", 3),
    ("diakonie", 4, "schuldnerberatung", 5),
    ("diakonie-2", 4, "erziehungsberatung", 4),
    ("diakonie", 5, "erziehungsberatung", 2),
)


def county_bundle(seed: int = 2026, households: int = 160) -> Bundle:
    """The Landkreis as records; the same seed gives identical output."""
    rng = random.Random(f"verbund-landkreis:{seed}")
    kommunen = [f"{ROOT}-{name.lower().replace('ü', 'ue')}" for name in KOMMUNEN]
    grid_areas, adjacencies = grid_kommunen(
        rng,
        _GRID,
        parent=ROOT,
        ids=kommunen,
        names=KOMMUNEN,
        population=(4_000, 30_000),
        sgb2_quote=(2.0, 9.0),
        source=SOURCE,
    )
    areas = [Area(id=ROOT, name="Landkreis Lindenau", level="city", source=SOURCE), *grid_areas]
    names = {c.id: c.name for c in CATEGORIES}
    organizations = [
        Organization(id=f"{ROOT}-{key}", name=name, phone=phone, sector=sector, source=SOURCE)
        for key, name, phone, sector in _TRAEGER
    ]
    locations: dict[str, Location] = {}
    services: list[Service] = []
    for n, (key, at, category, places) in enumerate(_SERVICES):
        org = f"{ROOT}-{key}"
        loc_id = f"{org}-{at}"
        if loc_id not in locations:
            _, lat, lon = _GRID.square(at)
            locations[loc_id] = Location(
                id=loc_id,
                name=f"{KOMMUNEN[at]}, Beratungsstelle",
                organization_id=org,
                street=f"Hauptstraße {n + 1}",
                postal_code=f"7{1500 + at}",
                city=KOMMUNEN[at],
                latitude=lat,
                longitude=lon,
                area_id=kommunen[at],
                source=SOURCE,
            )
        services.append(
            Service(
                id=f"{ROOT}-angebot-{n + 1}",
                organization_id=org,
                name=f"{names[category]} {KOMMUNEN[at]}",
                category_ids=(category,),
                target_groups=("erwachsene", "familien"),
                capacity=places,
                capacity_used=rng.randrange(0, places + 1),
                area_ids=(kommunen[at],),
                location_ids=(loc_id,),
                source=SOURCE,
            )
        )
    homes: list[Household] = []
    needs: list[Need] = []
    for h in range(households):
        # Kommune 5 (the smallest share) stays without recorded households.
        area = kommunen[rng.choice((0, 0, 1, 1, 2, 3, 3, 4))]
        household_id = f"{ROOT}-hh-{h + 1:04d}"
        homes.append(Household(id=household_id, area_id=area, source=SOURCE))
        for category in _CATEGORIES:
            if rng.random() < 0.35:
                needs.append(
                    Need(
                        id=f"{household_id}-{category}",
                        household_id=household_id,
                        category_id=category,
                        source=SOURCE,
                    )
                )
    return Bundle(
        areas=areas,
        adjacencies=adjacencies,
        # The city's Leistungsbereiche, as the city writes them: loading both changes neither.
        categories=[Category(id=c, name=names[c], source=CITY_SOURCE) for c in _CATEGORIES],
        organizations=organizations,
        locations=list(locations.values()),
        services=services,
        agreements=[
            Agreement(
                id=f"{ROOT}-kooperation-1",
                title="Kooperation Beratung Lindenau",
                party_ids=(f"{ROOT}-awo", f"{ROOT}-caritas"),
                source=SOURCE,
            )
        ],
        households=homes,
        needs=needs,
    )
