"""Doppelt erfasste Angebote: one Angebot entered twice under different spellings.

Only records of one Träger are compared: of the same organization, or of two organizations that
are duplicate candidates themselves (duplicate_records.py). Angebote of different Träger with
near-identical names, such as the Schuldnerberatung of Caritas, eva and PräventSozial, are at
most a Doppelstruktur (duplicate_structures.py), never one record entered twice.

Evidence for one record: a similar name (normalised like Träger names), a shared Standort or a
Standort at the same address, the same e-mail or website (not the Träger's own, which real
directories copy onto every Angebot), a shared Leistungsbereich, the same Sozialräume. Evidence
against: no shared Leistungsbereich (a Beratungszentrum offers several at one Standort),
Standorte known on both sides but none in common, disjoint Zielgruppen. The weights are in
``DuplicateServiceConfig``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from networkx.utils import UnionFind

from graph.analysis.config import DuplicateServiceConfig
from graph.analysis.duplicate_records import (
    name_similarity,
    normalize_address,
    normalize_name,
    normalize_website,
)
from graph.analysis.findings import Finding, Severity, fmt
from graph.analysis.snapshot import AreaIndex, OrganizationInfo, ServiceInfo

# German labels of the evidence, as the API and the report show them.
AGREEING = ("standort", "adresse", "e-mail", "website", "leistungsbereich", "sozialräume")
CONTRADICTING = ("leistungsbereich", "standort", "zielgruppen")
_AGAINST_TEXT = {
    "leistungsbereich": "kein gemeinsamer Leistungsbereich",
    "standort": "verschiedene Standorte",
    "zielgruppen": "verschiedene Zielgruppen",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateService(Finding):
    score: float
    name_similarity: float
    matched: tuple[str, ...]  # what agrees (labels from AGREEING)
    contradicting: tuple[str, ...]  # what speaks against it (labels from CONTRADICTING)
    same_organization: bool  # False: two records of a Träger that is itself a duplicate


@dataclass(frozen=True, slots=True)
class ServiceMatch:
    """How much two service records look like one Angebot, and why."""

    score: float
    name_similarity: float
    matched: tuple[str, ...]
    contradicting: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Keys:
    service: ServiceInfo
    name: str
    email: str | None
    website: str | None
    locations: frozenset[str]
    addresses: frozenset[str]
    categories: frozenset[str]
    areas: frozenset[str]
    groups: frozenset[str]


def _email(value: str | None) -> str | None:
    return value.strip().lower() if value else None


def _keys(s: ServiceInfo, owner: OrganizationInfo | None = None) -> _Keys:
    email, website = _email(s.email), normalize_website(s.url)
    if owner is not None:
        # The Träger's own address or homepage on an Angebot says nothing about the Angebot:
        # in real directories every record of a Träger carries it.
        if email is not None and email == _email(owner.email):
            email = None
        if website is not None and website == normalize_website(owner.website):
            website = None
    return _Keys(
        service=s,
        name=normalize_name(s.name),
        email=email,
        website=website,
        locations=frozenset(s.location_ids),
        addresses=frozenset(a for x in s.addresses if (a := normalize_address(x))),
        categories=frozenset(s.category_ids),
        areas=frozenset(s.area_ids),
        groups=frozenset(s.target_groups),
    )


def _evidence(
    a: _Keys, b: _Keys, config: DuplicateServiceConfig
) -> tuple[float, tuple[str, ...], tuple[str, ...]]:
    """Everything but the name: (score part, what agrees, what speaks against)."""
    score = 0.0
    matched: list[str] = []
    against: list[str] = []
    if a.locations & b.locations:
        matched.append("standort")
        score += config.location_weight
    elif a.addresses & b.addresses:
        matched.append("adresse")
        score += config.location_weight
    elif a.locations and b.locations:
        against.append("standort")
        score -= config.other_location_penalty
    if a.email is not None and a.email == b.email:
        matched.append("e-mail")
        score += config.email_weight
    if a.website is not None and a.website == b.website:
        matched.append("website")
        score += config.website_weight
    if a.categories & b.categories:
        matched.append("leistungsbereich")
        score += config.category_weight
    elif a.categories and b.categories:
        against.append("leistungsbereich")
        score -= config.no_category_penalty
    if a.areas and a.areas == b.areas:
        matched.append("sozialräume")
        score += config.areas_weight
    if a.groups and b.groups and not a.groups & b.groups:
        against.append("zielgruppen")
        score -= config.other_target_groups_penalty
    return score, tuple(matched), tuple(against)


def _match(
    a: _Keys, b: _Keys, config: DuplicateServiceConfig, *, at_least: float | None = None
) -> ServiceMatch | None:
    """The pair's score; None when it cannot reach ``at_least`` even with identical names (the
    name comparison is by far the dearest part, and most pairs of one Träger fail without it)."""
    rest, matched, against = _evidence(a, b, config)
    if at_least is not None and rest + config.name_weight < at_least:
        return None
    similarity = name_similarity(a.name, b.name)
    score = config.name_weight * similarity + rest
    return ServiceMatch(
        score=round(min(max(score, 0.0), 1.0), 3),
        name_similarity=round(similarity, 3),
        matched=matched,
        contradicting=against,
    )


def score_services(
    a: ServiceInfo,
    b: ServiceInfo,
    config: DuplicateServiceConfig,
    organizations: Mapping[str, OrganizationInfo] | None = None,
) -> ServiceMatch:
    """The score of one pair (whatever their Träger: the caller decides who is compared)."""
    orgs = organizations or {}
    match = _match(
        _keys(a, orgs.get(a.organization_id)), _keys(b, orgs.get(b.organization_id)), config
    )
    assert match is not None
    return match


def _owners(
    services: Sequence[ServiceInfo], duplicate_organizations: Iterable[tuple[str, str]]
) -> dict[str, str]:
    """Organization id -> one id for its Träger (duplicate candidates joined transitively)."""
    owners = UnionFind(sorted({s.organization_id for s in services}))
    for a, b in duplicate_organizations:
        owners.union(a, b)
    return {s.organization_id: str(owners[s.organization_id]) for s in services}


def _candidate_pairs(
    keys: Sequence[_Keys], owner: Mapping[str, str], config: DuplicateServiceConfig
) -> set[tuple[int, int]]:
    blocks: dict[tuple[str, ...], list[int]] = defaultdict(list)
    by_category: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        who = owner[k.service.organization_id]
        for location in k.locations:
            blocks[(who, "loc", location)].append(i)
        for address in k.addresses:
            blocks[(who, "addr", address)].append(i)
        if k.email:
            blocks[(who, "mail", k.email)].append(i)
        if k.website:
            blocks[(who, "web", k.website)].append(i)
        for category in k.categories:
            by_category[(who, category)].append(i)
    for (who, category), members in by_category.items():
        if len(members) <= config.max_block:
            blocks[(who, "cat", category)] = members
            continue
        # A Träger with very many records in one Leistungsbereich: split by name token.
        for i in members:
            for token in set(keys[i].name.split()):
                if len(token) >= 3:
                    blocks[(who, "cat", category, token)].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > config.max_block:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def duplicate_services(
    services: Iterable[ServiceInfo],
    config: DuplicateServiceConfig,
    *,
    duplicate_organizations: Iterable[tuple[str, str]] = (),
    index: AreaIndex | None = None,
    organizations: Iterable[OrganizationInfo] = (),
) -> list[DuplicateService]:
    """Pairs of service records that are probably one Angebot, best candidates first.

    ``duplicate_organizations`` are pairs of organization ids that are duplicate candidates:
    their records count as one Träger's. With an ``index`` the findings name the analysis
    units the two records serve (none for a city-wide one). ``organizations`` give the names
    for the explanations and the Träger-wide contacts, which are no evidence.
    """
    ordered = sorted(services, key=lambda s: s.id)
    orgs = {o.id: o for o in organizations}
    keys = [_keys(s, orgs.get(s.organization_id)) for s in ordered]
    owner = _owners(ordered, duplicate_organizations)
    names = {o.id: o.name for o in orgs.values()}
    found: list[DuplicateService] = []
    for i, j in sorted(_candidate_pairs(keys, owner, config)):
        a, b = keys[i], keys[j]
        match = _match(a, b, config, at_least=config.min_score)
        if match is None or match.score < config.min_score:
            continue
        sa, sb = a.service, b.service
        same_org = sa.organization_id == sb.organization_id
        shared = sorted(a.categories & b.categories)
        areas: tuple[str, ...] = ()
        if index is not None:
            units = index.served_units((*sa.area_ids, *sb.area_ids))
            areas = tuple(sorted(units)) if units is not None else ()
        severity: Severity = "hoch" if match.score >= 0.9 else "mittel"
        found.append(
            DuplicateService(
                kind="duplicate_service",
                severity=severity,
                explanation=_explain(sa, sb, match, same_org, names),
                area_ids=areas,
                organization_ids=tuple(sorted({sa.organization_id, sb.organization_id})),
                service_ids=(sa.id, sb.id),
                category_id=shared[0] if shared else None,
                counts={"score": match.score, "name_similarity": match.name_similarity},
                score=match.score,
                name_similarity=match.name_similarity,
                matched=match.matched,
                contradicting=match.contradicting,
                same_organization=same_org,
            )
        )
    found.sort(key=lambda f: (-f.score, f.service_ids))
    return found


def _explain(
    a: ServiceInfo, b: ServiceInfo, match: ServiceMatch, same_org: bool, names: Mapping[str, str]
) -> str:
    org_a = names.get(a.organization_id, a.organization_id)
    if same_org:
        owner = f"beide von {org_a}"
    else:
        org_b = names.get(b.organization_id, b.organization_id)
        owner = f"von {org_a} und {org_b}, selbst vermutlich ein Träger"
    agree = ", ".join(match.matched) if match.matched else "nur der Name"
    against = "; ".join(_AGAINST_TEXT[c] for c in match.contradicting)
    return (
        f"„{a.name}“ und „{b.name}“ ({owner}) sind vermutlich dasselbe Angebot, doppelt erfasst: "
        f"Namensähnlichkeit {fmt(100 * match.name_similarity, 0)} %, übereinstimmend: {agree}"
        + (f"; dagegen spricht: {against}" if against else "")
        + "."
    )
