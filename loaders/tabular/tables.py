"""The tables of the canonical bundle: which record each holds, its columns and their names.

Column names are the record's field names (English); German headers as offices write them are
accepted beside them. Headers are compared after normalisation (case, umlauts, spaces, dashes),
so ``Gültig ab``, ``gueltig_ab`` and ``gültig ab`` are the same column.
"""

from __future__ import annotations

import re
import typing
from dataclasses import MISSING, dataclass, fields
from datetime import date, datetime
from functools import cached_property
from types import NoneType, UnionType
from typing import Any, Literal

from graph.bundle import Bundle
from graph.normalize import fold
from graph.records import (
    Adjacency,
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
    ReferralStatus,
    Service,
)
from graph.vocabulary import VOCABULARIES

Kind = Literal["text", "int", "float", "bool", "date", "datetime", "list", "indicators"]

INDICATOR_PREFIX = "indicator_"
_GERMAN_INDICATOR_PREFIX = "indikator "


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralEventRow:
    """A row of the ``referral_events`` table: one step of a referral's history."""

    referral_id: str
    position: int
    status: ReferralStatus
    at: datetime
    by: str
    note: str = ""
    source: str = "manual"


def normalize_header(text: str) -> str:
    """Compare headers loosely: ``Gültig ab`` == ``gueltig_ab`` == ``GÜLTIG-AB``."""
    return re.sub(r"[^a-z0-9]", "", fold(text))


_COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("Kennung", "ID"),
    "name": ("Bezeichnung",),
    "description": ("Beschreibung",),
    "valid_from": ("gültig ab",),
    "valid_to": ("gültig bis",),
    "email": ("E-Mail",),
    "phone": ("Telefon",),
    "website": ("Webseite", "Internet", "Homepage"),
    "url": ("Webseite", "Internet"),
    "status": ("Status",),
    "purpose": ("Zweck",),
    "kind": ("Art", "Typ"),
    "parent_id": ("übergeordnet", "Teil von", "parent"),
    "area_id": ("Sozialraum",),
    "area_ids": ("Sozialräume", "Sozialraum"),
    "organization_id": ("Träger",),
    "organization_ids": ("Träger",),
    "category_id": ("Leistungsbereich",),
    "category_ids": ("Leistungsbereiche", "Leistungsbereich"),
    "household_id": ("Familie", "Bedarfsgemeinschaft", "Haushalt"),
    "location_ids": ("Standorte", "Standort"),
    "target_groups": ("Zielgruppen", "Zielgruppe"),
    "languages": ("Sprachen", "Sprache"),
}

_WORDS: dict[str, dict[str, str]] = {
    "level": {
        "stadt": "city",
        "bezirk": "district",
        "stadtbezirk": "district",
        "stadtteil": "subdistrict",
        "planungsraum": "planning",
    },
    "sector": {
        "oeffentlich": "public",
        "oeffentlichertraeger": "public",
        "frei": "nonprofit",
        "freiertraeger": "nonprofit",
        "gemeinnuetzig": "nonprofit",
        "privat": "private",
        "gewerblich": "private",
    },
    "service_status": {"aktiv": "active", "inaktiv": "inactive", "archiviert": "archived"},
    "need_status": {"offen": "open", "erfuellt": "met", "erledigt": "met", "geschlossen": "closed"},
    "referral_status": {
        "angelegt": "created",
        "warteliste": "waitlisted",
        "aufderwarteliste": "waitlisted",
        "angenommen": "accepted",
        "abgelehnt": "declined",
        "begonnen": "started",
        "abgeschlossen": "completed",
        "abgebrochen": "cancelled",
        "nichtwahrgenommen": "not_taken_up",
    },
}

# The labels import messages name (graph/vocabulary.py) are accepted too, so a value copied
# from a message is never refused.
for _field, _words in _WORDS.items():
    for _term in VOCABULARIES[_field]:
        _words.setdefault(normalize_header(_term.label), _term.code)


@dataclass(frozen=True)
class Table:
    """One entity table: the bundle field it fills, its record type and its German names."""

    name: str
    record: type
    file_names: tuple[str, ...]
    aliases: dict[str, tuple[str, ...]]
    words: dict[str, str]  # field -> key into _WORDS for German enum values

    @cached_property
    def kinds(self) -> dict[str, Kind]:
        """Column fields (all record fields but ``source``) and how their cells are read."""
        hints = typing.get_type_hints(self.record)
        return {
            f.name: _kind(hints[f.name])
            for f in fields(self.record)
            if f.name not in ("source", "history")
        }

    @cached_property
    def required(self) -> frozenset[str]:
        return frozenset(
            f.name
            for f in fields(self.record)
            if f.default is MISSING and f.default_factory is MISSING
        )

    @cached_property
    def header_map(self) -> dict[str, str]:
        """Normalised header -> field name: field names first, then German names."""
        mapping = {normalize_header(name): name for name in self.kinds}
        for name in self.kinds:
            for alias in self.aliases.get(name, ()):
                mapping.setdefault(normalize_header(alias), name)
        for name in self.kinds:
            for alias in _COMMON_ALIASES.get(name, ()):
                mapping.setdefault(normalize_header(alias), name)
        return mapping

    def field_for(self, header: str) -> str | None:
        """The field a header names; ``indicator_<key>`` columns map to ``indicators``."""
        if "indicators" in self.kinds:
            if header.startswith(INDICATOR_PREFIX):
                return "indicators"
            if header.casefold().startswith(_GERMAN_INDICATOR_PREFIX):
                return "indicators"
        return self.header_map.get(normalize_header(header))

    def translate_word(self, field: str, value: Any) -> Any:
        if field not in self.words or not isinstance(value, str):
            return value
        return _WORDS[self.words[field]].get(normalize_header(value), value.strip())


def indicator_key(header: str) -> str:
    if header.startswith(INDICATOR_PREFIX):
        return header[len(INDICATOR_PREFIX) :]
    return header[len(_GERMAN_INDICATOR_PREFIX) :].strip()


def _kind(hint: Any) -> Kind:
    origin = typing.get_origin(hint)
    if origin in (UnionType, typing.Union):
        (inner,) = (a for a in typing.get_args(hint) if a is not NoneType)
        return _kind(inner)
    if origin is tuple:
        return "list"
    if origin is dict:
        return "indicators"
    if origin is Literal or hint is str:
        return "text"
    simple: dict[Any, Kind] = {
        bool: "bool",
        int: "int",
        float: "float",
        datetime: "datetime",
        date: "date",
    }
    return simple[hint]


TABLES: tuple[Table, ...] = (
    Table(
        "areas",
        Area,
        ("sozialraeume", "sozialräume"),
        {
            "level": ("Ebene",),
            "population": ("Einwohner", "Einwohnerzahl"),
            "geometry": ("Geometrie",),
            "centroid_lat": ("Schwerpunkt Breite",),
            "centroid_lon": ("Schwerpunkt Länge",),
        },
        {"level": "level"},
    ),
    Table(
        "adjacencies",
        Adjacency,
        ("nachbarschaften",),
        {"area_id": ("Sozialraum",), "other_area_id": ("Nachbar", "Nachbarraum")},
        {},
    ),
    Table("categories", Category, ("leistungsbereiche",), {"name": ("Leistungsbereich",)}, {}),
    Table(
        "organizations",
        Organization,
        ("traeger", "träger"),
        {"name": ("Träger", "Trägername"), "sector": ("Sektor", "Trägerart")},
        {"sector": "sector"},
    ),
    Table(
        "locations",
        Location,
        ("standorte",),
        {
            "street": ("Straße", "Anschrift"),
            "postal_code": ("PLZ", "Postleitzahl"),
            "city": ("Ort", "Stadt"),
            "latitude": ("Breite", "Breitengrad", "lat"),
            "longitude": ("Länge", "Längengrad", "lon"),
            "opening_hours": ("Öffnungszeiten",),
        },
        {},
    ),
    Table(
        "services",
        Service,
        ("angebote",),
        {
            "name": ("Angebot",),
            "legal_basis": ("Rechtsgrundlage",),
            "capacity": ("Kapazität", "Plätze"),
            "capacity_unit": ("Kapazitätseinheit", "Einheit"),
            "capacity_used": ("belegt", "belegte Plätze"),
            "required_documents": ("Was mitbringen", "Unterlagen", "mitzubringende Unterlagen"),
            "assured_date": ("zuletzt geprüft", "geprüft am"),
        },
        {"status": "service_status"},
    ),
    Table(
        "agreements",
        Agreement,
        ("kooperationsvereinbarungen", "vereinbarungen"),
        {
            "title": ("Titel", "Bezeichnung"),
            "party_ids": ("Parteien", "Vertragspartner", "Träger"),
            "priority_access": ("Vorrang", "vorrangiger Zugang"),
            "terms": ("Bedingungen", "Inhalt"),
            "document_ref": ("Dokument",),
        },
        {},
    ),
    Table("networks", Network, ("verbuende", "verbünde", "netzwerke"), {}, {}),
    Table(
        "memberships",
        Membership,
        ("mitgliedschaften",),
        {
            "network_id": ("Verbund", "Netzwerk", "Arbeitskreis"),
            "role": ("Rolle",),
            "since": ("seit", "Mitglied seit"),
        },
        {},
    ),
    Table(
        "households",
        Household,
        ("familien", "bedarfsgemeinschaften"),
        {
            "id": ("Pseudonym",),
            "household_type": ("Haushaltstyp", "Typ"),
            "age_bands": ("Altersgruppen",),
            "organization_id": ("fallführende Stelle", "Fallführung"),
            "closed_on": ("Fall beendet am", "abgeschlossen am"),
        },
        {},
    ),
    Table(
        "needs",
        Need,
        ("bedarfe", "handlungsbedarfe"),
        {"identified_on": ("festgestellt am",)},
        {"status": "need_status"},
    ),
    Table(
        "consents",
        Consent,
        ("einwilligungen",),
        {
            "organization_ids": ("Empfänger", "Träger"),
            "members": ("Mitglieder", "Personen"),
            "data_categories": ("Datenkategorien",),
            "revoked_at": ("widerrufen am",),
            "evidence": ("Nachweis",),
        },
        {},
    ),
    Table(
        "referrals",
        Referral,
        ("ueberleitungen", "überleitungen"),
        {
            "from_organization_id": ("von Träger", "überleitender Träger"),
            "to_service_id": ("Angebot", "an Angebot"),
            "consent_id": ("Einwilligung",),
            "created_at": ("angelegt am", "erstellt am"),
            "need_id": ("Bedarf", "Handlungsbedarf"),
            "outcome": ("Ergebnis",),
            "decline_reason": ("Ablehnungsgrund",),
        },
        {"status": "referral_status"},
    ),
    Table(
        "referral_events",
        ReferralEventRow,
        ("statuswechsel", "ueberleitungsverlauf"),
        {
            "referral_id": ("Überleitung",),
            "position": ("Nr", "Position"),
            "at": ("Zeitpunkt",),
            "by": ("durch", "von"),
            "note": ("Notiz", "Bemerkung"),
        },
        {"status": "referral_status"},
    ),
)

TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table_for_name(stem: str) -> Table | None:
    """The table a file or sheet name stands for (English or German, any case)."""
    key = normalize_header(stem)
    for table in TABLES:
        names = (table.name, *table.file_names)
        if key in {normalize_header(n) for n in names}:
            return table
    return None


def german_header(table: str, field: str) -> str | None:
    """The German column name of a field as offices write it (first alias), if it has one."""
    known = TABLES_BY_NAME.get(table)
    if known is None:
        return None
    names = known.aliases.get(field, ()) or _COMMON_ALIASES.get(field, ())
    return names[0] if names else None


# Bundle fields every table fills (referral_events is folded into referrals' history).
BUNDLE_TABLES: tuple[str, ...] = tuple(f.name for f in fields(Bundle))
