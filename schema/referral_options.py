"""Referral options for caseworkers: ranked services with the reasons for each rank."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry

from graph import clock
from graph.ranking import target_groups_of
from graph.repo.paging import MAX_PAGE_SIZE
from graph.repo.referral_options import RankedOptions, referral_options
from schema.context import Info
from schema.directory import Service
from schema.policy import anyone, household_read
from schema.problems import InvalidInput, NotFound, invalid

MAX_STEPS = 3


@strawberry.type(description="Ein Grund für den Rang: Kennung, Punkte und Erläuterung.")
class RankReason:
    code: str = strawberry.field(
        description="REACH, PRIORITY_AGREEMENT, AGREEMENT, TARGET_GROUP, TARGET_GROUP_OPEN, "
        "TARGET_GROUP_MISMATCH, LANGUAGE, LANGUAGE_MISMATCH, FREE_CAPACITY, CAPACITY_UNKNOWN "
        "oder FULL."
    )
    points: int
    text: str = strawberry.field(description="Erläuterung für die Fachkraft.")


@strawberry.type(description="Ein mögliches Angebot für eine Überleitung, mit Begründung.")
class ReferralOption:
    rank: int = strawberry.field(description="Rang (1 = am besten geeignet).")
    score: int = strawberry.field(description="Summe der Punkte aller Gründe.")
    steps: int = strawberry.field(
        description="Entfernung in Schritten über angrenzende Bezirke (0: versorgt den Sozialraum)."
    )
    service: Service
    reasons: list[RankReason]


@strawberry.type(description="Überleitungsoptionen: gerankte Angebote für einen Bedarf.")
class ReferralOptions:
    area_id: strawberry.ID = strawberry.field(description="Sozialraum, für den gesucht wurde.")
    categories: list[str] = strawberry.field(description="Leistungsbereiche der Suche.")
    target_groups: list[str] = strawberry.field(description="Zielgruppen der Suche.")
    languages: list[str] = strawberry.field(description="Sprachen der Suche.")
    options: list[ReferralOption]


ReferralOptionsResult = Annotated[
    ReferralOptions | NotFound | InvalidInput, strawberry.union("ReferralOptionsResult")
]


@strawberry.input(description="Wonach Überleitungsoptionen gesucht werden.")
class ReferralOptionsInput:
    area: strawberry.ID = strawberry.field(description="Sozialraum des Haushalts.")
    categories: list[strawberry.ID] = strawberry.field(
        description="Leistungsbereiche der Handlungsbedarfe."
    )
    target_groups: list[str] = strawberry.field(default_factory=list, description="Zielgruppen.")
    languages: list[str] = strawberry.field(
        default_factory=list, description="Gewünschte Sprachen (ISO 639-1)."
    )
    referring_organization: strawberry.ID | None = strawberry.field(
        default=None,
        description="Überleitende Stelle (Standard: die Organisation der angemeldeten Person).",
    )
    max_steps: int = strawberry.field(
        default=1, description=f"Höchstens so viele Bezirke entfernt (0 bis {MAX_STEPS})."
    )
    on: dt.date | None = strawberry.field(default=None, description="Stichtag (Standard: heute).")
    first: int = strawberry.field(
        default=20, description=f"Höchstens so viele Optionen (1 bis {MAX_PAGE_SIZE})."
    )


def _check(max_steps: int, first: int, categories: list[str]) -> InvalidInput | None:
    if not 0 <= max_steps <= MAX_STEPS:
        return invalid("input.maxSteps", f"maxSteps muss zwischen 0 und {MAX_STEPS} liegen.")
    if not 1 <= first <= MAX_PAGE_SIZE:
        return invalid("input.first", f"first muss zwischen 1 und {MAX_PAGE_SIZE} liegen.")
    if not categories:
        return invalid("input.categories", "Mindestens ein Leistungsbereich ist nötig.")
    return None


def _result(
    found: RankedOptions,
    area: str,
    categories: list[str],
    target_groups: list[str],
    languages: list[str],
    first: int,
) -> ReferralOptions:
    return ReferralOptions(
        area_id=strawberry.ID(area),
        categories=categories,
        target_groups=target_groups,
        languages=languages,
        options=[
            ReferralOption(
                rank=i + 1,
                score=o.score,
                steps=o.steps,
                service=Service.of(found.stored[o.service.id]),
                reasons=[RankReason(code=r.code, points=r.points, text=r.text) for r in o.reasons],
            )
            for i, o in enumerate(found.options[:first])
        ],
    )


@strawberry.type
class ReferralOptionsQuery:
    @strawberry.field(
        description="Überleitungsoptionen für einen Sozialraum und Bedarfe: gerankte Angebote "
        "mit Begründung (Erreichbarkeit, Kooperationsvereinbarung, Zielgruppe, Sprache, "
        "freie Plätze; unbekannte oder veraltete Auslastung zählt nicht als frei).",
        extensions=[anyone()],
    )
    async def referral_options(
        self, info: Info, input: ReferralOptionsInput
    ) -> ReferralOptionsResult:
        categories = [str(c) for c in input.categories]
        problem = _check(input.max_steps, input.first, categories)
        if problem is not None:
            return problem
        referring = input.referring_organization or info.context.principal.organization_id
        found = await info.context.run(
            referral_options,
            info.context.graph,
            area_id=input.area,
            category_ids=categories,
            target_groups=input.target_groups,
            languages=input.languages,
            referring_organization_id=referring,
            max_steps=input.max_steps,
            on=input.on or clock.today(),
            capacity_max_age_days=info.context.capacity_max_age_days,
        )
        if found is None:
            return NotFound(message="Sozialraum nicht gefunden.", kind="Area", id=input.area)
        return _result(
            found, input.area, categories, input.target_groups, input.languages, input.first
        )

    @strawberry.field(
        description="Überleitungsoptionen für einen Haushalt: Sozialraum, offene "
        "Handlungsbedarfe und Zielgruppen (aus Haushaltstyp und Altersgruppen) kommen aus dem "
        "Haushalt; Angaben hier ersetzen sie.",
        extensions=[household_read(purpose="Überleitung vorbereiten")],
    )
    async def household_referral_options(
        self,
        info: Info,
        household: strawberry.ID,
        languages: list[str] | None = None,
        categories: list[strawberry.ID] | None = None,
        target_groups: list[str] | None = None,
        referring_organization: strawberry.ID | None = None,
        max_steps: int = 1,
        on: dt.date | None = None,
        first: int = 20,
    ) -> ReferralOptionsResult:
        loaders = info.context.loaders
        found_household = await loaders.node("Household", household)
        if found_household is None:
            return NotFound(message="Haushalt nicht gefunden.", kind="Household", id=household)
        info.context.access.records.add(f"Household:{household}")
        record = found_household.record
        if categories is None:
            needs = await loaders.household_hop("household.needs", household)
            wanted = sorted({n.record.category_id for n in needs if n.record.status == "open"})
        else:
            wanted = [str(c) for c in categories]
        problem = _check(max_steps, first, wanted)
        if problem is not None:
            if not wanted:
                return invalid("categories", "Der Haushalt hat keinen offenen Handlungsbedarf.")
            return problem
        groups = (
            list(target_groups)
            if target_groups is not None
            else list(target_groups_of(record.household_type, record.age_bands))
        )
        referring = referring_organization or info.context.principal.organization_id
        found = await info.context.run(
            referral_options,
            info.context.graph,
            area_id=record.area_id,
            category_ids=wanted,
            target_groups=groups,
            languages=languages or [],
            referring_organization_id=referring,
            max_steps=max_steps,
            on=on or clock.today(),
            capacity_max_age_days=info.context.capacity_max_age_days,
        )
        if found is None:
            return NotFound(message="Sozialraum nicht gefunden.", kind="Area", id=record.area_id)
        return _result(found, record.area_id, wanted, groups, languages or [], first)
