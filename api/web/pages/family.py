"""Familie (caseworker): one case with its needs, consents and referrals; change the
household's details and close the case.

One thing per page (GOV.UK pattern): the family page shows and links, each change has its own
form page with a back link, closing the case has a confirmation page saying what happens.
All writes go through the GraphQL mutations as the signed-in caseworker (api/web/data.py).
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
from api.web.directory import choices
from api.web.forms import Errors, read_form, text, texts
from api.web.pages.family_consents import UPDATE_CONSENT
from api.web.pages.family_needs import CLOSE_NEED, UPDATE_NEED
from api.web.pages.referral_new import AGE_BANDS
from api.web.templating import render
from graph import labels

UPDATE_HOUSEHOLD = CaseChange(
    operation="FamilieAendern",
    call="updateHousehold(id: $id, version: $version, input: $input)",
    variables=", $input: UpdateHouseholdInput!",
    done_type="Household",
    to_field={"area": "wohnort", "householdType": "haushaltstyp", "ageBands": "alter"},
    fallback="wohnort",
    success="familie-geaendert",
    done_message="Angaben der Familie gespeichert.",
)
CLOSE_HOUSEHOLD = CaseChange(
    operation="FallAbschliessen",
    call="closeHousehold(id: $id, version: $version, closedOn: $on)",
    variables=", $on: Date",
    done_type="Household",
    to_field={"closedOn": "abgeschlossen_am"},
    fallback="abgeschlossen_am",
    success="fall-abgeschlossen",
    done_message="Fall abgeschlossen. Offene Bedarfe sind beendet, der Verlauf bleibt.",
)

# Success messages after a change; the redirect names the key, never free text.
DONE: dict[str, str] = {
    change.success: change.done_message
    for change in (UPDATE_HOUSEHOLD, CLOSE_HOUSEHOLD, UPDATE_NEED, CLOSE_NEED, UPDATE_CONSENT)
}


async def family_page(request: Request) -> Response:
    caseworker(request)
    household = await family(request, request.path_params["id"])
    return render(
        request,
        "family.html",
        title=f"Familie {household['id']}",
        household=household,
        done=DONE.get(request.query_params.get("erfolg", "")),
        labels=labels,
    )


def _change_page(
    request: Request,
    household: dict[str, Any],
    known: Any,
    *,
    values: dict[str, Any],
    errors: Errors,
    problem: ChangeOutcome | None = None,
    status: int = 200,
) -> Response:
    return form_page(
        request,
        "family_change.html",
        title="Angaben der Familie ändern",
        household=household,
        errors=errors,
        problem=problem,
        status=status,
        known=known,
        values=values,
        labels=labels,
        age_bands=AGE_BANDS,
    )


def _values_of(household: dict[str, Any], known: Any) -> dict[str, Any]:
    area = known.area((household.get("area") or {}).get("id", ""))
    return {
        "wohnort": area.label if area else (household.get("area") or {}).get("name", ""),
        "haushaltstyp": household["householdType"],
        "alter": list(household["ageBands"]),
        "version": household["version"],
    }


async def change(request: Request) -> Response:
    caseworker(request)
    household = await family(request, request.path_params["id"])
    if household["closedOn"]:
        return back_to_family(household["id"])
    known = await choices(request)
    if request.method == "GET":
        return _change_page(
            request, household, known, values=_values_of(household, known), errors=Errors()
        )
    form = await read_form(request)
    where = text(form, "wohnort", 200)
    version = text(form, "version", 20)
    values: dict[str, Any] = {
        "wohnort": where,
        "haushaltstyp": text(form, "haushaltstyp", 50),
        "alter": [b for b in texts(form, "alter") if b in AGE_BANDS],
        "version": version,
    }
    errors = Errors()
    area = known.area_by_label(where)
    if area is None:
        errors.add(
            "wohnort",
            "Wählen Sie den Sozialraum, in dem die Familie wohnt, aus der Liste, "
            "z. B. „Bad Cannstatt“.",
        )
    if values["haushaltstyp"] not in labels.HOUSEHOLD_TYPES:
        errors.add("haushaltstyp", "Wählen Sie, wie die Familie zusammenlebt.")
    if errors or area is None:
        return _change_page(request, household, known, values=values, errors=errors, status=400)
    told = await UPDATE_HOUSEHOLD.send(
        request,
        form,
        household["id"],
        version,
        input={
            "area": area.id,
            "householdType": values["haushaltstyp"],
            "ageBands": values["alter"],
        },
    )
    if told.done:
        return UPDATE_HOUSEHOLD.done(household["id"])
    if told.conflict:
        fresh = await family(request, household["id"])
        return _change_page(
            request,
            fresh,
            known,
            values=_values_of(fresh, known),
            errors=Errors(),
            problem=told,
            status=409,
        )
    return _change_page(
        request, household, known, values=values, errors=Errors(told.fields), status=400
    )


def _close_page(
    request: Request,
    household: dict[str, Any],
    *,
    closed_on: str,
    errors: Errors,
    problem: ChangeOutcome | None = None,
    status: int = 200,
) -> Response:
    open_needs = [n for n in household["needs"] if n["status"] == "OPEN"]
    return form_page(
        request,
        "family_close.html",
        title="Fall abschließen",
        household=household,
        errors=errors,
        problem=problem,
        status=status,
        open_needs=open_needs,
        closed_on=closed_on,
        today=german.datum(german.today()),
    )


async def close(request: Request) -> Response:
    caseworker(request)
    household = await family(request, request.path_params["id"])
    if household["closedOn"]:
        return back_to_family(household["id"])
    today = german.datum(german.today())
    if request.method == "GET":
        return _close_page(request, household, closed_on=today, errors=Errors())
    form = await read_form(request)
    closed_on = text(form, "abgeschlossen_am", 20) or today
    day = german.iso_date(closed_on)
    errors = Errors()
    if day is None or day > german.today():
        errors.add(
            "abgeschlossen_am",
            f"Geben Sie ein Datum bis heute ein, z. B. {today}.",
        )
        return _close_page(request, household, closed_on=closed_on, errors=errors, status=400)
    told = await CLOSE_HOUSEHOLD.send(
        request, form, household["id"], text(form, "version", 20), on=day.isoformat()
    )
    if told.done:
        return CLOSE_HOUSEHOLD.done(household["id"])
    if told.conflict:
        fresh = await family(request, household["id"])
        return _close_page(
            request, fresh, closed_on=closed_on, errors=Errors(), problem=told, status=409
        )
    return _close_page(
        request, household, closed_on=closed_on, errors=Errors(told.fields), status=400
    )


ROUTES = [
    Route("/familien/{id}", family_page, methods=["GET"]),
    Route("/familien/{id}/aendern", change, methods=["GET", "POST"]),
    Route("/familien/{id}/abschliessen", close, methods=["GET", "POST"]),
]
