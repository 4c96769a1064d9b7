"""Einwilligung einschränken oder ihren Nachweis ergänzen (caseworker), from the family page.

The page offers only what ``updateConsent`` allows without the family consenting again (the
rule is in graph/consents.py): fewer Träger or data categories, an earlier end, and the
evidence ("schriftlich am 03.12.2026"). For anything more it says what to do instead.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web import german
from api.web.case_changes import (
    CONFLICT,
    CaseChange,
    ChangeOutcome,
    back_to_family,
    caseworker,
    family,
    form_page,
)
from api.web.data import PageError
from api.web.forms import Errors, read_form, text, texts

UPDATE_CONSENT = CaseChange(
    operation="EinwilligungAendern",
    call="updateConsent(id: $id, version: $version, input: $input)",
    variables=", $input: UpdateConsentInput!",
    done_type="Consent",
    to_field={
        "organizations": "traeger",
        "dataCategories": "daten",
        "validTo": "gueltig_bis",
        "evidenceForm": "nachweis",
        "evidenceOn": "erteilt_am",
        "purpose": "traeger",
        "id": "traeger",
    },
    fallback="traeger",
    success="einwilligung-geaendert",
    done_message="Einwilligung gespeichert.",
)
# How the consent was given (GraphQL ConsentForm), as the form offers it.
FORMS: tuple[tuple[str, str], ...] = (
    ("", "Nachweis nicht ändern"),
    ("WRITTEN", "Schriftlich (unterschrieben)"),
    ("ORAL", "Im Gespräch erteilt"),
    ("ELECTRONIC", "Elektronisch (Formular)"),
)


async def change(request: Request) -> Response:
    caseworker(request)
    household = await family(request, request.path_params["id"])
    consent = next(
        (c for c in household["consents"] if c["id"] == request.path_params["consent"]), None
    )
    if consent is None:
        raise PageError(404, "Einwilligung nicht gefunden")
    if consent["revokedAt"] or household["closedOn"]:
        return back_to_family(household["id"])
    values: dict[str, Any] = {
        "traeger": [o["id"] for o in consent["organizations"]],
        "daten": list(consent["dataCategories"]),
        "gueltig_bis": german.datum(consent["validTo"], ""),
        "nachweis": "",
        "erteilt_am": "",
        "version": consent["version"],
    }

    def page(errors: Errors, status: int = 200, problem: ChangeOutcome | None = None) -> Response:
        return form_page(
            request,
            "family_consent_change.html",
            title="Einwilligung ändern",
            household=household,
            errors=errors,
            problem=problem,
            status=status,
            consent=consent,
            values=values,
            forms=FORMS,
            today=german.datum(german.today()),
        )

    if request.method == "GET":
        changed = request.query_params.get("geaendert") == "1"
        return page(Errors(), problem=ChangeOutcome(False, True, CONFLICT) if changed else None)
    form = await read_form(request)
    values.update(
        traeger=texts(form, "traeger"),
        daten=texts(form, "daten"),
        gueltig_bis=text(form, "gueltig_bis", 20),
        nachweis=text(form, "nachweis", 20),
        erteilt_am=text(form, "erteilt_am", 20),
        version=text(form, "version", 20),
    )
    errors = Errors()
    if not values["traeger"]:
        errors.add(
            "traeger",
            "Lassen Sie mindestens einen Träger ausgewählt. Soll niemand mehr etwas sehen, "
            "widerrufen Sie die Einwilligung.",
        )
    if not values["daten"]:
        errors.add("daten", "Lassen Sie mindestens eine Datenkategorie ausgewählt.")
    valid_to = german.iso_date(values["gueltig_bis"]) if values["gueltig_bis"] else None
    if values["gueltig_bis"] and valid_to is None:
        errors.add(
            "gueltig_bis", "Geben Sie ein Datum ein, z. B. " + german.datum(german.today()) + "."
        )
    if values["nachweis"] not in dict(FORMS):
        errors.add("nachweis", "Wählen Sie, wie die Einwilligung vorliegt.")
    given_on = german.iso_date(values["erteilt_am"]) if values["erteilt_am"] else None
    if values["erteilt_am"] and (given_on is None or given_on > german.today()):
        errors.add(
            "erteilt_am",
            "Geben Sie das Datum ein, an dem die Familie eingewilligt hat (bis heute), z. B. "
            + german.datum(german.today())
            + ".",
        )
    elif given_on is not None and not values["nachweis"]:
        errors.add("nachweis", "Wählen Sie zum Datum, wie die Einwilligung erteilt wurde.")
    if errors:
        return page(errors, 400)
    change_input: dict[str, Any] = {
        "organizations": values["traeger"],
        "dataCategories": values["daten"],
    }
    if valid_to is not None or consent["validTo"]:
        change_input["validTo"] = valid_to.isoformat() if valid_to else None
    if values["nachweis"]:
        change_input["evidenceForm"] = values["nachweis"]
        if given_on is not None:
            change_input["evidenceOn"] = given_on.isoformat()
    told = await UPDATE_CONSENT.send(
        request, form, consent["id"], str(values["version"]), input=change_input
    )
    if told.done:
        return UPDATE_CONSENT.done(household["id"])
    if told.conflict:
        return RedirectResponse(f"{request.url.path}?geaendert=1", status_code=303)
    return page(Errors(told.fields), 400)


ROUTES = [
    Route("/familien/{id}/einwilligungen/{consent}/aendern", change, methods=["GET", "POST"]),
]
