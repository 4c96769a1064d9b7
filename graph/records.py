"""Domain records: plain typed values that cross package boundaries (never driver records).

Names follow the glossary in DEVELOPERS.md and, where they fit, Open Referral HSDS 3.x.
Every record has a stable ``id`` and the ``source`` it came from; timestamps are kept by
the graph layer on write (``created_at``, ``updated_at``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

AreaLevel = Literal["city", "district", "subdistrict", "planning"]
Sector = Literal["public", "nonprofit", "private"]
ServiceStatus = Literal["active", "inactive", "archived"]
NeedStatus = Literal["open", "met", "closed"]
ReferralStatus = Literal["created", "accepted", "declined", "started", "completed", "cancelled"]
NetworkKind = Literal["verbund", "arbeitskreis", "netzwerk"]

REFERRAL_STATUSES: tuple[ReferralStatus, ...] = (
    "created",
    "accepted",
    "declined",
    "started",
    "completed",
    "cancelled",
)
CLOSED_REFERRAL_STATUSES: frozenset[str] = frozenset({"declined", "completed", "cancelled"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Area:
    """Sozialraum: a planning area, nested (city > district > sub-district) via ``parent_id``."""

    id: str
    name: str
    level: AreaLevel
    parent_id: str | None = None
    population: int | None = None
    geometry: str | None = None  # GeoJSON geometry as text, kept for maps
    centroid_lat: float | None = None
    centroid_lon: float | None = None
    indicators: dict[str, float] = field(default_factory=dict)
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Adjacency:
    """Two Sozialräume share a border (stored once, read in both directions)."""

    area_id: str
    other_area_id: str
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Category:
    """Leistungsbereich (HSDS taxonomy_term), optionally below a broader one."""

    id: str
    name: str
    parent_id: str | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """Träger (HSDS organization)."""

    id: str
    name: str
    sector: Sector = "nonprofit"
    description: str = ""
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Standort (HSDS location) of an organization, placed in a Sozialraum."""

    id: str
    name: str
    organization_id: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    area_id: str | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """Angebot (HSDS service) of a Träger, serving Sozialräume (HSDS service_area)."""

    id: str
    organization_id: str
    name: str
    description: str = ""
    category_ids: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("de",)
    legal_basis: str | None = None  # e.g. "§ 16a SGB II"
    capacity: int | None = None  # HSDS service_capacity: places / cases at a time
    capacity_unit: str | None = None
    capacity_used: int | None = None
    status: ServiceStatus = "active"
    valid_from: date | None = None
    valid_to: date | None = None
    area_ids: tuple[str, ...] = ()
    location_ids: tuple[str, ...] = ()
    email: str | None = None
    url: str | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Agreement:
    """Kooperationsvereinbarung between two Träger, e.g. priority access for Jobcenter clients."""

    id: str
    title: str
    party_ids: tuple[str, ...]
    kind: str = "kooperation"
    priority_access: bool = False
    category_ids: tuple[str, ...] = ()  # the Leistungsbereiche it covers; empty = all
    terms: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    document_ref: str | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    """Verbund or Arbeitskreis: a multilateral network of Träger, active in Sozialräume."""

    id: str
    name: str
    kind: NetworkKind = "verbund"
    description: str = ""
    area_ids: tuple[str, ...] = ()
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Membership:
    """A Träger's membership in a Verbund/Arbeitskreis."""

    network_id: str
    organization_id: str
    role: str = "mitglied"
    since: date | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Household:
    """Bedarfsgemeinschaft/Familie, known only by a pseudonym; no names, no addresses."""

    id: str  # pseudonym
    area_id: str
    household_type: str = "unbekannt"
    age_bands: tuple[str, ...] = ()
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Need:
    """Handlungsbedarf of a household in one Leistungsbereich."""

    id: str
    household_id: str
    category_id: str
    status: NeedStatus = "open"
    identified_on: date | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Consent:
    """Einwilligung of household members to share data with named receiving Träger."""

    id: str
    household_id: str
    organization_ids: tuple[str, ...]
    purpose: str
    members: tuple[str, ...] = ()
    data_categories: tuple[str, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    revoked_at: datetime | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralEvent:
    """One step of a referral's status history: who changed it to what, and when."""

    status: ReferralStatus
    at: datetime
    by: str
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Referral:
    """Überleitung of a household from a Träger to a service, under a consent."""

    id: str
    household_id: str
    from_organization_id: str
    to_service_id: str
    consent_id: str
    status: ReferralStatus
    created_at: datetime
    need_id: str | None = None
    purpose: str = ""
    outcome: str | None = None
    decline_reason: str | None = None
    history: tuple[ReferralEvent, ...] = ()
    source: str = "manual"
