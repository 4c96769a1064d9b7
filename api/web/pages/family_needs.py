"""Handlungsbedarf ändern und beenden (caseworker), from the family page.

Each a form page with a back link; the writes are ``updateNeed`` and ``closeNeed`` as the
signed-in caseworker (policy, version check and audit there).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web import german
from api.web.case_changes import (
    PROBLEM_FIELDS,
    ChangeOutcome,
    caseworker,
    family,
    form_key,
    outcome,
    path_of,
    sent_key,
)
from api.web.casework import version_of
from api.web.data import PageError, gql
from api.web.directory import choices
from api.web.forms import Errors, read_form, text
from api.web.templating import render

UPDATE_NEED = (
    """
mutation BedarfAendern($id: ID!, $version: Int!, $input: UpdateNeedInput!) {
  result: updateNeed(id: $id, version: $version, input: $input) {
    __typename ... on Need { id }"""
    + PROBLEM_FIELDS
    + "} }"
)
CLOSE_NEED = (
    """
mutation BedarfBeenden($id: ID!, $version: Int!, $outcome: NeedOutcome!) {
  result: closeNeed(id: $id, version: $version, outcome: $outcome) {
    __typename ... on Need { id }"""
    + PROBLEM_FIELDS
    + "} }"
)
# How a need ends, as the form offers it (GraphQL NeedOutcome).
OUTCOMES: tuple[tuple[str, str], ...] = (
    ("MET", "Erfüllt: der Bedarf ist gedeckt"),
    ("CLOSED", "Ohne Ergebnis beendet, z. B. kein Kontakt mehr"),
)


async def _open_need(request: Request) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The family and the need on it (None when the need is no longer open or the case is
    closed: the family page then shows why)."""
    caseworker(request)
    household = await family(request, request.path_params["id"])
    need = next((n for n in household["needs"] if n["id"] == request.path_params["need"]), None)
    if need is None:
        raise PageError(404, "Bedarf nicht gefunden")
    if need["status"] != "OPEN" or household["closedOn"]:
        return household, None
    return household, need


def _page(
    request: Request,
    template: str,
    title: str,
    household: dict[str, Any],
    need: dict[str, Any],
    *,
    errors: Errors,
    problem: ChangeOutcome | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    return render(
        request,
        template,
        vorgang=form_key(),
        status=status,
        title=title,
        household=household,
        need=need,
        errors=errors,
        problem=problem,
        **context,
    )


async def change(request: Request) -> Response:
    household, need = await _open_need(request)
    if need is None:
        return RedirectResponse(path_of(household["id"]), status_code=303)
    known = await choices(request)
    values = {
        "bereich": (need.get("category") or {}).get("id", ""),
        "festgestellt_am": german.datum(need["identifiedOn"], ""),
        "version": need["version"],
    }

    def page(errors: Errors, status: int = 200, problem: ChangeOutcome | None = None) -> Response:
        assert need is not None
        return _page(
            request,
            "family_need_change.html",
            "Bedarf ändern",
            household,
            need,
            errors=errors,
            problem=problem,
            status=status,
            known=known,
            values=values,
            today=german.datum(german.today()),
        )

    if request.method == "GET":
        return page(Errors())
    form = await read_form(request)
    values.update(
        bereich=text(form, "bereich", 100),
        festgestellt_am=text(form, "festgestellt_am", 20),
        version=text(form, "version", 20),
    )
    errors = Errors()
    if values["bereich"] not in dict(known.categories):
        errors.add("bereich", "Wählen Sie den Leistungsbereich des Bedarfs.")
    day = german.iso_date(values["festgestellt_am"])
    if day is None or day > german.today():
        errors.add(
            "festgestellt_am",
            "Geben Sie das Datum ein, an dem der Bedarf festgestellt wurde (bis heute), z. B. "
            + german.datum(german.today())
            + ".",
        )
    if errors or day is None:
        return page(errors, 400)
    result = (
        await gql(
            request,
            UPDATE_NEED,
            idempotency_key=sent_key(form),
            id=need["id"],
            version=version_of(str(values["version"])) or 0,
            input={"category": values["bereich"], "identifiedOn": day.isoformat()},
        )
    )["result"]
    told = outcome(
        result, "Need", {"category": "bereich", "identifiedOn": "festgestellt_am"}, "bereich"
    )
    if told.done:
        return RedirectResponse(
            f"{path_of(household['id'])}?erfolg=bedarf-geaendert", status_code=303
        )
    if told.conflict:
        household, fresh = await _open_need(request)
        if fresh is None:
            return RedirectResponse(path_of(household["id"]), status_code=303)
        need = fresh
        values.update(
            bereich=(fresh.get("category") or {}).get("id", ""),
            festgestellt_am=german.datum(fresh["identifiedOn"], ""),
            version=fresh["version"],
        )
        return page(Errors(), 409, told)
    return page(Errors(told.fields), 400)


async def close(request: Request) -> Response:
    household, need = await _open_need(request)
    if need is None:
        return RedirectResponse(path_of(household["id"]), status_code=303)

    def page(
        chosen: str, errors: Errors, status: int = 200, problem: ChangeOutcome | None = None
    ) -> Response:
        assert need is not None
        return _page(
            request,
            "family_need_close.html",
            "Bedarf beenden",
            household,
            need,
            errors=errors,
            problem=problem,
            status=status,
            outcomes=OUTCOMES,
            chosen=chosen,
        )

    if request.method == "GET":
        return page("", Errors())
    form = await read_form(request)
    chosen = text(form, "ergebnis", 20)
    if chosen not in dict(OUTCOMES):
        errors = Errors()
        errors.add("ergebnis", "Wählen Sie, wie der Bedarf endet: erfüllt oder ohne Ergebnis.")
        return page(chosen, errors, 400)
    result = (
        await gql(
            request,
            CLOSE_NEED,
            idempotency_key=sent_key(form),
            id=need["id"],
            version=version_of(text(form, "version", 20)) or 0,
            outcome=chosen,
        )
    )["result"]
    told = outcome(result, "Need", {"outcome": "ergebnis"}, "ergebnis")
    if told.done:
        return RedirectResponse(
            f"{path_of(household['id'])}?erfolg=bedarf-beendet", status_code=303
        )
    if told.conflict:
        household, fresh = await _open_need(request)
        if fresh is None:
            return RedirectResponse(path_of(household["id"]), status_code=303)
        need = fresh
        return page(chosen, Errors(), 409, told)
    return page(chosen, Errors(told.fields), 400)


ROUTES = [
    Route("/familien/{id}/bedarfe/{need}/aendern", change, methods=["GET", "POST"]),
    Route("/familien/{id}/bedarfe/{need}/beenden", close, methods=["GET", "POST"]),
]
