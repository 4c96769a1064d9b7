"""Kooperationsvereinbarungen, Verbünde and Arbeitskreise of the demo city.

Besides the standing agreements (priority access for Jobcenter clients at the Zentrale
Schuldnerberatung, §16a cooperation, Erziehungsberatung), every pair of Träger that shares
five or more households has an agreement on case coordination, except the pairs planted as
missing cooperation: so those are exactly the pairs the analysis should find.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from graph.analysis.config import DROPPED_REFERRAL_STATUSES
from graph.records import REFERRAL_STATUSES, Agreement, Membership, Network, NetworkKind
from loaders.demo import plan
from loaders.demo.geography import CITY_ID
from loaders.demo.organizations import SOURCE
from loaders.demo.referrals import ReferralDraft

SHARED_THRESHOLD = 5
COUNTED_STATUSES = frozenset(REFERRAL_STATUSES) - DROPPED_REFERRAL_STATUSES


@dataclass(frozen=True, slots=True)
class _Standing:
    id: str
    a: str
    b: str
    title: str
    categories: tuple[str, ...]
    priority: bool = False


STANDING: tuple[_Standing, ...] = (
    *(
        _Standing(f"kv-jobcenter-{org}-schuldnerberatung", "jobcenter-stuttgart", org,
                  "Vorrangiger Zugang zur Schuldnerberatung für Kundinnen und Kunden des "
                  "Jobcenters", ("schuldnerberatung",), priority=True)
        for org in ("caritas-stuttgart", "eva-stuttgart", "praeventsozial")
    ),
    *(
        _Standing(f"kv-jobcenter-{org}-16a", "jobcenter-stuttgart", org,
                  "Kommunale Eingliederungsleistungen nach § 16a SGB II",
                  ("suchtberatung", "sozialpsychiatrie"))
        for org in ("release-stuttgart", "bwlv-stuttgart", "rudolf-sophien-stift")
    ),
    *(
        _Standing(f"kv-jobcenter-{org}-arbeit", "jobcenter-stuttgart", org,
                  "Beschäftigung und Qualifizierung", ("arbeitsfoerderung",))
        for org in ("neue-arbeit-stuttgart", "bbq-stuttgart")
    ),
    _Standing("kv-jugendamt-eva-erziehungsberatung", "jugendamt-stuttgart", "eva-stuttgart",
              "Erziehungsberatung und Beratungszentren", ("erziehungsberatung",)),
    *(
        _Standing(f"kv-jugendamt-{org}-kita", "jugendamt-stuttgart", org,
                  "Kita-Platzvergabe für Familien in Beratung", ("kinderbetreuung",))
        for org in ("kita-stuttgart", "kinderwelt-ggmbh")
    ),
)  # fmt: skip


def _pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def shared_households(referrals: Iterable[ReferralDraft]) -> dict[tuple[str, str], int]:
    """Households per pair of receiving Träger (dropped referrals not counted)."""
    orgs_of: dict[int, set[str]] = {}
    for r in referrals:
        if r.status in COUNTED_STATUSES:
            orgs_of.setdefault(id(r.household), set()).add(r.slot.organization_id)
    counts: dict[tuple[str, str], int] = {}
    for orgs in orgs_of.values():
        for a, b in combinations(sorted(orgs), 2):
            counts[(a, b)] = counts.get((a, b), 0) + 1
    return counts


def agreements(referrals: list[ReferralDraft]) -> list[Agreement]:
    result = [
        Agreement(
            id=s.id,
            title=s.title,
            party_ids=_pair_key(s.a, s.b),
            kind="kooperation",
            priority_access=s.priority,
            category_ids=s.categories,
            terms="Vorrangige Terminvergabe binnen 10 Werktagen." if s.priority else "",
            valid_from=date(2023, 1, 1),
            document_ref=f"KV-{n:03d}/2023",
            source=SOURCE,
        )
        for n, s in enumerate(STANDING, start=1)
    ]
    missing = plan.missing_pairs()
    covered = {_pair_key(s.a, s.b) for s in STANDING}
    counts = shared_households(referrals)
    for n, (pair, count) in enumerate(sorted(counts.items()), start=1):
        if count < SHARED_THRESHOLD or pair in covered or frozenset(pair) in missing:
            continue
        result.append(
            Agreement(
                id=f"kv-fall-{pair[0]}-{pair[1]}",
                title="Kooperationsvereinbarung zur Fallabstimmung",
                party_ids=pair,
                kind="fallabstimmung",
                terms="Abgestimmte Hilfeplanung bei gemeinsam betreuten Familien.",
                valid_from=date(2024, 1, 1),
                document_ref=f"KV-F-{n:03d}/2024",
                source=SOURCE,
            )
        )
    for unrelated in plan.uncoordinated_pairs():
        a, b = sorted(unrelated)
        if counts.get((a, b), 0) >= SHARED_THRESHOLD and unrelated not in missing:
            raise ValueError(f"Plan: unkoordiniertes Paar {a}/{b} bekäme eine Vereinbarung")
    return result


@dataclass(frozen=True, slots=True)
class _NetworkInfo:
    id: str
    name: str
    kind: NetworkKind
    description: str
    areas: tuple[str, ...]
    members: tuple[tuple[str, str], ...]  # (organization, role)
    since: date


NETWORKS: tuple[_NetworkInfo, ...] = (
    _NetworkInfo("zentrale-schuldnerberatung", "Zentrale Schuldnerberatung Stuttgart", "verbund",
                 "Verbund dreier Träger, die sich die Stadtbezirke teilen.", (CITY_ID,),
                 (("caritas-stuttgart", "federfuehrend"), ("eva-stuttgart", "mitglied"),
                  ("praeventsozial", "mitglied"), ("jobcenter-stuttgart", "kooperationspartner")),
                 date(2012, 1, 1)),
    _NetworkInfo("suchthilfeverbund", "Suchthilfeverbund Stuttgart", "verbund",
                 "Abgestimmte Suchtberatung der Träger in den Regionen.", (CITY_ID,),
                 (("eva-stuttgart", "federfuehrend"), ("caritas-stuttgart", "mitglied"),
                  ("release-stuttgart", "mitglied"), ("bwlv-stuttgart", "mitglied")),
                 date(2015, 1, 1)),
    _NetworkInfo("gpv-stuttgart", "Gemeindepsychiatrischer Verbund Stuttgart", "verbund",
                 "Sozialpsychiatrische Dienste und Gemeindepsychiatrische Zentren.", (CITY_ID,),
                 (("eva-stuttgart", "mitglied"), ("caritas-stuttgart", "mitglied"),
                  ("rudolf-sophien-stift", "mitglied")),
                 date(2010, 1, 1)),
    _NetworkInfo("ak-wohnungsnot", "Arbeitskreis Wohnungsnotfallhilfe", "arbeitskreis",
                 "Fachaustausch der Wohnungsnotfallhilfe.", (CITY_ID,),
                 (("ambulante-hilfe-stuttgart", "sprecher"), ("eva-stuttgart", "mitglied"),
                  ("caritas-stuttgart", "mitglied")),
                 date(2018, 3, 1)),
    _NetworkInfo("ak-migration", "Arbeitskreis Migration und Integration", "arbeitskreis",
                 "Austausch der Migrationsdienste.", (CITY_ID,),
                 (("caritas-stuttgart", "sprecher"), ("awo-stuttgart", "mitglied"),
                  ("eva-stuttgart", "mitglied")),
                 date(2016, 9, 1)),
    _NetworkInfo("ak-fruehe-hilfen", "Arbeitskreis Frühe Hilfen", "arbeitskreis",
                 "Netzwerk Frühe Hilfen und Kinderschutz.", (CITY_ID,),
                 (("jugendamt-stuttgart", "federfuehrend"), ("kita-stuttgart", "mitglied"),
                  ("kinderwelt-ggmbh", "mitglied"), ("eva-stuttgart", "mitglied"),
                  ("caritas-stuttgart", "mitglied")),
                 date(2014, 5, 1)),
    _NetworkInfo("netzwerk-arbeit", "Netzwerk Arbeit und Beschäftigung", "netzwerk",
                 "Jobcenter und Beschäftigungsträger.", (CITY_ID,),
                 (("jobcenter-stuttgart", "federfuehrend"), ("neue-arbeit-stuttgart", "mitglied"),
                  ("bbq-stuttgart", "mitglied")),
                 date(2019, 1, 1)),
    _NetworkInfo("stadtteilrunde-hallschlag", "Stadtteilrunde Hallschlag", "arbeitskreis",
                 "Sozialraumrunde im Hallschlag.", (f"{CITY_ID}-bad-cannstatt",),
                 (("jugendamt-stuttgart", "mitglied"), ("caritas-stuttgart", "mitglied"),
                  ("awo-stuttgart", "mitglied"), ("neue-arbeit-stuttgart", "mitglied")),
                 date(2020, 2, 1)),
    _NetworkInfo("ak-fildern", "Arbeitskreis Soziales Filder", "arbeitskreis",
                 "Träger auf den Fildern.",
                 (f"{CITY_ID}-birkach", f"{CITY_ID}-plieningen", f"{CITY_ID}-degerloch",
                  f"{CITY_ID}-moehringen", f"{CITY_ID}-sillenbuch"),
                 (("jugendamt-stuttgart", "mitglied"), ("kinderwelt-ggmbh", "mitglied"),
                  ("rudolf-sophien-stift", "mitglied"), ("drk-stuttgart", "mitglied")),
                 date(2021, 6, 1)),
)  # fmt: skip


def networks() -> tuple[list[Network], list[Membership]]:
    nets = [
        Network(
            id=n.id,
            name=n.name,
            kind=n.kind,
            description=n.description,
            area_ids=n.areas,
            source=SOURCE,
        )
        for n in NETWORKS
    ]
    members = [
        Membership(network_id=n.id, organization_id=org, role=role, since=n.since, source=SOURCE)
        for n in NETWORKS
        for org, role in n.members
    ]
    for pair in plan.uncoordinated_pairs():
        for n in NETWORKS:
            if pair <= {org for org, _ in n.members}:
                raise ValueError(f"Plan: unkoordiniertes Paar {sorted(pair)} teilt {n.id}")
    return nets, members
