"""Meine Überleitungen (caseworker): the organization's referrals, one referral with its
consent and timeline, and withdrawing it while it is still active.

Everything is read and written through GraphQL as the signed-in caseworker: the API's scope
shows only the referrals the own organization made.
"""

from __future__ import annotations

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
from api.web.wording import DONE

LIST = """
query MeineUeberleitungen($filter: ReferralFilterInput, $first: Int, $after: String) {
  referrals(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id status createdAt lastChangedAt daysSinceChange overdue
      household { id }
      toService { id name organization { id name } }
    }
  }
}
"""

DETAIL = """
query Ueberleitung($id: ID!) {
  referral(id: $id) {
    id status version createdAt purpose outcome declineReason
    lastChangedAt daysSinceChange overdue
    household { id householdType ageBands area { name } }
    need { id category { name } }
    fromOrganization { id name }
    toService {
      id name
      organization { id name phone email website }
    }
    consent { id purpose dataCategories validFrom validTo revokedAt }
    history { status at by note }
  }
}
"""

CANCEL = (
    """
mutation Zurueckziehen($id: ID!, $note: String!, $version: Int) {
  result: cancelReferral(id: $id, note: $note, version: $version) {"""
    + RESULT_FIELDS
    + """}
}
"""
)


async def referral_list(request: Request) -> Response:
    require(request, "caseworker")
    return await referral_list_page(
        request,
        ListPage(
            document=LIST,
            default_status="alle",
            path="/ueberleitungen",
            title="Meine Überleitungen",
            template="referrals.html",
            side="referring",
            caption="Überleitungen Ihrer Stelle",
        ),
    )


async def _referral(request: Request, referral_id: str) -> dict[str, Any]:
    data = await gql(request, DETAIL, id=referral_id)
    found = data["referral"]
    if found is None:
        raise PageError(404, "Überleitung nicht gefunden")
    referral: dict[str, Any] = found
    return referral


def _detail(
    request: Request,
    referral: dict[str, Any],
    *,
    status: int = 200,
    problem: StepOutcome | None = None,
) -> Response:
    done = DONE.get(request.query_params.get("erfolg", ""))
    return render(
        request,
        "referral.html",
        status=status,
        title="Überleitung",
        referral=referral,
        actions=actions_from(referral["status"]),
        done=done if problem is None else None,
        problem=problem,
    )


async def referral_detail(request: Request) -> Response:
    require(request, "caseworker")
    referral = await _referral(request, request.path_params["id"])
    return _detail(request, referral)


def _withdraw_page(
    request: Request,
    referral: dict[str, Any],
    *,
    note: str = "",
    errors: Errors | None = None,
    problem: StepOutcome | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "referral_withdraw.html",
        status=status,
        title="Überleitung zurückziehen",
        referral=referral,
        note=note,
        errors=errors or Errors(),
        problem=problem,
    )


async def withdraw_confirm(request: Request) -> Response:
    require(request, "caseworker")
    referral = await _referral(request, request.path_params["id"])
    if "cancel" not in actions_from(referral["status"]):
        # Already closed: the detail page says so and offers nothing to withdraw.
        return RedirectResponse(f"/ueberleitungen/{referral['id']}", status_code=303)
    return _withdraw_page(request, referral)


async def withdraw(request: Request) -> Response:
    require(request, "caseworker")
    form = await read_form(request)
    referral = await _referral(request, request.path_params["id"])
    note = text(form, "notiz", 500)
    data = await gql(
        request,
        CANCEL,
        id=referral["id"],
        note=note,
        version=version_of(text(form, "version", 20)),
    )
    outcome = step_outcome(data["result"])
    if outcome.done:
        return RedirectResponse(
            f"/ueberleitungen/{referral['id']}?erfolg=zurueckgezogen", status_code=303
        )
    fresh = await _referral(request, referral["id"])
    if outcome.conflict:
        return _detail(request, fresh, status=409, problem=outcome)
    return _withdraw_page(request, fresh, note=note, problem=outcome, status=400)


ROUTES = [
    Route("/ueberleitungen", referral_list, methods=["GET"]),
    Route("/ueberleitungen/{id}", referral_detail, methods=["GET"]),
    Route("/ueberleitungen/{id}/zurueckziehen", withdraw_confirm, methods=["GET"]),
    Route("/ueberleitungen/{id}/zurueckziehen", withdraw, methods=["POST"]),
]
