"""Domain records: plain typed values that cross package boundaries (never driver records).

Names follow the glossary in docs/model.md and, where they fit, Open Referral HSDS 3.x.
Every record has a stable ``id`` and the ``source`` it came from; timestamps are kept by
the graph layer on write (``created_at``, ``updated_at``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, get_args

from graph import normalize

AreaLevel = Literal["city", "district", "subdistrict", "planning"]
Sector = Literal["public", "nonprofit", "private"]
ServiceStatus = Literal["active", "inactive", "archived"]
NeedStatus = Literal["open", "met", "closed"]
ReferralStatus = Literal[
    "created",
    "waitlisted",
    "accepted",
    "declined",
    "started",
    "completed",
    "cancelled",
    "not_taken_up",
]
NetworkKind = Literal["verbund", "arbeitskreis", "netzwerk"]

REFERRAL_STATUSES: tuple[ReferralStatus, ...] = get_args(ReferralStatus)
# Closed: nothing follows any more (Überleitung beendet). Every other status is active.
CLOSED_REFERRAL_STATUSES: frozenset[str] = frozenset(
    {"declined", "completed", "cancelled", "not_taken_up"}
)
ACTIVE_REFERRAL_STATUSES: frozenset[str] = frozenset(REFERRAL_STATUSES) - CLOSED_REFERRAL_STATUSES
# The receiving Träger has answered once a referral left ``created`` this way (response times).
ANSWER_REFERRAL_STATUSES: frozenset[str] = frozenset({"waitlisted", "accepted", "declined"})


@dataclass(frozen=True, slots=True)
class Term:
    """One entry of a fixed vocabulary: the stored code and its German label and meaning."""

    code: str
    label: str
    description: str


# Consent data categories (Datenkategorien einer Einwilligung): what a receiving Träger may see
# of a household it was referred. The one vocabulary: imports, the API and the access
# policies (schema/policy.py) accept only these codes.
ConsentDataCategory = Literal["stammdaten", "bedarfslage", "hilfeverlauf"]
CONSENT_DATA_CATEGORY_CODES: tuple[ConsentDataCategory, ...] = get_args(ConsentDataCategory)
CONSENT_DATA_CATEGORIES: tuple[Term, ...] = (
    Term("stammdaten", "Stammdaten", "Haushaltstyp, Altersgruppen und Sozialraum des Haushalts"),
    Term("bedarfslage", "Bedarfslage", "Handlungsbedarfe"),
    Term(
        "hilfeverlauf",
        "Hilfeverlauf",
        "Verlauf der Überleitung (Statuswechsel, Ergebnis, Gründe)",
    ),
)
if tuple(t.code for t in CONSENT_DATA_CATEGORIES) != CONSENT_DATA_CATEGORY_CODES:
    raise AssertionError("CONSENT_DATA_CATEGORIES und ConsentDataCategory weichen ab")


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
    # HSDS fields verbund has no field of its own for, kept as received and exported again
    # (loaders/hsds/rest.py): JSON text, None for records that never came from HSDS.
    hsds: str | None = None
    source: str = "manual"


@dataclass(frozen=True, slots=True, kw_only=True)
class Organization:
    """Träger (HSDS organization)."""

    id: str
    name: str
    sector: Sector = "nonprofit"
    # Rechtsform as the source writes it ("e.V.", "gGmbH", "Limited Company"); None where
    # the sector says it all.
    legal_status: str | None = None
    description: str = ""
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    # HSDS fields verbund has no field of its own for, kept as received and exported again
    # (loaders/hsds/rest.py): JSON text, None for records that never came from HSDS.
    hsds: str | None = None
    source: str = "manual"

    def __post_init__(self) -> None:
        # Invisible characters (a soft hyphen) split words for the full-text index.
        object.__setattr__(self, "name", normalize.visible(self.name))
        object.__setattr__(self, "description", normalize.visible(self.description))


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
    phone: str | None = None
    # Öffnungszeiten as free text, e.g. "Mo–Do 9–12 Uhr, Di 14–17 Uhr" (HSDS schedule
    # description).
    opening_hours: str | None = None
    # HSDS fields verbund has no field of its own for, kept as received and exported again
    # (loaders/hsds/rest.py): JSON text, None for records that never came from HSDS.
    hsds: str | None = None
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
    # What to bring (HSDS required_document), e.g. "Personalausweis", "Mietvertrag".
    required_documents: tuple[str, ...] = ()
    # When the Träger last confirmed the details (zuletzt geprüft; HSDS assured_date).
    assured_date: date | None = None
    # HSDS fields verbund has no field of its own for, kept as received and exported again
    # (loaders/hsds/rest.py): JSON text, None for records that never came from HSDS.
    hsds: str | None = None
    source: str = "manual"

    def __post_init__(self) -> None:
        # One stored form of what offices write in many ways (graph/normalize.py), whichever
        # route the Angebot came by: every importer, the API and the demo build this record.
        object.__setattr__(self, "name", normalize.visible(self.name))
        object.__setattr__(self, "description", normalize.visible(self.description))
        object.__setattr__(self, "languages", normalize.languages(self.languages))
        if self.legal_basis is not None:
            object.__setattr__(self, "legal_basis", normalize.legal_basis(self.legal_basis))


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
    # The organization whose case it is (fallführende Stelle, CASE_OF): set when a caseworker
    # records the household; it sees the case before any referral.
    organization_id: str | None = None
    # The day the case ended (Fall abgeschlossen): the household and its history stay, its
    # open needs were closed with it (graph/casework.py).
    closed_on: date | None = None
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
    data_categories: tuple[ConsentDataCategory, ...] = ()
    valid_from: date | None = None
    valid_to: date | None = None
    revoked_at: datetime | None = None
    # How the consent is documented, e.g. "Einwilligung liegt schriftlich vor (03.12.2026)".
    evidence: str | None = None
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
