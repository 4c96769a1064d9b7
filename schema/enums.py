"""Enumerations of the schema; their values are the strings the graph stores."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Ebene eines Sozialraums.")
class AreaLevel(Enum):
    CITY = "city"
    DISTRICT = "district"
    SUBDISTRICT = "subdistrict"
    PLANNING = "planning"


@strawberry.enum(description="Sektor eines Trägers.")
class Sector(Enum):
    PUBLIC = "public"
    NONPROFIT = "nonprofit"
    PRIVATE = "private"


@strawberry.enum(description="Status eines Angebots.")
class ServiceStatus(Enum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    ARCHIVED = "archived"


@strawberry.enum(description="Art eines Netzwerks (Verbund, Arbeitskreis, Netzwerk).")
class NetworkKind(Enum):
    VERBUND = "verbund"
    ARBEITSKREIS = "arbeitskreis"
    NETZWERK = "netzwerk"


@strawberry.enum(description="Status eines Handlungsbedarfs.")
class NeedStatus(Enum):
    OPEN = "open"
    MET = "met"
    CLOSED = "closed"


@strawberry.enum(
    description="Status einer Überleitung: aktiv sind CREATED (angelegt), WAITLISTED (auf der "
    "Warteliste), ACCEPTED (angenommen), STARTED (begonnen); abgeschlossen DECLINED (abgelehnt), "
    "COMPLETED (abgeschlossen), CANCELLED (zurückgezogen), NOT_TAKEN_UP (nicht wahrgenommen)."
)
class ReferralStatus(Enum):
    CREATED = "created"
    WAITLISTED = "waitlisted"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    STARTED = "started"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NOT_TAKEN_UP = "not_taken_up"


@strawberry.enum(description="Sortierung von Angeboten, Trägern und Sozialräumen.")
class DirectorySort(Enum):
    NAME = "name"
    DISTANCE = "distance"
    UPDATED = "updated"


@strawberry.enum(description="Sortierung von Überleitungen (jeweils neueste zuerst).")
class ReferralSort(Enum):
    CREATED = "created"
    UPDATED = "updated"
