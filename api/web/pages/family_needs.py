"""Handlungsbedarf ändern und beenden (caseworker), from the family page.

Each a form page with a back link; the writes are ``updateNeed`` and ``closeNeed`` as the
signed-in caseworker (policy, version check and audit there).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web import german
from api.web.case_changes import (
    CaseChange,
    ChangeOutcome,
    back_to_family,
    caseworker,
    family,
    form_page,
)
from api.web.data import PageError
from api.web.directory import choices
from api.web.forms import Errors, read_form, text

UPDATE_NEED = CaseChange(
    operation="BedarfAendern",
    call="updateNeed(id: $id, version: $version, input: $input)",
    variables=", $input: UpdateNeedInput!",
    done_type="Need",
    to_field={"category": "bereich", "identifiedOn": "festgestellt_am"},
    fallback="bereich",
    success="bedarf-geaendert",
    done_message="Bedarf gespeichert.",
)
CLOSE_NEED = CaseChange(
    operation="BedarfBeenden",
    call="closeNeed(id: $id, version: $version, outcome: $outcome)",
    variables=", $outcome: NeedOutcome!",
    done_type="Need",
    to_field={"outcome": "ergebnis"},
    fallback="ergebnis",
    success="bedarf-beendet",
    done_message="Bedarf beendet.",
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


async def change(request: Request) -> Response:
    household, need = await _open_need(request)
    if need is None:
        return back_to_family(household["id"])
    known = await choices(request)
    values = {
        "bereich": (need.get("category") or {}).get("id", ""),
        "festgestellt_am": german.datum(need["identifiedOn"], ""),
        "version": need["version"],
    }

    def page(errors: Errors, status: int = 200, problem: ChangeOutcome | None = None) -> Response:
        assert need is not None
        return form_page(
            request,
            "family_need_change.html",
            title="Bedarf ändern",
            household=household,
            need=need,
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
    told = await UPDATE_NEED.send(
        request,
        form,
        need["id"],
        str(values["version"]),
        input={"category": values["bereich"], "identifiedOn": day.isoformat()},
    )
    if told.done:
        return UPDATE_NEED.done(household["id"])
    if told.conflict:
        household, fresh = await _open_need(request)
        if fresh is None:
            return back_to_family(household["id"])
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
        return back_to_family(household["id"])

    def page(
        chosen: str, errors: Errors, status: int = 200, problem: ChangeOutcome | None = None
    ) -> Response:
        assert need is not None
        return form_page(
            request,
            "family_need_close.html",
            title="Bedarf beenden",
            household=household,
            need=need,
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
    told = await CLOSE_NEED.send(
        request, form, need["id"], text(form, "version", 20), outcome=chosen
    )
    if told.done:
        return CLOSE_NEED.done(household["id"])
    if told.conflict:
        household, fresh = await _open_need(request)
        if fresh is None:
            return back_to_family(household["id"])
        need = fresh
        return page(chosen, Errors(), 409, told)
    return page(chosen, Errors(told.fields), 400)


ROUTES = [
    Route("/familien/{id}/bedarfe/{need}/aendern", change, methods=["GET", "POST"]),
    Route("/familien/{id}/bedarfe/{need}/beenden", close, methods=["GET", "POST"]),
]
