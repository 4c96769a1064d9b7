"""Überleitung anlegen: a short wizard, one question per page (GOV.UK pattern).

Familie → Bedarf → Einwilligung → Prüfen und anlegen. The answers live in the session (ids and
choices only, never names) until the last page writes them through the GraphQL mutations:
household, need and consent first where new, then the referral. The check page warns when
the family already has an open referral for the same need (Doppelbetreuung) and links it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web import german
from api.web.casework import ACTIVE
from api.web.data import PageError, gql, require
from api.web.directory import choices
from api.web.forms import Errors, read_form, text, texts
from api.web.session import session_of
from api.web.templating import render
from graph import labels
from schema.mutations_casework import ConsentForm

BASE = "/ueberleitungen/neu"
KEY = "ueberleitung"
DEFAULT_PURPOSE = "Überleitung und abgestimmte Hilfeplanung"
# The form's answer to "Wie liegt die Einwilligung vor?" -> GraphQL ConsentForm.
EVIDENCE_FORMS: dict[str, ConsentForm] = {
    "schriftlich": ConsentForm.WRITTEN,
    "gespraech": ConsentForm.ORAL,
}
AGE_BANDS = (
    "0-2",
    "3-5",
    "6-9",
    "10-13",
    "14-17",
    "18-24",
    "25-34",
    "35-44",
    "45-54",
    "55-64",
    "65+",
)

_SERVICE = """
query WizardService($id: ID!) {
  service(id: $id) { id name status organization { id name } categories { id name } }
}
"""
_HOUSEHOLD = """
query WizardHousehold($id: ID!, $today: Date!) {
  household(id: $id) {
    id householdType ageBands area { id name }
    needs { id status identifiedOn category { id name } }
    consents {
      id purpose dataCategories validTo revokedAt validOn(date: $today)
      organizations { id }
    }
    referrals { id status createdAt need { id } toService { id name } }
  }
}
"""
_VOCABULARY = "query { consentDataCategories { code label description } }"
_CREATE_HOUSEHOLD = """
mutation NewHousehold($input: CreateHouseholdInput!) {
  createHousehold(input: $input) {
    __typename ... on Household { id } ... on Problem { message }
  }
}
"""
_CREATE_NEED = """
mutation NewNeed($input: CreateNeedInput!) {
  createNeed(input: $input) { __typename ... on Need { id } ... on Problem { message } }
}
"""
_CREATE_CONSENT = """
mutation NewConsent($input: CreateConsentInput!) {
  createConsent(input: $input) { __typename ... on Consent { id } ... on Problem { message } }
}
"""
_CREATE_REFERRAL = """
mutation NewReferral($input: CreateReferralInput!) {
  createReferral(input: $input) {
    __typename ... on Referral { id } ... on Problem { message }
  }
}
"""


def _state(request: Request) -> dict[str, Any]:
    found = session_of(request).data.get(KEY)
    if not isinstance(found, dict) or not found.get("service"):
        raise PageError(404, "Keine Überleitung in Arbeit")
    return found


def _save(request: Request, state: dict[str, Any]) -> None:
    session = session_of(request)
    session.data[KEY] = state
    session.changed = True


def _caseworker(request: Request) -> str:
    principal = require(request, "caseworker")
    if not principal.organization_id:
        raise PageError(403)
    return principal.organization_id


async def _service(request: Request, service_id: str) -> dict[str, Any]:
    service = (await gql(request, _SERVICE, id=service_id))["service"]
    if service is None:
        raise PageError(404)
    return dict(service)


async def start(request: Request) -> Response:
    """Begin with the service chosen on the search or detail page."""
    _caseworker(request)
    service_id = request.query_params.get("angebot", "")
    if not service_id:
        return RedirectResponse("/angebote", status_code=303)
    service = await _service(request, service_id)
    categories = [c["id"] for c in service["categories"]]
    need = request.query_params.get("bedarf", "")
    _save(
        request,
        {
            "service": service["id"],
            "category": need if need in categories else (categories[0] if categories else ""),
            "area": request.query_params.get("sozialraum", ""),
        },
    )
    return RedirectResponse(f"{BASE}/familie", status_code=303)


def _page(request: Request, template: str, state: dict[str, Any], **context: Any) -> Response:
    return render(request, template, state=state, base=BASE, labels=labels, **context)


async def household(request: Request) -> Response:
    _caseworker(request)
    state = _state(request)
    known = await choices(request)
    errors = Errors()
    if request.method == "POST":
        form = await read_form(request)
        which = text(form, "familie", 20)
        if which == "bekannt":
            pseudonym = text(form, "pseudonym", 100)
            found = await _lookup(request, pseudonym) if pseudonym else None
            if not pseudonym:
                errors.add("pseudonym", "Geben Sie das Pseudonym der Familie ein, z. B. hh-000123.")
            elif found is None:
                errors.add(
                    "pseudonym",
                    f"Eine Familie „{pseudonym}“ gibt es in Ihren Fällen nicht. Prüfen Sie das "
                    "Pseudonym oder legen Sie die Familie neu an.",
                )
            else:
                state.update(household=found["id"], new_household=None)
        elif which == "neu":
            area = known.area_by_label(text(form, "wohnort", 200))
            household_type = text(form, "haushaltstyp", 50)
            if area is None:
                errors.add("wohnort", "Wählen Sie den Sozialraum, in dem die Familie wohnt.")
            if household_type not in labels.HOUSEHOLD_TYPES:
                errors.add("haushaltstyp", "Wählen Sie, wie die Familie zusammenlebt.")
            if area is not None and not errors:
                state.update(
                    household=None,
                    new_household={
                        "area": area.id,
                        "type": household_type,
                        "ages": [b for b in texts(form, "alter") if b in AGE_BANDS],
                    },
                )
        else:
            errors.add("familie", "Wählen Sie, ob die Familie schon bei uns bekannt ist.")
        if not errors:
            state.pop("need", None)
            state.pop("consent", None)
            _save(request, state)
            return RedirectResponse(f"{BASE}/bedarf", status_code=303)
    area = known.area(state.get("area", ""))
    return _page(
        request,
        "referral_household.html",
        state,
        title="Für welche Familie?",
        errors=errors,
        known=known,
        area_label=area.label if area else "",
        age_bands=AGE_BANDS,
    )


async def _lookup(request: Request, household_id: str) -> dict[str, Any] | None:
    """The household as the caseworker may see it (None: not one of its cases)."""
    today = german.today().isoformat()
    found = (await gql(request, _HOUSEHOLD, id=household_id, today=today))["household"]
    return dict(found) if found else None


async def _household_data(request: Request, state: dict[str, Any]) -> dict[str, Any] | None:
    if not state.get("household"):
        return None
    found = await _lookup(request, state["household"])
    if found is None:
        raise PageError(404)
    return found


async def need(request: Request) -> Response:
    _caseworker(request)
    state = _state(request)
    if not (state.get("household") or state.get("new_household")):
        return RedirectResponse(f"{BASE}/familie", status_code=303)
    known = await choices(request)
    data = await _household_data(request, state)
    open_needs = [n for n in (data or {}).get("needs", []) if n["status"] == "OPEN"]
    errors = Errors()
    if request.method == "POST":
        form = await read_form(request)
        chosen = text(form, "bedarf", 100)
        if chosen == "neu":
            category = text(form, "bereich", 100)
            if category not in dict(known.categories):
                errors.add("bereich", "Wählen Sie den Leistungsbereich des Bedarfs.")
            else:
                state.update(need=None, new_need=category)
        elif chosen and any(n["id"] == chosen for n in open_needs):
            state.update(need=chosen, new_need=None)
        else:
            errors.add("bedarf", "Wählen Sie den Bedarf, um den es bei dieser Überleitung geht.")
        if not errors:
            _save(request, state)
            return RedirectResponse(f"{BASE}/einwilligung", status_code=303)
    return _page(
        request,
        "referral_need.html",
        state,
        title="Um welchen Bedarf geht es?",
        errors=errors,
        known=known,
        open_needs=open_needs,
    )


def _usable_consents(data: dict[str, Any] | None, receiving: str) -> list[dict[str, Any]]:
    """Consents in force that name the receiving Träger (createReferral checks it again)."""
    return [
        c
        for c in (data or {}).get("consents", [])
        if c["validOn"] and any(o["id"] == receiving for o in c["organizations"])
    ]


async def consent(request: Request) -> Response:
    _caseworker(request)
    state = _state(request)
    if not (state.get("need") or state.get("new_need")):
        return RedirectResponse(f"{BASE}/bedarf", status_code=303)
    service = await _service(request, state["service"])
    receiving = (service["organization"] or {}).get("id", "")
    data = await _household_data(request, state)
    vocabulary = (await gql(request, _VOCABULARY))["consentDataCategories"]
    usable = _usable_consents(data, receiving)
    errors = Errors()
    if request.method == "POST":
        form = await read_form(request)
        chosen = text(form, "einwilligung", 100)
        if chosen == "neu":
            categories = [c for c in texts(form, "daten") if c in {v["code"] for v in vocabulary}]
            valid_to = german.iso_date(text(form, "gueltig_bis", 20))
            evidence = text(form, "nachweis", 20)
            signed = german.iso_date(text(form, "schriftlich_am", 20))
            if not categories:
                errors.add("daten", "Wählen Sie aus, welche Angaben der Träger sehen darf.")
            if valid_to is None or valid_to < german.today():
                errors.add(
                    "gueltig_bis",
                    "Geben Sie ein Datum ab heute ein, bis zu dem die Einwilligung gilt, "
                    "z. B. " + german.datum(german.today() + timedelta(days=365)) + ".",
                )
            if evidence not in ("gespraech", "schriftlich"):
                errors.add("nachweis", "Wählen Sie, wie die Einwilligung vorliegt.")
            elif evidence == "schriftlich" and (signed is None or signed > german.today()):
                errors.add(
                    "schriftlich_am",
                    "Geben Sie das Datum der schriftlichen Einwilligung ein, z. B. "
                    + german.datum(german.today())
                    + ".",
                )
            if not errors and valid_to is not None:
                on = signed if evidence == "schriftlich" and signed else german.today()
                # createConsent words the evidence ("schriftlich am 03.12.2026") from its
                # form and day; the check page shows the same words before it is written.
                given = EVIDENCE_FORMS[evidence]
                state.update(
                    consent=None,
                    new_consent={
                        "categories": categories,
                        "valid_to": valid_to.isoformat(),
                        "evidence_form": given.name,
                        "evidence_on": on.isoformat(),
                        "evidence": f"{given.value} am {german.datum(on)}",
                    },
                )
        elif chosen and any(c["id"] == chosen for c in usable):
            state.update(consent=chosen, new_consent=None)
        else:
            errors.add("einwilligung", "Wählen Sie eine Einwilligung oder erfassen Sie eine neue.")
        if not errors:
            _save(request, state)
            return RedirectResponse(f"{BASE}/pruefen", status_code=303)
    return _page(
        request,
        "referral_consent.html",
        state,
        title="Hat die Familie eingewilligt?",
        errors=errors,
        service=service,
        usable=usable,
        vocabulary=vocabulary,
        suggested_until=german.datum(german.today() + timedelta(days=365)),
    )


def _open_for_same_need(data: dict[str, Any] | None, state: dict[str, Any]) -> list[Any]:
    """Open referrals of this family for the same need: the Doppelbetreuung warning."""
    if not data or not state.get("need"):
        return []
    return [
        r
        for r in data["referrals"]
        if r["status"] in ACTIVE and (r.get("need") or {}).get("id") == state["need"]
    ]


async def check(request: Request) -> Response:
    own = _caseworker(request)
    state = _state(request)
    if not (state.get("consent") or state.get("new_consent")):
        return RedirectResponse(f"{BASE}/einwilligung", status_code=303)
    known = await choices(request)
    service = await _service(request, state["service"])
    data = await _household_data(request, state)
    duplicates = _open_for_same_need(data, state)
    errors = Errors()
    note = ""
    if request.method == "POST":
        form = await read_form(request)
        note = text(form, "notiz", 500)
        if duplicates and text(form, "trotzdem", 5) != "ja":
            errors.add(
                "trotzdem",
                "Die Familie hat schon eine offene Überleitung für diesen Bedarf. Bestätigen "
                "Sie, dass eine zweite nötig ist, oder brechen Sie ab.",
            )
        if not errors:
            # The key the page was rendered with: a second send of the same form (a double
            # click, a reload after a lost answer) replays the first one's writes.
            key = text(form, "vorgang", 64) or None
            created, problem = await _create(request, state, service, own, note, key)
            if created:
                session_of(request).data.pop(KEY, None)
                return RedirectResponse(f"/ueberleitungen/{created}?neu=1", status_code=303)
            errors.add("notiz", problem)
            # A step before the failed one may have written the family: show it as stored.
            data = await _household_data(request, state)
    need_name = known.category_name(state.get("new_need") or "")
    if state.get("need") and data:
        need_name = next(
            (
                (n["category"] or {}).get("name", "")
                for n in data["needs"]
                if n["id"] == state["need"]
            ),
            "",
        )
    consent_text = ""
    if state.get("consent") and data:
        found = next((c for c in data["consents"] if c["id"] == state["consent"]), None)
        if found:
            consent_text = (
                f"{found['purpose']}, gültig bis {german.datum(found['validTo'], 'unbefristet')}"
            )
    elif state.get("new_consent"):
        nc = state["new_consent"]
        consent_text = f"{nc['evidence']}, gültig bis {german.datum(nc['valid_to'])}"
    return _page(
        request,
        "referral_check.html",
        state,
        title="Angaben prüfen und Überleitung anlegen",
        errors=errors,
        known=known,
        service=service,
        household=data,
        need_name=need_name,
        consent_text=consent_text,
        duplicates=duplicates,
        note=note,
        # A fresh key per rendering: after a refusal the corrected form is a new request.
        vorgang=secrets.token_urlsafe(18),
    )


async def _write(
    request: Request,
    mutation: str,
    field: str,
    created: str,
    what: str,
    key: str | None,
    **input: Any,
) -> tuple[str | None, str]:
    """One create mutation: (the new id, "") or (None, what went wrong in German).

    ``key``: the form's idempotency key; each of the wizard's creates uses its own from it."""
    step_key = f"{key}-{field}" if key else None
    result = (await gql(request, mutation, idempotency_key=step_key, input=input))[field]
    if result["__typename"] != created:
        return None, f"{what}: {result['message']}"
    return str(result["id"]), ""


async def _create(
    request: Request,
    state: dict[str, Any],
    service: dict[str, Any],
    own: str,
    note: str,
    key: str | None,
) -> tuple[str | None, str]:
    """Write household, need and consent where new, then the referral: (id, problem).

    Each new record's id goes into the session at once, so a retry after a failure later on
    uses it instead of creating it twice."""
    if not state.get("household"):
        new = state["new_household"]
        state["household"], problem = await _write(
            request,
            _CREATE_HOUSEHOLD,
            "createHousehold",
            "Household",
            "Die Familie konnte nicht angelegt werden",
            key,
            area=new["area"],
            householdType=new["type"],
            ageBands=new["ages"],
        )
        if problem:
            return None, problem
        state["new_household"] = None
        _save(request, state)
    if not state.get("need"):
        state["need"], problem = await _write(
            request,
            _CREATE_NEED,
            "createNeed",
            "Need",
            "Der Bedarf konnte nicht erfasst werden",
            key,
            household=state["household"],
            category=state["new_need"],
        )
        if problem:
            return None, problem
        state["new_need"] = None
        _save(request, state)
    if not state.get("consent"):
        nc = state["new_consent"]
        state["consent"], problem = await _write(
            request,
            _CREATE_CONSENT,
            "createConsent",
            "Consent",
            "Die Einwilligung konnte nicht gespeichert werden",
            key,
            household=state["household"],
            organizations=[(service["organization"] or {}).get("id", "")],
            purpose=DEFAULT_PURPOSE,
            dataCategories=nc["categories"],
            validFrom=german.today().isoformat(),
            validTo=nc["valid_to"],
            evidenceForm=nc["evidence_form"],
            evidenceOn=nc["evidence_on"],
        )
        if problem:
            return None, problem
        state["new_consent"] = None
        _save(request, state)
    return await _write(
        request,
        _CREATE_REFERRAL,
        "createReferral",
        "Referral",
        "Die Überleitung wurde nicht angelegt",
        key,
        household=state["household"],
        fromOrganization=own,
        toService=service["id"],
        consent=state["consent"],
        need=state["need"],
        note=note,
    )


ROUTES = [
    Route(BASE, start, methods=["GET"]),
    Route(f"{BASE}/familie", household, methods=["GET", "POST"]),
    Route(f"{BASE}/bedarf", need, methods=["GET", "POST"]),
    Route(f"{BASE}/einwilligung", consent, methods=["GET", "POST"]),
    Route(f"{BASE}/pruefen", check, methods=["GET", "POST"]),
]
