"""Default thresholds of the analyses, in one typed place (the team's "Default analysis semantics").

The demo generator plants truth for exactly these defaults; change them only together with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from graph.capacity import DEFAULT_MAX_AGE_DAYS

# Active: created, waitlisted, accepted, started (graph/records.py).
from graph.records import ACTIVE_REFERRAL_STATUSES as ACTIVE_REFERRAL_STATUSES

# Referrals after which the household did not really go there (declined, broken off, never
# taken up): all others count as "this household really went there" for missing cooperation.
DROPPED_REFERRAL_STATUSES: frozenset[str] = frozenset({"declined", "cancelled", "not_taken_up"})


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageConfig:
    """Versorgungslücken: two-step floating catchment over the district adjacency graph."""

    # Decay by adjacency hops: w(0)=1.0 (a city-wide service is at distance 0 everywhere),
    # w(1)=0.5, anything further away does not count.
    decay: tuple[float, ...] = (1.0, 0.5)
    min_demand: float = 5.0
    min_ratio: float = 0.5  # places per household in need
    level: str = "district"
    # Without household data, demand is estimated from an area indicator (a percentage of
    # the population), e.g. the share of SGB II receivers.
    estimate_indicator: str = "sgb2_quote"
    estimate_rate: float = 1.0  # households in need per indicator-person

    def weight(self, hops: int) -> float:
        return self.decay[hops] if 0 <= hops < len(self.decay) else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateStructureConfig:
    """Doppelstrukturen: same category, different Träger, overlapping target groups and areas."""

    min_services: int = 2
    # Unspecified target groups are treated as "open to everyone" only when this is set.
    empty_target_groups_overlap: bool = False
    # Utilisation below this and capacity above demand make a group a strong candidate.
    low_utilization: float = 0.6


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateRecordConfig:
    """Doppelte Datensätze: the linkage model's outcomes (graph/analysis/linkage/)."""

    # A merge is suggested from this posterior probability of "same Träger" (Fellegi–Sunter
    # with m/u by EM), and only when no distinctive word or legal form says "two entities".
    min_probability: float = 0.9
    # Names are compared only within blocks that share a word seen at most this often, or a
    # contact or address held by at most ``max_block`` records.
    max_token_frequency: int = 50
    max_block: int = 200


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateServiceConfig:
    """Doppelt erfasste Angebote: scored candidates for one Angebot entered twice.

    Only records of one Träger are compared (the same organization, or two organizations that
    are duplicate candidates themselves). score = name_weight x name similarity, plus the
    weights of what agrees, minus the penalties of what contradicts (clamped to 0..1). Two
    Außenstellen of one Träger in one Bezirk (similar names, same Leistungsbereich and
    Sozialräume, different Standorte) stay below the threshold; a shared Standort or address
    with a similar name, or a shared contact, reaches it.
    """

    min_score: float = 0.7
    name_weight: float = 0.5
    location_weight: float = 0.2  # same Standort, or a Standort at the same address
    email_weight: float = 0.15
    website_weight: float = 0.15
    category_weight: float = 0.1
    areas_weight: float = 0.1  # serve exactly the same Sozialräume
    # Evidence against one record: no shared Leistungsbereich (a Beratungszentrum offers several
    # at one Standort), Standorte known on both sides but none in common, disjoint Zielgruppen.
    no_category_penalty: float = 0.2
    other_location_penalty: float = 0.1
    other_target_groups_penalty: float = 0.3
    # A Leistungsbereich with more records of one Träger than this is compared only within
    # blocks that also share a name token, a Standort or a contact (keeps the work bounded).
    max_block: int = 400


@dataclass(frozen=True, slots=True, kw_only=True)
class DoubleSupportConfig:
    """Doppelbetreuung: >= 2 active referrals of one household to >= 2 Träger in one category."""

    min_referrals: int = 2
    min_organizations: int = 2


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingCooperationConfig:
    """Fehlende Kooperation: many shared households, no agreement."""

    min_shared_households: int = 5


@dataclass(frozen=True, slots=True, kw_only=True)
class WeakSpotConfig:
    """Schwachstellen im Kooperationsnetz."""

    top_brokers: int = 5
    min_broker_betweenness: float = 0.05
    # Below this Burt constraint a broker's partners hardly work with each other: the centre
    # of a star has 1/partners, two unlinked partners give 0.5, linked partners push it up
    # (a triangle's corner has 1.125).
    max_broker_constraint: float = 0.5
    # "auto": igraph (C, exact) above ``igraph_min_nodes`` when it is installed; else networkx,
    # exact up to ``exact_betweenness_max_nodes``, above with a seeded sample of k pivots. A
    # Gebiet of 2,000 Träger took minutes exact in networkx; 200 pivots keep the brokers the
    # report names (error measured in bench/README.md, "Land-scale analyses").
    igraph_min_nodes: int = 300
    exact_betweenness_max_nodes: int = 1_000
    betweenness_sample: int = 200
    betweenness_engine: Literal["auto", "networkx", "igraph"] = "auto"
    seed: int = 7


@dataclass(frozen=True, slots=True, kw_only=True)
class PathwayConfig:
    """Überleitungswege."""

    top_sequences: int = 10
    max_sequence_length: int = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisConfig:
    coverage: CoverageConfig = field(default_factory=CoverageConfig)
    duplicate_structures: DuplicateStructureConfig = field(default_factory=DuplicateStructureConfig)
    duplicate_records: DuplicateRecordConfig = field(default_factory=DuplicateRecordConfig)
    duplicate_services: DuplicateServiceConfig = field(default_factory=DuplicateServiceConfig)
    double_support: DoubleSupportConfig = field(default_factory=DoubleSupportConfig)
    missing_cooperation: MissingCooperationConfig = field(default_factory=MissingCooperationConfig)
    weak_spots: WeakSpotConfig = field(default_factory=WeakSpotConfig)
    pathways: PathwayConfig = field(default_factory=PathwayConfig)
    # Planner views never show a count below this (small-cell suppression).
    min_reported_count: int = 5
    # An occupancy last checked longer ago counts as unknown (graph/capacity.py).
    capacity_max_age_days: int = DEFAULT_MAX_AGE_DAYS


DEFAULT_CONFIG = AnalysisConfig()


def served_config(capacity_max_age_days: int) -> AnalysisConfig:
    """The config of the served analyses (GraphQL, the planner pages, the background
    precompute, graph/analysis/precompute.py): one, so they share one cache key."""
    return replace(DEFAULT_CONFIG, capacity_max_age_days=capacity_max_age_days)
