"""Eingang (partner): referrals to the Träger's own services and the answer to each.

The API's scope shows a partner only the referrals a consent in force lets it see, and of
those only the data categories the consent shares. The detail query therefore asks only for
fields a partner may read: fields of a category the consent leaves out come back empty (lists)
or null; the one that cannot (``Household.householdType``, a required text) is asked for only
when the consent shares ``stammdaten``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web.casework import (
    RESULT_FIELDS,
    ListPage,
    StepOutcome,
    actions_from,
    referral_list_page,
    step_outcome,
    version_of,
)
from api.web.data import PageError, gql, require
from api.web.forms import Errors, read_form, text
from api.web.templating import render
from api.web.wording import DECLINE_REASONS, DONE

LIST = """
query Eingang($filter: ReferralFilterInput, $first: Int, $after: String) {
  referrals(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id status createdAt lastChangedAt daysSinceChange overdue
      household { id }
      toService { id name }
      fromOrganization { id name }
    }
  }
}
"""

# Only what a partner may read: every field here is either outside the consent's data
# categories altogether or comes back empty/null when its category is not shared.
DETAIL = """
query EingangUeberleitung($id: ID!) {
  referral(id: $id) {
    id status version createdAt purpose
    lastChangedAt daysSinceChange overdue
    outcome declineReason
    history { status at by note }
    household { id ageBands area { name } }
    need { id category { name } }
    fromOrganization { id name phone email }
    toService { id name }
    consent { purpose dataCategories validTo }
  }
}
"""

HOUSEHOLD_TYPE = """
query EingangHaushalt($id: ID!) {
  referral(id: $id) { household { householdType } }
}
"""


@dataclass(frozen=True, slots=True)
class Action:
    """One answer of the receiving Träger: its step in the API and how the page names it."""

    step: str  # graph.repo.referrals.TRANSITIONS
    mutation: str
    label: str
    argument: str = "note"  # what the form's text becomes: note, reason or outcome


# URL slug -> action, in the order the page offers them.
ACTIONS: dict[str, Action] = {
    "annehmen": Action("accept", "acceptReferral", "Annehmen"),
    "warteliste": Action("waitlist", "waitlistReferral", "Auf die Warteliste"),
    "begonnen": Action("start", "startReferral", "Hilfe begonnen"),
    "abgeschlossen": Action("complete", "completeReferral", "Abgeschlossen", "outcome"),
    "nicht-wahrgenommen": Action("not_taken_up", "markReferralNotTakenUp", "Nicht wahrgenommen"),
    "ablehnen": Action("decline", "declineReferral", "Ablehnen", "reason"),
}

# The form field of each action's text, and the API argument it answers for (errors).
FIELD = {"note": "notiz", "reason": "grund", "outcome": "ergebnis"}


def _mutation(action: Action) -> str:
    return (
        "mutation Schritt($id: ID!, $text: String!, $version: Int) {\n"
        f"  result: {action.mutation}(id: $id, {action.argument}: $text, version: $version) {{"
        + RESULT_FIELDS
        + "}\n}\n"
    )


async def inbox(request: Request) -> Response:
    require(request, "partner")
    return await referral_list_page(
        request,
        ListPage(
            document=LIST,
            default_status="neu-und-warteliste",
            path="/eingang",
            title="Eingang",
            template="inbox.html",
            side="receiving",
            caption="Überleitungen an Ihre Angebote",
        ),
    )


async def _referral(request: Request, referral_id: str) -> dict[str, Any]:
    data = await gql(request, DETAIL, id=referral_id)
    found = data["referral"]
    if found is None:
        # Not a referral to this Träger, or no consent in force: the same answer for both.
        raise PageError(404, "Überleitung nicht gefunden")
    referral: dict[str, Any] = found
    consent = referral.get("consent") or {}
    if "stammdaten" in consent.get("dataCategories", []) and referral.get("household"):
        extra = await gql(request, HOUSEHOLD_TYPE, id=referral_id)
        household = (extra["referral"] or {}).get("household") or {}
        referral["household"]["householdType"] = household.get("householdType")
    return referral


def _detail(
    request: Request,
    referral: dict[str, Any],
    *,
    status: int = 200,
    problem: StepOutcome | None = None,
    errors: Errors | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    allowed = actions_from(referral["status"])
    done = DONE.get(request.query_params.get("erfolg", ""))
    return render(
        request,
        "inbox_referral.html",
        status=status,
        title="Überleitung im Eingang",
        referral=referral,
        actions={slug: a for slug, a in ACTIONS.items() if a.step in allowed},
        reasons=[(reason, reason) for reason in DECLINE_REASONS],
        shared=set((referral.get("consent") or {}).get("dataCategories", [])),
        done=done if problem is None and not errors else None,
        problem=problem,
        errors=errors or Errors(),
        values=values or {},
    )


async def inbox_referral(request: Request) -> Response:
    require(request, "partner")
    referral = await _referral(request, request.path_params["id"])
    return _detail(request, referral)


# Past-tense keys of DONE, per action.
_DONE_KEY = {
    "annehmen": "angenommen",
    "warteliste": "warteliste",
    "begonnen": "begonnen",
    "abgeschlossen": "abgeschlossen",
    "nicht-wahrgenommen": "nicht-wahrgenommen",
    "ablehnen": "abgelehnt",
}


async def answer(request: Request) -> Response:
    require(request, "partner")
    slug = request.path_params["aktion"]
    action = ACTIONS.get(slug)
    if action is None:
        raise PageError(404, f"Unbekannte Aktion {slug}")
    form = await read_form(request)
    referral = await _referral(request, request.path_params["id"])
    field_id = FIELD[action.argument] + ("" if action.argument != "note" else f"-{slug}")
    value = text(form, field_id, 1000)
    errors = Errors()
    # The page checks first, so the person gets the message at the field; the API checks again.
    if action.argument == "reason" and value not in DECLINE_REASONS:
        errors.add(field_id, "Wählen Sie einen Grund für die Ablehnung aus.")
    if action.argument == "outcome" and not value:
        errors.add(
            field_id,
            "Schreiben Sie kurz das Ergebnis auf, zum Beispiel „Beratung abgeschlossen, "
            "Ratenplan vereinbart“.",
        )
    if errors:
        return _detail(request, referral, status=400, errors=errors, values={field_id: value})
    data = await gql(
        request,
        _mutation(action),
        id=referral["id"],
        text=value,
        version=version_of(text(form, "version", 20)),
    )
    outcome = step_outcome(data["result"])
    if outcome.done:
        return RedirectResponse(
            f"/eingang/{referral['id']}?erfolg={_DONE_KEY[slug]}", status_code=303
        )
    fresh = await _referral(request, referral["id"])
    if outcome.conflict:
        return _detail(request, fresh, status=409, problem=outcome)
    for path, message in outcome.fields.items():
        if path in FIELD:
            errors.add(FIELD[path] + ("" if path != "note" else f"-{slug}"), message)
    return _detail(
        request, fresh, status=400, problem=outcome, errors=errors, values={field_id: value}
    )


ROUTES = [
    Route("/eingang", inbox, methods=["GET"]),
    Route("/eingang/{id}", inbox_referral, methods=["GET"]),
    Route("/eingang/{id}/{aktion}", answer, methods=["POST"]),
]
