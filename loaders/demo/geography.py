"""Stuttgart's 23 Stadtbezirke as data: names, rough figures, Stadtteile and shared borders.

Figures are rounded approximations of public statistics (population around 2023, SGB II
and child poverty rates as plausible orders of magnitude); the demo needs realistic shape,
not official numbers. Adjacency follows the real map (shared borders between Bezirke).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

CITY_ID = "stuttgart"


@dataclass(frozen=True, slots=True)
class District:
    slug: str
    name: str
    population: int
    lat: float
    lon: float
    postal_code: str
    sgb2_quote: float  # percent of residents under 65 receiving SGB II
    kinderarmut_quote: float  # percent of children in SGB II households
    migration_quote: float  # percent of residents with a migration background
    subdistricts: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{CITY_ID}-{self.slug}"

    def subdistrict_ids(self) -> tuple[str, ...]:
        return tuple(f"{self.id}-{n}" for n in range(1, len(self.subdistricts) + 1))


DISTRICTS: tuple[District, ...] = (
    District(
        "mitte", "Mitte", 23_000, 48.7775, 9.1800, "70173", 9.8, 17.5, 52.0,
        ("Oberer Schlossgarten", "Rathaus", "Neue Vorstadt", "Universität"),
    ),
    District(
        "nord", "Nord", 28_000, 48.8000, 9.1830, "70191", 8.1, 14.0, 44.0,
        ("Killesberg", "Nordbahnhof", "Weißenhof"),
    ),
    District(
        "ost", "Ost", 48_000, 48.7830, 9.2110, "70190", 8.4, 15.2, 45.0,
        ("Gablenberg", "Gaisburg", "Ostheim", "Berg"),
    ),
    District(
        "sued", "Süd", 44_000, 48.7580, 9.1650, "70180", 6.2, 11.0, 38.0,
        ("Heslach", "Kaltental", "Lehen"),
    ),
    District(
        "west", "West", 53_000, 48.7750, 9.1500, "70176", 5.6, 9.5, 37.0,
        ("Vogelsang", "Rosenberg", "Hölderlinplatz", "Feuersee"),
    ),
    District(
        "bad-cannstatt", "Bad Cannstatt", 71_000, 48.8050, 9.2250, "70372", 11.2, 21.0, 50.0,
        ("Hallschlag", "Neckarvorstadt", "Seelberg", "Sommerrain", "Burgholzhof"),
    ),
    District(
        "birkach", "Birkach", 7_000, 48.7230, 9.2050, "70599", 3.1, 5.5, 28.0,
        ("Birkach-Nord", "Birkach-Süd", "Schönberg"),
    ),
    District(
        "botnang", "Botnang", 13_000, 48.7800, 9.1180, "70195", 5.0, 9.0, 33.0,
        ("Botnang-Nord", "Botnang-Süd", "Botnang-Ost"),
    ),
    District(
        "degerloch", "Degerloch", 17_000, 48.7450, 9.1700, "70597", 3.6, 6.0, 30.0,
        ("Hoffeld", "Haigst", "Waldau", "Tränke"),
    ),
    District(
        "feuerbach", "Feuerbach", 30_000, 48.8150, 9.1600, "70469", 8.0, 14.5, 44.0,
        ("Feuerbacher Tal", "Siegelberg", "Lemberg-Föhrich"),
    ),
    District(
        "hedelfingen", "Hedelfingen", 10_000, 48.7620, 9.2500, "70329", 7.0, 12.5, 42.0,
        ("Rohracker", "Lederberg", "Hedelfingen-Ort"),
    ),
    District(
        "moehringen", "Möhringen", 32_000, 48.7250, 9.1450, "70567", 5.9, 10.8, 40.0,
        ("Fasanenhof", "Sonnenberg", "Möhringen-Mitte"),
    ),
    District(
        "muehlhausen", "Mühlhausen", 26_000, 48.8450, 9.2300, "70378", 9.6, 18.0, 47.0,
        ("Freiberg", "Mönchfeld", "Neugereut", "Hofen"),
    ),
    District(
        "muenster", "Münster", 6_500, 48.8230, 9.2150, "70376", 7.5, 13.0, 43.0,
        ("Münster-Nord", "Münster-Süd"),
    ),
    District(
        "obertuerkheim", "Obertürkheim", 8_500, 48.7600, 9.2700, "70329", 6.3, 11.5, 39.0,
        ("Uhlbach", "Obertürkheim-Ort"),
    ),
    District(
        "plieningen", "Plieningen", 13_000, 48.7030, 9.2100, "70599", 4.4, 8.0, 34.0,
        ("Hohenheim", "Asemwald", "Chausseefeld"),
    ),
    District(
        "sillenbuch", "Sillenbuch", 24_000, 48.7500, 9.2150, "70619", 4.2, 7.5, 31.0,
        ("Heumaden", "Riedenberg", "Sillenbuch-Ort"),
    ),
    District(
        "stammheim", "Stammheim", 12_000, 48.8500, 9.1550, "70439", 8.8, 16.0, 45.0,
        ("Stammheim-Mitte", "Stammheim-Süd"),
    ),
    District(
        "untertuerkheim", "Untertürkheim", 17_000, 48.7800, 9.2550, "70327", 8.6, 15.5, 47.0,
        ("Luginsland", "Rotenberg", "Benzviertel"),
    ),
    District(
        "vaihingen", "Vaihingen", 47_000, 48.7300, 9.1050, "70563", 5.4, 9.8, 39.0,
        ("Dürrlewang", "Rohr", "Büsnau", "Lauchhau"),
    ),
    District(
        "wangen", "Wangen", 9_500, 48.7750, 9.2400, "70327", 10.4, 19.5, 55.0,
        ("Wangen-Ort", "Wangen-Süd"),
    ),
    District(
        "weilimdorf", "Weilimdorf", 32_000, 48.8150, 9.1100, "70499", 7.2, 13.0, 42.0,
        ("Giebel", "Bergheim", "Hausen", "Wolfbusch"),
    ),
    District(
        "zuffenhausen", "Zuffenhausen", 39_000, 48.8300, 9.1700, "70435", 10.1, 19.0, 51.0,
        ("Rot", "Zazenhausen", "Neuwirtshaus", "Schildacker"),
    ),
)  # fmt: skip

# Shared borders between Stadtbezirke (each pair once), from the city map.
BORDERS: tuple[tuple[str, str], ...] = (
    ("mitte", "nord"),
    ("mitte", "ost"),
    ("mitte", "sued"),
    ("mitte", "west"),
    ("nord", "west"),
    ("nord", "ost"),
    ("nord", "bad-cannstatt"),
    ("nord", "feuerbach"),
    ("nord", "botnang"),
    ("nord", "zuffenhausen"),
    ("ost", "sued"),
    ("ost", "bad-cannstatt"),
    ("ost", "wangen"),
    ("ost", "hedelfingen"),
    ("ost", "sillenbuch"),
    ("sued", "west"),
    ("sued", "degerloch"),
    ("sued", "moehringen"),
    ("sued", "vaihingen"),
    ("west", "botnang"),
    ("west", "vaihingen"),
    ("bad-cannstatt", "wangen"),
    ("bad-cannstatt", "untertuerkheim"),
    ("bad-cannstatt", "muehlhausen"),
    ("bad-cannstatt", "muenster"),
    ("birkach", "plieningen"),
    ("birkach", "sillenbuch"),
    ("birkach", "degerloch"),
    ("botnang", "feuerbach"),
    ("botnang", "weilimdorf"),
    ("botnang", "vaihingen"),
    ("degerloch", "sillenbuch"),
    ("degerloch", "plieningen"),
    ("degerloch", "moehringen"),
    ("feuerbach", "weilimdorf"),
    ("feuerbach", "zuffenhausen"),
    ("hedelfingen", "wangen"),
    ("hedelfingen", "sillenbuch"),
    ("hedelfingen", "obertuerkheim"),
    ("hedelfingen", "untertuerkheim"),
    ("moehringen", "plieningen"),
    ("moehringen", "vaihingen"),
    ("muehlhausen", "muenster"),
    ("muehlhausen", "zuffenhausen"),
    ("muehlhausen", "stammheim"),
    ("muenster", "zuffenhausen"),
    ("obertuerkheim", "untertuerkheim"),
    ("stammheim", "zuffenhausen"),
    ("untertuerkheim", "wangen"),
    ("weilimdorf", "zuffenhausen"),
)

BY_SLUG: Mapping[str, District] = {d.slug: d for d in DISTRICTS}


def district_id(slug: str) -> str:
    if slug not in BY_SLUG:
        raise KeyError(f"unbekannter Stadtbezirk: {slug}")
    return f"{CITY_ID}-{slug}"


@cache
def neighbours() -> Mapping[str, frozenset[str]]:
    """District id -> ids of the districts it shares a border with."""
    result: dict[str, set[str]] = {d.id: set() for d in DISTRICTS}
    for a, b in BORDERS:
        result[district_id(a)].add(district_id(b))
        result[district_id(b)].add(district_id(a))
    return {k: frozenset(v) for k, v in result.items()}


@cache
def hops() -> Mapping[tuple[str, str], int]:
    """Shortest border-crossing distance between every pair of districts."""
    nbrs = neighbours()
    dist: dict[tuple[str, str], int] = {}
    for start in sorted(nbrs):
        seen = {start: 0}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for nxt in sorted(nbrs[here]):
                if nxt not in seen:
                    seen[nxt] = seen[here] + 1
                    queue.append(nxt)
        for other, d in seen.items():
            dist[(start, other)] = d
    return dist
