"""Casework mutations for caseworkers: record a household (a new case of the own organization),
its Handlungsbedarfe and Einwilligungen; and the vocabulary of consent data categories.

A household is known only by a pseudonym made here (graph/pseudonym.py); no names are taken.
The writes go through the same generic create as the directory's (schema/mutations_directory.py:
required fields, checks, dangling references as InvalidInput); the policies decide who may.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from graph import clock
from graph import records as rec
from graph.pseudonym import PseudonymError, new_pseudonym, pseudonym
from schema.casework import Consent, Household, Need
from schema.context import Info
from schema.idempotency import client_mutation_id_field
from schema.mutations_directory import Kind, create
from schema.policy import anyone, case_create, household_write
from schema.problems import Conflict, InvalidInput, NotFound, invalid

# Codes, not free text: a household type or age band never carries a name.
_HOUSEHOLD_TYPE = re.compile(r"^[a-zäöüß0-9]+(-[a-zäöüß0-9]+)*$")
_AGE_BAND = re.compile(r"^\d{1,2}(-\d{1,2}|\+)$")
_MAX_CODE = 40


@strawberry.type(description="Ein Eintrag eines festen Vokabulars (Kennung und deutsche Angaben).")
class VocabularyEntry:
    code: str = strawberry.field(description="Gespeicherte Kennung, z. B. `bedarfslage`.")
    label: str = strawberry.field(description="Bezeichnung für Formulare.")
    description: str = strawberry.field(description="Was dazugehört.")


@strawberry.input(
    description="Ein neuer Haushalt (Fall der eigenen Organisation): nur Sozialraum, "
    "Haushaltstyp und Altersgruppen, keine Namen. Das Pseudonym vergibt der Server."
)
class CreateHouseholdInput:
    area: strawberry.ID = strawberry.field(description="Sozialraum, in dem der Haushalt wohnt.")
    household_type: str | None = strawberry.field(
        default=UNSET,
        description="Haushaltstyp als Kennwort, z. B. `alleinerziehend` (Standard: `unbekannt`).",
    )
    age_bands: list[str] | None = strawberry.field(
        default=UNSET, description="Altersgruppen der Mitglieder, z. B. `0-2`, `25-34`, `65+`."
    )
    organization: strawberry.ID | None = strawberry.field(
        default=UNSET,
        description="Fallführende Stelle (Standard: die eigene Organisation; eine andere nur "
        "für die Administration).",
    )
    case_number: str | None = strawberry.field(
        default=UNSET,
        description="Aktenzeichen der fallführenden Stelle: das Pseudonym wird daraus mit dem "
        "Schlüssel `VERBUND_PSEUDONYM_SECRET` gebildet (dasselbe Aktenzeichen ergibt denselben "
        "Haushalt wie beim Import); das Aktenzeichen selbst wird nicht gespeichert. Ohne "
        "Aktenzeichen vergibt der Server ein zufälliges Pseudonym.",
    )

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.input(description="Ein neuer Handlungsbedarf eines Haushalts.")
class CreateNeedInput:
    household: strawberry.ID = strawberry.field(description="Haushalt (Pseudonym).")
    category: strawberry.ID = strawberry.field(description="Leistungsbereich.")
    identified_on: dt.date | None = strawberry.field(
        default=UNSET, description="Festgestellt am (Standard: heute)."
    )

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.enum(
    description="Form, in der eine Einwilligung erteilt wurde: `WRITTEN` schriftlich "
    "(unterschrieben), `ORAL` im Gespräch, `ELECTRONIC` elektronisch (Formular)."
)
class ConsentForm(Enum):
    WRITTEN = "schriftlich"
    ORAL = "im Gespräch erteilt"
    ELECTRONIC = "elektronisch"


@strawberry.input(description="Eine neue Einwilligung eines Haushalts.")
class CreateConsentInput:
    household: strawberry.ID = strawberry.field(description="Haushalt (Pseudonym).")
    organizations: list[strawberry.ID] = strawberry.field(
        description="Die Träger, an die weitergegeben werden darf."
    )
    purpose: str = strawberry.field(description="Zweck, z. B. `Schuldnerberatung`.")
    data_categories: list[str] = strawberry.field(
        description="Freigegebene Datenkategorien (Kennungen aus `consentDataCategories`)."
    )
    members: list[str] | None = strawberry.field(
        default=UNSET,
        description="Einwilligende Haushaltsmitglieder als Rollen, z. B. `antragsteller` "
        "(keine Namen).",
    )
    valid_from: dt.date | None = strawberry.field(default=UNSET, description="Gültig ab.")
    valid_to: dt.date | None = strawberry.field(default=UNSET, description="Gültig bis.")
    evidence: str | None = strawberry.field(
        default=UNSET,
        description="Nachweis als Text, z. B. „Einwilligung liegt schriftlich vor "
        "(03.12.2026)“; mit `evidenceForm` eine Ergänzung dazu.",
    )
    evidence_form: ConsentForm | None = strawberry.field(
        default=UNSET,
        description="Wie die Einwilligung erteilt wurde; der Nachweis lautet dann z. B. "
        "„schriftlich am 03.12.2026“ oder „im Gespräch erteilt am 03.12.2026“.",
    )
    evidence_on: dt.date | None = strawberry.field(
        default=UNSET, description="Erteilt am (mit `evidenceForm`; Standard: heute)."
    )

    client_mutation_id: str | None = client_mutation_id_field()


def evidence_in_words(input: Any) -> InvalidInput | None:
    """Turn ``evidenceForm``/``evidenceOn`` into the stored evidence text, e.g. "schriftlich am
    03.12.2026" (a given ``evidence`` text follows after a colon); for creating and changing a
    consent alike. A problem when a date comes without its form."""
    if input.evidence_form not in (UNSET, None):
        day = input.evidence_on if input.evidence_on not in (UNSET, None) else clock.today()
        if day > clock.today():
            return invalid("input.evidenceOn", "Das Datum liegt in der Zukunft.")
        given = f"{input.evidence_form.value} am {day:%d.%m.%Y}"
        note = input.evidence if input.evidence not in (UNSET, None) else ""
        input.evidence = f"{given}: {note.strip()}" if (note or "").strip() else given
    elif input.evidence_on not in (UNSET, None):
        return invalid("input.evidenceForm", "Mit dem Datum bitte auch die Form angeben.")
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _code(value: str) -> bool:
    return len(value) <= _MAX_CODE and bool(_HOUSEHOLD_TYPE.match(value))


def _check_household(r: rec.Household) -> list[tuple[str, str]]:
    found = []
    if not _code(r.household_type):
        found.append(
            (
                "household_type",
                "Haushaltstyp als Kennwort aus Kleinbuchstaben und Bindestrichen, "
                "z. B. alleinerziehend (keine Namen).",
            )
        )
    bad = [band for band in r.age_bands if not _AGE_BAND.match(band)]
    if bad:
        found.append(
            ("age_bands", f"Altersgruppen wie 0-2, 25-34 oder 65+ erwartet: {', '.join(bad)}")
        )
    return found


def _check_need(r: rec.Need) -> list[tuple[str, str]]:
    if r.identified_on is not None and r.identified_on > clock.today():
        return [("identified_on", "Das Datum liegt in der Zukunft.")]
    return []


def _check_consent(r: rec.Consent) -> list[tuple[str, str]]:
    found = [] if not _blank(r.purpose) else [("purpose", "Der Zweck darf nicht leer sein.")]
    if not r.organization_ids:
        found.append(("organization_ids", "Mindestens ein Träger ist erforderlich."))
    known = rec.CONSENT_DATA_CATEGORY_CODES
    if not r.data_categories:
        found.append(("data_categories", "Mindestens eine Datenkategorie ist erforderlich."))
    unknown = [c for c in r.data_categories if c not in known]
    if unknown:
        found.append(
            (
                "data_categories",
                f"Unbekannte Datenkategorien: {', '.join(unknown)} (erlaubt: {', '.join(known)}).",
            )
        )
    if any(_blank(m) for m in r.members):
        found.append(("members", "Leere Einträge sind nicht erlaubt."))
    if r.valid_from and r.valid_to and r.valid_from > r.valid_to:
        found.append(("valid_to", "Gültig bis liegt vor gültig ab."))
    return found


async def _closed(info: Info, household_id: str) -> InvalidInput | None:
    """A closed case takes no new needs or consents (its history stays as it is)."""
    found = await info.context.loaders.node("Household", household_id)
    if found is None or found.record.closed_on is None:
        return None
    return invalid(
        "input.household",
        f"Der Fall ist seit {found.record.closed_on:%d.%m.%Y} abgeschlossen: bitte bei Bedarf "
        "einen neuen Fall anlegen.",
    )


def _household_id(info: Info) -> str:
    principal = info.context.principal
    return new_pseudonym(info.context.pseudonym_secret, principal.organization_id or "")


HOUSEHOLD = Kind(
    "Household",
    rec.Household,
    Household.of,
    "hh",
    {
        "area": "area_id",
        "household_type": "household_type",
        "age_bands": "age_bands",
        "organization": "organization_id",
    },
    ("area",),
    {"Area": "area", "Organization": "organization"},
    _check_household,
    _household_id,
)
NEED = Kind(
    "Need",
    rec.Need,
    Need.of,
    "need",
    {"household": "household_id", "category": "category_id", "identified_on": "identified_on"},
    ("household", "category"),
    {"Household": "household", "Category": "category"},
    _check_need,
)
CONSENT = Kind(
    "Consent",
    rec.Consent,
    Consent.of,
    "cs",
    {
        "household": "household_id",
        "organizations": "organization_ids",
        "purpose": "purpose",
        "data_categories": "data_categories",
        "members": "members",
        "valid_from": "valid_from",
        "valid_to": "valid_to",
        "evidence": "evidence",
    },
    ("household", "organizations", "purpose", "data_categories"),
    {"Household": "household", "Organization": "organizations"},
    _check_consent,
)

HouseholdResult = Annotated[
    Household | NotFound | InvalidInput | Conflict, strawberry.union("HouseholdResult")
]
NeedResult = Annotated[Need | NotFound | InvalidInput | Conflict, strawberry.union("NeedResult")]
ConsentResult = Annotated[
    Consent | NotFound | InvalidInput | Conflict, strawberry.union("ConsentResult")
]

CASEWORK = "Fallbearbeitung"


def _input_household(args: Any) -> str:
    return str(args["input"].household)


def _input_organization(args: Any) -> str | None:
    value = args["input"].organization
    return None if value in (UNSET, None) else str(value)


@strawberry.type
class VocabularyQuery:
    @strawberry.field(
        description="Die Datenkategorien einer Einwilligung (für die Auswahl im Formular).",
        extensions=[anyone()],
    )
    def consent_data_categories(self) -> list[VocabularyEntry]:
        return [
            VocabularyEntry(code=t.code, label=t.label, description=t.description)
            for t in rec.CONSENT_DATA_CATEGORIES
        ]


@strawberry.type
class CaseworkMutation:
    @strawberry.mutation(
        description="Haushalt anlegen: ein neuer Fall der eigenen Organisation, nur unter "
        "Pseudonym (vom Server vergeben); sichtbar nur für sie, bis er übergeleitet wird.",
        extensions=[case_create(_input_organization, purpose=CASEWORK)],
    )
    async def create_household(self, info: Info, input: CreateHouseholdInput) -> HouseholdResult:
        own = info.context.principal.organization_id
        if input.organization in (UNSET, None) and own:
            input.organization = strawberry.ID(own)
        kind = HOUSEHOLD
        if input.case_number not in (UNSET, None):
            office = str(input.organization) if input.organization not in (UNSET, None) else ""
            try:
                ident = pseudonym(
                    str(input.case_number), info.context.pseudonym_secret or "", office
                )
            except PseudonymError as error:
                return invalid(
                    "input.caseNumber",
                    f"{error}: ohne Schlüssel kein Pseudonym aus dem Aktenzeichen. Bitte ohne "
                    "Aktenzeichen anlegen oder die Administration um den Schlüssel bitten."
                    if "SECRET" in str(error)
                    else "Das Aktenzeichen ist leer: bitte angeben oder weglassen.",
                )
            kind = replace(HOUSEHOLD, new_id=lambda _info: ident)
        result: HouseholdResult = await create(info, kind, input)
        return result

    @strawberry.mutation(
        description="Handlungsbedarf eines Haushalts der eigenen Organisation anlegen.",
        extensions=[household_write(_input_household, purpose=CASEWORK)],
    )
    async def create_need(self, info: Info, input: CreateNeedInput) -> NeedResult:
        if input.identified_on in (UNSET, None):
            input.identified_on = clock.today()
        closed = await _closed(info, str(input.household))
        if closed is not None:
            return closed
        result: NeedResult = await create(info, NEED, input)
        return result

    @strawberry.mutation(
        description="Einwilligung eines Haushalts der eigenen Organisation erfassen "
        "(Datenkategorien aus `consentDataCategories`).",
        extensions=[household_write(_input_household, purpose=CASEWORK)],
    )
    async def create_consent(self, info: Info, input: CreateConsentInput) -> ConsentResult:
        closed = await _closed(info, str(input.household))
        if closed is not None:
            return closed
        problem = evidence_in_words(input)
        if problem is not None:
            return problem
        result: ConsentResult = await create(info, CONSENT, input)
        return result
