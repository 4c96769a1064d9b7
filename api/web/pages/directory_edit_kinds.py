"""The directory's record kinds as forms: which fields, how each is typed, how it is read
through GraphQL and written through the kind's create/update/archive mutations.

Only the form's shape lives here. Whether a value is allowed (names not empty, occupancy not
above capacity, valid to after valid from, at least two parties…) is decided by the mutations
(schema/mutations_directory.py); the pages show their typed problems at the fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Shape = Literal["text", "textarea", "int", "date", "bool", "choice", "choices", "list"]
Options = Literal[
    "", "sectors", "statuses", "network_kinds", "categories", "areas", "organizations"
]


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # the GraphQL input field, also the form field's name and id
    label: str
    shape: Shape = "text"
    required: bool = False
    options: Options = ""
    hint: str = ""
    # How the field is read from the record when it differs from ``key`` (relations).
    read: str = ""


@dataclass(frozen=True, slots=True)
class Kind:
    slug: str  # in the URL: /pflege/{slug}/…
    graphql: str  # the type and the mutations' stem: createService, updateService…
    one: str  # "Angebot"
    article: str  # "das Angebot"
    fields: tuple[Field, ...]
    # The Träger the record belongs to (for the way back): a read path, or "" (the record is
    # a Träger itself, or is shared by several).
    owner: str = ""

    def selection(self) -> str:
        """The GraphQL selection that reads every field of the form."""
        parts = ["id", "version", "archivedAt", "updatedAt", "updatedBy"]
        for field in self.fields:
            parts.append(field.read or field.key)
        if self.owner and self.owner not in parts:
            parts.append(self.owner)
        return " ".join(parts)

    def field(self, key: str) -> Field | None:
        return next((f for f in self.fields if f.key == key), None)


_DATE_HINT = "Zum Beispiel 01.01.2027."

ORGANIZATION = Kind(
    "traeger",
    "Organization",
    "Träger",
    "den Träger",
    (
        Field("name", "Name", required=True),
        Field("sector", "Sektor", "choice", True, "sectors"),
        Field("description", "Beschreibung", "textarea"),
        Field(
            "website", "Website", hint="Mit https://, zum Beispiel https://www.caritas-stuttgart.de"
        ),
        Field("email", "E-Mail"),
        Field("phone", "Telefon"),
    ),
)

SERVICE = Kind(
    "angebot",
    "Service",
    "Angebot",
    "das Angebot",
    (
        Field("name", "Name", required=True),
        Field("description", "Beschreibung", "textarea"),
        Field("status", "Status", "choice", True, "statuses"),
        Field(
            "categories",
            "Leistungsbereiche",
            "choices",
            options="categories",
            read="categories { id }",
        ),
        Field(
            "areas",
            "Versorgte Sozialräume",
            "choices",
            options="areas",
            read="areas { id }",
        ),
        Field("capacity", "Plätze gesamt", "int"),
        Field("capacityUsed", "Davon belegt", "int"),
        Field("capacityUnit", "Einheit der Plätze", hint="Zum Beispiel „Fälle gleichzeitig“."),
        Field(
            "languages", "Sprachen", "list", hint="Sprachcodes mit Komma, zum Beispiel de, tr, ar."
        ),
        Field("legalBasis", "Rechtsgrundlage", hint="Zum Beispiel § 16a SGB II."),
        Field("validFrom", "Gültig ab", "date", hint=_DATE_HINT),
        Field("validTo", "Gültig bis", "date", hint=_DATE_HINT),
        Field("email", "E-Mail"),
        Field("url", "Webseite des Angebots"),
    ),
    owner="organization { id name }",
)

LOCATION = Kind(
    "standort",
    "Location",
    "Standort",
    "den Standort",
    (
        Field("name", "Name", required=True),
        Field("street", "Straße und Hausnummer"),
        Field("postalCode", "Postleitzahl"),
        Field("city", "Ort"),
        Field("area", "Sozialraum", "choice", options="areas", read="area { id }"),
        Field("phone", "Telefon"),
        Field(
            "openingHours", "Öffnungszeiten", hint="Zum Beispiel „Mo–Do 9–12 Uhr, Di 14–17 Uhr“."
        ),
    ),
    owner="organization { id name }",
)

AGREEMENT = Kind(
    "vereinbarung",
    "Agreement",
    "Kooperationsvereinbarung",
    "die Vereinbarung",
    (
        Field("title", "Titel", required=True),
        Field(
            "parties",
            "Beteiligte Träger",
            "choices",
            True,
            "organizations",
            "Mindestens zwei.",
            "parties { id }",
        ),
        Field("kind", "Art", hint="Zum Beispiel kooperation oder rahmenvereinbarung."),
        Field("priorityAccess", "Vorrangiger Zugang für Familien der anderen Partei", "bool"),
        Field(
            "categories",
            "Abgedeckte Leistungsbereiche",
            "choices",
            options="categories",
            read="categories { id }",
            hint="Keiner ausgewählt: alle.",
        ),
        Field("terms", "Vereinbarte Regeln", "textarea"),
        Field("validFrom", "Gültig ab", "date", hint=_DATE_HINT),
        Field("validTo", "Gültig bis", "date", hint=_DATE_HINT),
    ),
)

NETWORK = Kind(
    "verbund",
    "Network",
    "Verbund oder Arbeitskreis",
    "den Verbund",
    (
        Field("name", "Name", required=True),
        Field("kind", "Art", "choice", True, "network_kinds"),
        Field("description", "Beschreibung", "textarea"),
        Field("areas", "Sozialräume", "choices", options="areas", read="areas { id }"),
    ),
)

KINDS: dict[str, Kind] = {k.slug: k for k in (ORGANIZATION, SERVICE, LOCATION, AGREEMENT, NETWORK)}

STATUSES = (
    ("ACTIVE", "aktiv"),
    ("INACTIVE", "ruht (nicht in der Suche)"),
    # Listed so that editing an archived service keeps it archived unless changed on purpose.
    ("ARCHIVED", "archiviert"),
)
# Input fields the forms do not show but a mutation may name (set by the page itself).
HIDDEN_LABELS = {"organization": "Träger", "id": "Kennung"}
NETWORK_KINDS = (("VERBUND", "Verbund"), ("ARBEITSKREIS", "Arbeitskreis"), ("NETZWERK", "Netzwerk"))
