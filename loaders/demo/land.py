"""Ein synthetisches Bundesland: many Gebiete in one graph, for analyses at Land scale.

    from loaders.demo.land import generate_land
    land = generate_land(seed=2026)   # land.bundle: graph.Bundle, land.truth: the city's truth

The Land holds the demo city (loaders/demo/generator.py, unchanged ids: its planted truth
stays checkable), the Landkreis Lindenau (county.py) and ``gebiete`` invented cities and
Landkreise generated here at scale, each with its own id prefix (``land-<slug>-``): Kommunen
or Stadtbezirke on a grid, Träger with a Standort and services, agreements between nearby
Träger, networks, pseudonymous households with open needs and referrals with status
histories. Names of places and Träger are invented; households are numbered pseudonyms.
Every random choice comes from a ``random.Random`` seeded with a string, so the same
arguments give identical records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from graph.bundle import Bundle
from graph.records import (
    CONSENT_DATA_CATEGORY_CODES,
    Agreement,
    Area,
    Category,
    Consent,
    Household,
    Location,
    Membership,
    Need,
    Network,
    Organization,
    Referral,
    Service,
)
from loaders.demo import timeline
from loaders.demo.county import county_bundle
from loaders.demo.generator import generate
from loaders.demo.grid import Grid
from loaders.demo.grid import kommunen as grid_kommunen
from loaders.demo.sizes import Size
from loaders.demo.truth import PlantedTruth
from loaders.demo.vocabulary import CATEGORIES, CATEGORY, HOUSEHOLD_TYPES

SOURCE = "demo-land"
# Invented Gebiete: (slug, name); the first four are kreisfreie Städte, the rest Landkreise.
GEBIETE: tuple[tuple[str, str], ...] = (
    ("neuhafen", "Neuhafen"),
    ("altenbrueck", "Altenbrück"),
    ("weidenstadt", "Weidenstadt"),
    ("rabenfels", "Rabenfels"),
    ("moorfeld", "Landkreis Moorfeld"),
    ("hollerbach", "Landkreis Hollerbach"),
    ("steinau", "Landkreis Steinau"),
    ("eichwalde", "Landkreis Eichwalde"),
    ("kieselbach", "Landkreis Kieselbach"),
    ("sonnental", "Landkreis Sonnental"),
    ("ulmengrund", "Landkreis Ulmengrund"),
    ("tannhoehe", "Landkreis Tannhöhe"),
)
_COLUMNS, _ROWS = 4, 3  # Kommunen or Stadtbezirke per Gebiet, on a grid
_FIRST = ("Ober", "Unter", "Nieder", "Hoch", "Alt", "Neu", "Klein", "Groß", "Mittel", "Wester")
_LAST = ("bach", "feld", "heim", "dorf", "au", "berg", "hausen", "ried", "stetten", "wang")
_HOLDERS = (
    "Arbeiterwohlfahrt",
    "Caritasverband",
    "Diakonisches Werk",
    "Deutsches Rotes Kreuz",
    "Paritätischer Verein",
    "Bürgerstiftung",
    "Evangelische Gesellschaft",
    "Katholischer Sozialdienst",
    "Lebenshilfe",
    "Nachbarschaftsverein",
    "Initiative",
    "Jugendwerk",
)
_KINDS = (
    "Beratungsstelle",
    "Familienzentrum",
    "Suchthilfe",
    "Schuldnerhilfe",
    "Stadtteiltreff",
    "Jugendhilfe",
    "Integrationsdienst",
    "Wohnhilfe",
    "Bildungswerk",
    "Kita",
)
# Invented name parts: most Träger are local associations with a name of their own.
_NAME_HEADS = (
    "Birken", "Linden", "Sonnen", "Regen", "Brunnen", "Eichen", "Mühlen", "Rosen", "Wiesen",
    "Tannen", "Quellen", "Kastanien", "Schwalben", "Lerchen", "Stern", "Anker", "Brücken",
    "Garten", "Falken", "Hafen", "Kiefern", "Morgen", "Ulmen", "Weiden", "Ahorn", "Holunder",
    "Kirsch", "Apfel", "Fichten", "Buchen", "Erlen", "Eschen", "Hasel", "Mohn", "Flieder",
    "Heide", "Moos", "Nebel", "Wolken", "Tauben", "Raben", "Kranich", "Otter", "Biber", "Fuchs",
    "Dachs", "Igel", "Hirsch", "Drossel", "Meisen", "Amsel", "Specht", "Reiher", "Schilf",
    "Klee", "Salbei",
)  # fmt: skip
_NAME_TAILS = (
    "hof", "weg", "haus", "brücke", "garten", "insel", "kreis", "werk", "netz", "punkt",
    "stube", "laden", "treff", "nest", "hafen", "tor", "bogen", "feld", "quelle", "zelt",
    "stein", "grund", "eck", "mark", "blick", "ring", "horn", "heim", "au", "bühl", "winkel",
    "berg", "wald", "ried", "bach", "born", "halde", "land", "mühle", "wiese",
)  # fmt: skip
_STREET_STEMS = (
    "Haupt", "Bahnhof", "Kirch", "Linden", "Schul", "Markt", "Garten", "Berg", "Wald", "Mühl",
    "Rosen", "Brunnen", "Friedhof", "Post", "Wiesen", "Schiller", "Goethe", "Uhland", "Mozart",
    "Bach",
)  # fmt: skip
_STREETS = tuple(f"{stem}{kind}" for stem in _STREET_STEMS for kind in ("straße", "weg"))
_REFERRERS = (("jobcenter", "Jobcenter"), ("jugendamt", "Jugendamt"), ("sozialamt", "Sozialamt"))


@dataclass(frozen=True, slots=True)
class Land:
    """The generated Land: the records to write and the planted truth of its demo city."""

    seed: int
    bundle: Bundle
    truth: PlantedTruth
    gebiete: int


def generate_land(
    seed: int = 2026,
    *,
    gebiete: int = 10,
    organizations: int = 2_000,
    households: int = 10_000,
    referrals: int = 15_000,
    agreements: int = 5_000,
    city_size: Size = "city",
) -> Land:
    """The Land: the demo city, the Landkreis Lindenau and ``gebiete`` generated Gebiete with
    ``organizations``, ``households``, ``referrals`` and ``agreements`` each."""
    if not 0 <= gebiete <= len(GEBIETE):
        raise ValueError(f"gebiete: 0 bis {len(GEBIETE)}, nicht {gebiete}")
    city = generate(city_size, seed)
    bundle = city.bundle
    county = county_bundle(seed)
    known = {c.id for c in bundle.categories}
    county.categories = [c for c in county.categories if c.id not in known]
    bundle.extend(county)
    for number, (slug, name) in enumerate(GEBIETE[:gebiete]):
        rng = random.Random(f"verbund-land:{seed}:{slug}")
        bundle.extend(
            _gebiet(
                rng,
                number,
                slug,
                name,
                organizations=organizations,
                households=households,
                referrals=referrals,
                agreements=agreements,
            )
        )
    missing = [c for c in CATEGORIES if c.id not in {k.id for k in bundle.categories}]
    bundle.categories.extend(Category(id=c.id, name=c.name, source=SOURCE) for c in missing)
    return Land(seed=seed, bundle=bundle, truth=city.truth, gebiete=gebiete + 2)


def _grid(number: int) -> Grid:
    """A Gebiet's Kommunen: Gebiete side by side in rows of four, east of the demo city."""
    size = 0.05
    return Grid(
        west=10.0 + (number % 4) * (_COLUMNS + 1) * size,
        north=49.6 - (number // 4) * (_ROWS + 1) * size,
        size=size,
        columns=_COLUMNS,
    )


def _gebiet(
    rng: random.Random,
    number: int,
    slug: str,
    name: str,
    *,
    organizations: int,
    households: int,
    referrals: int,
    agreements: int,
) -> Bundle:
    prefix = f"land-{slug}"
    out = Bundle()
    out.areas.append(Area(id=prefix, name=name, level="city", source=SOURCE))
    places = [f + last for f in _FIRST for last in _LAST]
    rng.shuffle(places)
    grid = _grid(number)
    kommunen = [f"{prefix}-k{i + 1:02d}" for i in range(_COLUMNS * _ROWS)]
    kommune_names = places[: len(kommunen)]
    areas, adjacencies = grid_kommunen(
        rng,
        grid,
        parent=prefix,
        ids=kommunen,
        names=kommune_names,
        population=(5_000, 60_000),
        sgb2_quote=(2.0, 12.0),
        source=SOURCE,
    )
    out.areas.extend(areas)
    out.adjacencies.extend(adjacencies)

    # Träger: the three referring offices first, then the providers, each with one Standort.
    home: dict[str, int] = {}  # Träger -> Kommune index
    by_kommune: list[list[str]] = [[] for _ in kommunen]
    referrers: list[str] = []
    for key, label in _REFERRERS:
        org_id = f"{prefix}-{key}"
        referrers.append(org_id)
        out.organizations.append(
            Organization(id=org_id, name=f"{label} {name}", sector="public", source=SOURCE)
        )
    # Distinct names: a word of its own and a kind; one in twenty belongs to a Verband.
    words = [h + t for h in _NAME_HEADS for t in _NAME_TAILS]
    rng.shuffle(words)
    names = [f"{w} {rng.choice(_KINDS)}" for w in words]
    for n in range(organizations):
        org_id = f"{prefix}-t{n + 1:05d}"
        at = min(int(rng.expovariate(0.35)), len(kommunen) - 1)  # the first Kommunen larger
        home[org_id] = at
        by_kommune[at].append(org_id)
        own = names[n % len(names)]
        if n >= len(names):
            own = f"{own} {kommune_names[at]}"
        if rng.random() < 0.05:
            own = f"{rng.choice(_HOLDERS)} {name}, {own}"
        out.organizations.append(
            Organization(
                id=org_id,
                name=own,
                sector="private" if rng.random() < 0.1 else "nonprofit",
                phone=f"0{7100 + number * 10 + at} {100000 + n}",
                email=f"kontakt@t{n + 1}-{slug}.example",
                website=f"https://t{n + 1}-{slug}.example" if rng.random() < 0.6 else None,
                source=SOURCE,
            )
        )
        _, lat, lon = grid.square(at)
        out.locations.append(
            Location(
                id=f"{org_id}-standort",
                name=f"{kommune_names[at]}, Standort",
                organization_id=org_id,
                street=f"{rng.choice(_STREETS)} {rng.randint(1, 250)}",
                postal_code=f"{70000 + number * 100 + at * 7}",
                city=kommune_names[at],
                latitude=lat,
                longitude=lon,
                area_id=kommunen[at],
                source=SOURCE,
            )
        )

    # Angebote: one or two per provider, in its Kommune (sometimes a neighbour's too).
    offers: dict[tuple[int, str], list[tuple[str, str]]] = {}  # (Kommune, Bereich) -> services
    all_offers: dict[str, list[tuple[str, str]]] = {}
    providers = [o for ks in by_kommune for o in ks]
    for org_id in providers:
        at = home[org_id]
        for m, info in enumerate(rng.sample(CATEGORIES, rng.choice((1, 1, 2)))):
            service_id = f"{org_id}-a{m + 1}"
            served = [kommunen[at]]
            if rng.random() < 0.2 and at + 1 < len(kommunen):
                served.append(kommunen[at + 1])
            capacity = rng.randint(5, 40)
            out.services.append(
                Service(
                    id=service_id,
                    organization_id=org_id,
                    name=f"{info.name} {kommune_names[at]}",
                    category_ids=(info.id,),
                    target_groups=info.target_groups[:2],
                    legal_basis=info.legal_basis,
                    capacity=capacity,
                    capacity_unit=info.capacity_unit,
                    capacity_used=rng.randint(0, capacity),
                    area_ids=tuple(served),
                    location_ids=(f"{org_id}-standort",),
                    source=SOURCE,
                )
            )
            offers.setdefault((at, info.id), []).append((service_id, org_id))
            all_offers.setdefault(info.id, []).append((service_id, org_id))

    # Vereinbarungen: mostly between Träger of the same Kommune, some with a referring office.
    for n in range(agreements):
        a = rng.choice(providers)
        local = by_kommune[home[a]]
        b = rng.choice(referrers) if rng.random() < 0.1 else rng.choice(local)
        if a == b:
            b = rng.choice(providers)
        if a == b:
            continue
        out.agreements.append(
            Agreement(
                id=f"{prefix}-v{n + 1:05d}",
                title=f"Kooperationsvereinbarung {n + 1}",
                party_ids=tuple(sorted((a, b))),
                category_ids=(rng.choice(CATEGORIES).id,),
                source=SOURCE,
            )
        )
    # Verbünde: one per Kommune with a share of its Träger and the referring offices.
    for i, members in enumerate(by_kommune):
        if len(members) < 3:
            continue
        network_id = f"{prefix}-netz-{i + 1:02d}"
        out.networks.append(
            Network(
                id=network_id,
                name=f"Netzwerk Frühe Hilfen {kommune_names[i]}",
                area_ids=(kommunen[i],),
                source=SOURCE,
            )
        )
        chosen = rng.sample(members, min(len(members), 12)) + referrers[:1]
        out.memberships.extend(
            Membership(network_id=network_id, organization_id=o, source=SOURCE)
            for o in sorted(chosen)
        )

    # Haushalte with open needs, and referrals to a service of the needed Leistungsbereich
    # (in the household's Kommune when there is one); pseudonyms only.
    homes: list[tuple[str, int]] = []
    for h in range(households):
        household_id = f"{prefix}-hh-{h + 1:06d}"
        at = min(int(rng.expovariate(0.3)), len(kommunen) - 1)
        homes.append((household_id, at))
        out.households.append(
            Household(
                id=household_id,
                area_id=kommunen[at],
                household_type=rng.choice(HOUSEHOLD_TYPES),
                source=SOURCE,
            )
        )
    needs: dict[tuple[str, str], Need] = {}
    drafts: list[tuple[str, int, str]] = []  # (household, Kommune, Bereich)
    for _ in range(referrals):
        household_id, at = rng.choice(homes)
        category = rng.choice(CATEGORIES).id
        drafts.append((household_id, at, category))
        if (household_id, category) not in needs:
            needs[(household_id, category)] = Need(
                id=f"{household_id}-{category}",
                household_id=household_id,
                category_id=category,
                source=SOURCE,
            )
    out.needs = sorted(needs.values(), key=lambda x: x.id)
    orgs_of: dict[str, set[str]] = {}
    made: list[tuple[str, str, str, str]] = []  # (household, service, from, Bereich)
    for household_id, at, category in drafts:
        candidates = offers.get((at, category)) or all_offers.get(category)
        if not candidates:
            continue
        service_id, provider = rng.choice(candidates)
        local = by_kommune[at] or providers
        sender = rng.choice(referrers) if rng.random() < 0.7 else rng.choice(local)
        if sender == provider:
            sender = referrers[0]
        orgs_of.setdefault(household_id, set()).update((sender, provider))
        made.append((household_id, service_id, sender, category))
    consents: dict[str, str] = {}
    for household_id in sorted(orgs_of):
        consent_id = f"{household_id}-einwilligung"
        consents[household_id] = consent_id
        start = timeline.START.date() - timedelta(days=30)
        out.consents.append(
            Consent(
                id=consent_id,
                household_id=household_id,
                organization_ids=tuple(sorted(orgs_of[household_id])),
                purpose="Überleitung und abgestimmte Hilfeplanung",
                data_categories=CONSENT_DATA_CATEGORY_CODES,
                valid_from=start,
                valid_to=start + timedelta(days=4 * 365),
                source=SOURCE,
            )
        )
    for n, (household_id, service_id, sender, category) in enumerate(made):
        created = timeline.random_start(rng)
        history = timeline.natural(rng, created, f"{sender}-fachkraft", f"{service_id}-team")
        out.referrals.append(
            Referral(
                id=f"{prefix}-ref-{n + 1:06d}",
                household_id=household_id,
                from_organization_id=sender,
                to_service_id=service_id,
                consent_id=consents[household_id],
                status=history[-1].status,
                created_at=created,
                need_id=needs[(household_id, category)].id,
                purpose=f"Überleitung {CATEGORY[category].name}",
                history=history,
                source=SOURCE,
            )
        )
    return out
