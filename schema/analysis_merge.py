"""Dubletten zusammenführen: the coordinators' mutation behind the duplicate-record analysis."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import strawberry

from graph import Graph
from graph.errors import ConflictError
from graph.merge import (
    InvalidMerge,
    MergeResult,
    OrganizationNotFound,
    ServiceNotFound,
    merge_organizations,
    merge_services,
)
from graph.repo import link_decisions
from schema.context import Info
from schema.policy import directory_write
from schema.problems import Conflict, InvalidInput, NotFound, invalid


@strawberry.type(description="Anzahl verschobener Beziehungen eines Typs.")
class MovedRelationships:
    type: str
    count: int


@strawberry.type(description="Zwei Datensätze eines Trägers wurden zusammengeführt.")
class OrganizationsMerged:
    kept_id: strawberry.ID = strawberry.field(description="Der verbleibende Träger.")
    dropped_id: strawberry.ID = strawberry.field(description="Der entfernte Datensatz.")
    moved: list[MovedRelationships]
    tokens: int = strawberry.field(description="API-Tokens, die nun für den Träger gelten.")
    agreements_with_itself: int = strawberry.field(
        description="Vereinbarungen zwischen den beiden Datensätzen (jetzt nur eine Partei)."
    )


MergeOrganizationsResult = Annotated[
    OrganizationsMerged | NotFound | InvalidInput | Conflict,
    strawberry.union("MergeOrganizationsResult"),
]


@strawberry.type(description="Zwei Datensätze desselben Angebots wurden zusammengeführt.")
class ServicesMerged:
    kept_id: strawberry.ID = strawberry.field(description="Das verbleibende Angebot.")
    dropped_id: strawberry.ID = strawberry.field(description="Der entfernte Datensatz.")
    moved: list[MovedRelationships]


MergeServicesResult = Annotated[
    ServicesMerged | NotFound | InvalidInput | Conflict,
    strawberry.union("MergeServicesResult"),
]


async def _merge(
    info: Info,
    merge: Callable[[Graph, str, str], MergeResult],
    keep_id: strawberry.ID,
    drop_id: strawberry.ID,
) -> MergeResult | NotFound | InvalidInput | Conflict:
    """Run ``merge``; its expected failures become the result union's problems (each merge
    raises only its own kind of not-found)."""
    try:
        return await info.context.run(merge, info.context.graph, str(keep_id), str(drop_id))
    except OrganizationNotFound as exc:
        return NotFound(
            message=str(exc), kind="Organization", id=strawberry.ID(exc.organization_id)
        )
    except ServiceNotFound as exc:
        return NotFound(message=str(exc), kind="Service", id=strawberry.ID(exc.service_id))
    except InvalidMerge as exc:
        return invalid("dropId", str(exc))
    except ConflictError as exc:
        return Conflict(message=str(exc), current_version=None)


@strawberry.type(
    description="Ein Vorschlag wurde abgelehnt: die beiden Träger werden nicht "
    "wieder als Dublette vorgeschlagen."
)
class DuplicateRejected:
    a_id: strawberry.ID
    b_id: strawberry.ID


RejectDuplicateResult = Annotated[
    DuplicateRejected | NotFound | InvalidInput,
    strawberry.union("RejectDuplicateResult"),
]

OUTCOMES = ("same", "related", "renamed")


def _merged(result: MergeResult) -> OrganizationsMerged:
    return OrganizationsMerged(
        kept_id=strawberry.ID(result.kept_id),
        dropped_id=strawberry.ID(result.dropped_id),
        moved=_moved(result),
        tokens=result.tokens,
        agreements_with_itself=result.agreements_with_itself,
    )


def _moved(result: MergeResult) -> list[MovedRelationships]:
    return [MovedRelationships(type=t, count=n) for t, n in sorted(result.moved.items())]


@strawberry.type
class AnalysisMutation:
    @strawberry.mutation(
        description="Zwei Datensätze desselben Trägers zusammenführen; alle Beziehungen "
        "(Angebote, Standorte, Vereinbarungen, Verbünde, Einwilligungen, Überleitungen) "
        "gehen auf den verbleibenden über.",
        extensions=[directory_write(purpose="Dubletten zusammenführen")],
    )
    async def merge_organizations(
        self, info: Info, keep_id: strawberry.ID, drop_id: strawberry.ID
    ) -> MergeOrganizationsResult:
        result = await _merge(info, merge_organizations, keep_id, drop_id)
        if not isinstance(result, MergeResult):
            return result
        return _merged(result)

    @strawberry.mutation(
        description="Einen Dubletten-Vorschlag bestätigen: die beiden Träger sind einer. Sie "
        "werden zusammengeführt wie mit mergeOrganizations, die Entscheidung wird gespeichert "
        "(exportierbar mit `verbund linkage labels`).",
        extensions=[directory_write(purpose="Dubletten prüfen")],
    )
    async def confirm_duplicate(
        self,
        info: Info,
        keep_id: strawberry.ID,
        drop_id: strawberry.ID,
        outcome: Annotated[
            str,
            strawberry.argument(description="Was vorgeschlagen war: same, related oder renamed."),
        ] = "same",
    ) -> MergeOrganizationsResult:
        if outcome not in OUTCOMES:
            return invalid("outcome", "Erlaubt sind same, related oder renamed.")
        by = info.context.principal.label()

        def work(graph: Graph, keep: str, drop: str) -> MergeResult:
            return link_decisions.confirm(graph, keep, drop, outcome=outcome, by=by)

        result = await _merge(info, work, keep_id, drop_id)
        if not isinstance(result, MergeResult):
            return result
        return _merged(result)

    @strawberry.mutation(
        description="Einen Dubletten-Vorschlag ablehnen: die beiden Träger sind verschieden. "
        "Das Paar wird nicht wieder vorgeschlagen; die Entscheidung wird gespeichert.",
        extensions=[directory_write(purpose="Dubletten prüfen")],
    )
    async def reject_duplicate(
        self,
        info: Info,
        a_id: strawberry.ID,
        b_id: strawberry.ID,
        outcome: Annotated[
            str,
            strawberry.argument(description="Was vorgeschlagen war: same, related oder renamed."),
        ] = "same",
    ) -> RejectDuplicateResult:
        if outcome not in OUTCOMES:
            return invalid("outcome", "Erlaubt sind same, related oder renamed.")
        by = info.context.principal.label()
        try:
            await info.context.run(
                link_decisions.reject,
                info.context.graph,
                str(a_id),
                str(b_id),
                outcome=outcome,
                by=by,
            )
        except OrganizationNotFound as exc:
            return NotFound(
                message=str(exc), kind="Organization", id=strawberry.ID(exc.organization_id)
            )
        except InvalidMerge as exc:
            return invalid("bId", str(exc))
        return DuplicateRejected(a_id=a_id, b_id=b_id)

    @strawberry.mutation(
        description="Zwei Datensätze desselben Angebots (eines Trägers) zusammenführen; alle "
        "Beziehungen (Leistungsbereiche, versorgte Sozialräume, Standorte, Überleitungen) gehen "
        "auf das verbleibende über, fehlende Angaben werden übernommen, Kapazitäten nicht "
        "addiert. Angebote zweier Träger-Datensätze: zuerst mergeOrganizations.",
        extensions=[directory_write(purpose="Dubletten zusammenführen")],
    )
    async def merge_services(
        self, info: Info, keep_id: strawberry.ID, drop_id: strawberry.ID
    ) -> MergeServicesResult:
        result = await _merge(info, merge_services, keep_id, drop_id)
        if not isinstance(result, MergeResult):
            return result
        return ServicesMerged(
            kept_id=strawberry.ID(result.kept_id),
            dropped_id=strawberry.ID(result.dropped_id),
            moved=_moved(result),
        )
