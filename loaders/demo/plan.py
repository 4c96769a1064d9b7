"""The plan of the demo city: who serves which Stadtbezirk, and what is planted where.

Everything the analyses should find is declared here as data; the generator builds the records
from it and ``truth.py`` turns it into the planted truth. Outside the plan there is exactly one
Träger per Stadtbezirk and Leistungsbereich, so nothing else meets the analyses' definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

# Leistungsbereich -> Träger -> the Stadtbezirke (slugs) it is responsible for. Together they
# cover each Bezirk exactly once; the Zentrale Schuldnerberatung's three Träger split the city.
PROVIDERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "schuldnerberatung": {
        "caritas-stuttgart": ("mitte", "nord", "bad-cannstatt", "muenster", "muehlhausen",
                              "stammheim", "zuffenhausen", "feuerbach"),
        "eva-stuttgart": ("west", "sued", "botnang", "vaihingen", "moehringen", "degerloch",
                          "weilimdorf", "plieningen"),
        "praeventsozial": ("ost", "wangen", "hedelfingen", "obertuerkheim", "untertuerkheim",
                           "sillenbuch", "birkach"),
    },
    "suchtberatung": {
        "caritas-stuttgart": ("nord", "feuerbach", "weilimdorf", "zuffenhausen", "stammheim",
                              "botnang"),
        "eva-stuttgart": ("mitte", "west", "sued", "vaihingen", "moehringen", "degerloch",
                          "plieningen", "birkach"),
        "release-stuttgart": ("ost", "sillenbuch", "hedelfingen", "wangen"),
        "bwlv-stuttgart": ("bad-cannstatt", "muenster", "muehlhausen", "untertuerkheim",
                           "obertuerkheim"),
    },
    "sozialpsychiatrie": {
        "eva-stuttgart": ("mitte", "nord", "west", "sued", "botnang", "feuerbach", "weilimdorf",
                          "zuffenhausen", "stammheim"),
        "caritas-stuttgart": ("bad-cannstatt", "muenster", "muehlhausen", "untertuerkheim",
                              "obertuerkheim", "wangen", "hedelfingen", "ost"),
        "rudolf-sophien-stift": ("vaihingen", "moehringen", "degerloch", "sillenbuch", "birkach",
                                 "plieningen"),
    },
    "erziehungsberatung": {
        "jugendamt-stuttgart": ("mitte", "nord", "ost", "sued", "west", "bad-cannstatt",
                                "birkach", "botnang", "degerloch", "feuerbach", "hedelfingen",
                                "moehringen", "muehlhausen", "muenster", "obertuerkheim",
                                "plieningen", "sillenbuch", "stammheim", "untertuerkheim",
                                "vaihingen", "wangen", "weilimdorf", "zuffenhausen"),
    },
    "wohnungsnotfallhilfe": {
        "ambulante-hilfe-stuttgart": ("mitte", "nord", "bad-cannstatt", "muenster",
                                      "muehlhausen", "zuffenhausen", "stammheim", "feuerbach",
                                      "weilimdorf"),
        "eva-stuttgart": ("ost", "wangen", "untertuerkheim", "obertuerkheim", "hedelfingen",
                          "sillenbuch", "degerloch"),
        "sozialberatung-stuttgart": ("sued", "west", "botnang", "vaihingen", "moehringen",
                                     "plieningen", "birkach"),
    },
    "kinderbetreuung": {
        "kita-stuttgart": ("mitte", "nord", "ost", "sued", "west", "bad-cannstatt", "botnang",
                           "feuerbach", "hedelfingen", "moehringen", "muehlhausen", "muenster",
                           "obertuerkheim", "stammheim", "untertuerkheim", "vaihingen",
                           "wangen", "weilimdorf", "zuffenhausen"),
        "kinderwelt-ggmbh": ("degerloch", "sillenbuch", "birkach", "plieningen"),
    },
    "arbeitsfoerderung": {
        "neue-arbeit-stuttgart": ("mitte", "nord", "ost", "sued", "west", "bad-cannstatt",
                                  "feuerbach", "zuffenhausen", "stammheim", "weilimdorf",
                                  "botnang", "muenster", "muehlhausen"),
        "bbq-stuttgart": ("vaihingen", "moehringen", "degerloch", "plieningen", "birkach",
                          "sillenbuch", "hedelfingen", "wangen", "untertuerkheim",
                          "obertuerkheim"),
    },
    "migrationsberatung": {
        "caritas-stuttgart": ("mitte", "nord", "west", "sued", "botnang", "feuerbach",
                              "weilimdorf"),
        "awo-stuttgart": ("bad-cannstatt", "muenster", "muehlhausen", "zuffenhausen",
                          "stammheim", "ost", "wangen"),
        "drk-stuttgart": ("vaihingen", "moehringen", "degerloch", "plieningen", "birkach",
                          "sillenbuch", "hedelfingen", "untertuerkheim", "obertuerkheim"),
    },
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class PlannedGap:
    """A coverage gap: ``hoch`` removes every service in the Bezirk and its neighbours;
    ``mittel`` leaves only tiny capacities there (optionally none in the Bezirk itself)."""

    district: str
    category: str
    severity: Literal["hoch", "mittel"]
    own_service: bool = False  # mittel only: a tiny Außensprechstunde in the Bezirk itself


GAPS: tuple[PlannedGap, ...] = (
    PlannedGap("obertuerkheim", "migrationsberatung", "hoch"),
    PlannedGap("birkach", "wohnungsnotfallhilfe", "hoch"),
    PlannedGap("stammheim", "schuldnerberatung", "mittel", own_service=True),
    PlannedGap("vaihingen", "kinderbetreuung", "mittel"),
    PlannedGap("obertuerkheim", "sozialpsychiatrie", "mittel", own_service=True),
)


@dataclass(frozen=True, slots=True)
class ExtraService:
    """A second Träger's service in a Bezirk and Leistungsbereich (a planted Doppelstruktur,
    or a near miss when ``target_groups`` do not overlap or the service is not active)."""

    key: str
    organization: str
    category: str
    district: str | None  # None: city-wide
    name: str
    target_groups: tuple[str, ...]
    active: bool = True


# Each group is one planted Doppelstruktur together with the regular service of its cell.
DUPLICATE_GROUPS: tuple[tuple[ExtraService, ...], ...] = (
    (
        ExtraService("pb-eva-bad-cannstatt", "eva-stuttgart", "erziehungsberatung",
                     "bad-cannstatt", "Psychologische Beratungsstelle Bad Cannstatt",
                     ("familien", "kinder", "jugendliche")),
    ),
    (
        ExtraService("mb-awo-mitte", "awo-stuttgart", "migrationsberatung", "mitte",
                     "Migrationsberatung Mitte (AWO)", ("erwachsene", "gefluechtete")),
        ExtraService("mb-drk-mitte", "drk-stuttgart", "migrationsberatung", "mitte",
                     "Migrationsberatung Mitte (DRK)", ("familien", "gefluechtete")),
    ),
    (
        ExtraService("coaching-bbq-zuffenhausen", "bbq-stuttgart", "arbeitsfoerderung",
                     "zuffenhausen", "Jobcoaching Zuffenhausen",
                     ("erwachsene", "alleinerziehende")),
    ),
)  # fmt: skip

# Look like Doppelstrukturen but are not: no overlapping Zielgruppe, or not active.
NEAR_MISS_SERVICES: tuple[ExtraService, ...] = (
    ExtraService("u21-release-stadtweit", "release-stuttgart", "suchtberatung", None,
                 "Jugendsuchtberatung U21 (stadtweit)", ("jugendliche", "junge-erwachsene")),
    ExtraService("sb-praeventsozial-nord-modell", "praeventsozial", "schuldnerberatung", "nord",
                 "Modellprojekt Schuldnerprävention Nord (beendet)", ("erwachsene", "familien"),
                 active=False),
    ExtraService("kita-kinderwelt-west-alt", "kinderwelt-ggmbh", "kinderbetreuung", "west",
                 "Kinderhaus West (geschlossen)", ("kinder", "familien"), active=False),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DuplicateService:
    """A second record of a regular service, entered by another clerk under another spelling.

    It copies the original's Bezirk, Leistungsbereich, Zielgruppen and capacity. ``location``
    says how its Standort was entered: ``same`` (the original's record) or ``same_address`` (a
    Standort record of its own at the original's address, the street spelled differently).
    """

    key: str
    original: tuple[str, str, str]  # (organization, category, district) of the original
    name: str
    organization: str | None = None  # None: the original's Träger; else a duplicate record of it
    location: Literal["same", "same_address"] = "same"
    emails: tuple[str, str] | None = None  # (original's, duplicate's): one address, typed twice
    target_groups: tuple[str, ...] | None = None  # None: the original's


# Planted duplicate service records, far from the planted gaps (their capacity counts twice).
# Near misses that must not be flagged are everywhere: the Schuldnerberatung of the three Träger
# of the Zentrale Schuldnerberatung (names differing only in the Bezirk), the Migrationsberatung
# Mitte of Caritas, AWO and DRK (a Doppelstruktur, not one record), several Angebote of one
# Träger at one Standort (other Leistungsbereiche), Außenstellen in large Bezirke (own Standorte).
DUPLICATE_SERVICES: tuple[DuplicateService, ...] = (
    DuplicateService("sb-caritas-mitte-2", ("caritas-stuttgart", "schuldnerberatung", "mitte"),
                     "Schuldnerberatung Stuttgart-Mitte"),
    DuplicateService("sucht-eva-sued-2", ("eva-stuttgart", "suchtberatung", "sued"),
                     "Suchtberatungsstelle Stuttgart-Süd (eva)", location="same_address",
                     emails=("suchtberatung-sued@eva-stuttgart.example",
                             "Suchtberatung-Sued@eva-stuttgart.example")),
    # Entered under the planted duplicate Träger record "AWO Stuttgart", Zielgruppen left empty.
    DuplicateService("mb-awo-bad-cannstatt-2",
                     ("awo-stuttgart", "migrationsberatung", "bad-cannstatt"),
                     "Migrationsberatung Bad Cannstatt (AWO)", organization="awo-kv-stuttgart",
                     location="same_address", target_groups=()),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DoubleSupport:
    """Households referred in parallel in one Leistungsbereich to two Träger's services."""

    count: int
    district: str  # where the households live
    category: str
    first: tuple[str, str]  # (organization, district of its service)
    second: tuple[str, str]
    coordinated: bool


DOUBLE_SUPPORT: tuple[DoubleSupport, ...] = (
    # Both Träger are in the Zentrale Schuldnerberatung (a Network): coordinated.
    DoubleSupport(4, "zuffenhausen", "schuldnerberatung", ("caritas-stuttgart", "zuffenhausen"),
                  ("eva-stuttgart", "weilimdorf"), coordinated=True),
    # Jugendamt and eva have a Kooperationsvereinbarung on Erziehungsberatung: coordinated.
    DoubleSupport(2, "bad-cannstatt", "erziehungsberatung",
                  ("jugendamt-stuttgart", "bad-cannstatt"), ("eva-stuttgart", "bad-cannstatt"),
                  coordinated=True),
    # No Agreement, no shared Network: uncoordinated.
    DoubleSupport(3, "ost", "migrationsberatung", ("awo-stuttgart", "ost"),
                  ("drk-stuttgart", "sillenbuch"), coordinated=False),
    DoubleSupport(2, "weilimdorf", "wohnungsnotfallhilfe",
                  ("ambulante-hilfe-stuttgart", "weilimdorf"),
                  ("sozialberatung-stuttgart", "botnang"), coordinated=False),
)  # fmt: skip

# Near misses: two active referrals in one Leistungsbereich but to the same Träger.
SAME_ORG_PARALLEL: tuple[tuple[str, str, tuple[str, str]], ...] = (
    ("mitte", "schuldnerberatung", ("mitte", "nord")),  # both caritas-stuttgart
)


@dataclass(frozen=True, slots=True)
class MissingCooperation:
    """Two Träger sharing many households without any Kooperationsvereinbarung."""

    first: tuple[str, str, str]  # (organization, category, district of its service)
    second: tuple[str, str, str]
    district: str  # where the planted households live
    count: int = 6


MISSING_COOPERATION: tuple[MissingCooperation, ...] = (
    MissingCooperation(("awo-stuttgart", "migrationsberatung", "ost"),
                       ("drk-stuttgart", "migrationsberatung", "sillenbuch"), "ost"),
    MissingCooperation(("ambulante-hilfe-stuttgart", "wohnungsnotfallhilfe", "bad-cannstatt"),
                       ("neue-arbeit-stuttgart", "arbeitsfoerderung", "bad-cannstatt"),
                       "bad-cannstatt"),
    MissingCooperation(("bwlv-stuttgart", "suchtberatung", "untertuerkheim"),
                       ("bbq-stuttgart", "arbeitsfoerderung", "untertuerkheim"),
                       "untertuerkheim"),
)  # fmt: skip


def missing_pairs() -> frozenset[frozenset[str]]:
    return frozenset(frozenset({m.first[0], m.second[0]}) for m in MISSING_COOPERATION)


def uncoordinated_pairs() -> frozenset[frozenset[str]]:
    return frozenset(
        frozenset({d.first[0], d.second[0]}) for d in DOUBLE_SUPPORT if not d.coordinated
    )
