"""What the pages that change a case share: the household as the caseworker reads it, and the
answer of a casework mutation as the form shows it.

The pages write through the GraphQL mutations (``updateHousehold``, ``closeHousehold``,
``updateNeed``, ``closeNeed``, ``updateConsent``) as the signed-in caseworker: the policy
``case_record_write`` (only cases of the own organization), the checks, the version and the
audit live there; this module only maps their answers to form fields. Each page's POST is
the same flow after its own checks: ``CaseChange.send`` (the form's idempotency key, the
version it was rendered with), then ``CaseChange.done`` (back to the family with the success
message) or the form again with the problem; the templates extend ``family_form.html``.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.web import german
from api.web.casework import version_of
from api.web.data import PageError, gql, require
from api.web.templating import render

# Every casework result selects the same problem fields.
PROBLEM_FIELDS = """
  ... on Problem { message }
  ... on InvalidInput { fields { path message } }
  ... on Conflict { currentVersion }
"""

FAMILY = """
query Familie($id: ID!, $today: Date!) {
  household(id: $id) {
    id version householdType ageBands closedOn area { id name }
    needs { id version status identifiedOn category { id name } }
    consents {
      id version purpose dataCategories validFrom validTo revokedAt evidence
      validOn(date: $today) organizations { id name }
    }
    referrals { id status createdAt need { id } toService { id name } }
  }
}
"""

CONFLICT = (
    "Jemand hat die Angaben inzwischen geändert. Das Formular zeigt jetzt den neuen Stand: "
    "bitte prüfen und erneut speichern."
)


def caseworker(request: Request) -> str:
    """Only caseworkers with an organization open these pages (partners, planners: 403)."""
    principal = require(request, "caseworker")
    if not principal.organization_id:
        raise PageError(403)
    return principal.organization_id


async def family(request: Request, household_id: str) -> dict[str, Any]:
    """The household with its needs, consents and referrals, as the caseworker may see it;
    404 when it is not one of the own organization's cases."""
    data = await gql(request, FAMILY, id=household_id, today=german.today().isoformat())
    found = data["household"]
    if found is None:
        raise PageError(404, "Familie nicht gefunden")
    household: dict[str, Any] = found
    return household


def form_key() -> str:
    """A fresh idempotency key per rendered form (hidden field ``vorgang``): the same form
    sent twice (a double click, a reload after a lost answer) writes once and gets the first
    answer again; a corrected form is rendered anew and is a new request."""
    return secrets.token_urlsafe(18)


def form_page(
    request: Request,
    template: str,
    *,
    title: str,
    household: dict[str, Any],
    errors: Any,
    problem: ChangeOutcome | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    """A change's form page (a template extending ``family_form.html``), with a fresh key."""
    return render(
        request,
        template,
        vorgang=form_key(),
        status=status,
        title=title,
        household=household,
        errors=errors,
        problem=problem,
        **context,
    )


def sent_key(form: Any) -> str | None:
    value = form.get("vorgang")
    return value[:64] if isinstance(value, str) and value else None


def path_of(household_id: str) -> str:
    return f"/familien/{household_id}"


@dataclass
class ChangeOutcome:
    """A casework mutation's answer as the form tells it: done, or what to fix where."""

    done: bool
    conflict: bool = False
    message: str = ""
    fields: dict[str, str] = field(default_factory=dict)


def outcome(
    result: Mapping[str, Any], done_type: str, to_field: Mapping[str, str], fallback: str
) -> ChangeOutcome:
    """``to_field``: the last part of a GraphQL path (``householdType``) → the form field's id;
    a problem at a path without a field goes to ``fallback`` (the page's main field)."""
    kind = result.get("__typename")
    if kind == done_type:
        return ChangeOutcome(done=True)
    if kind == "Conflict":
        return ChangeOutcome(done=False, conflict=True, message=CONFLICT)
    if kind == "NotFound":
        raise PageError(404, str(result.get("message", "")))
    fields: dict[str, str] = {}
    for problem in result.get("fields") or []:
        last = str((problem.get("path") or [""])[-1])
        fields.setdefault(to_field.get(last, fallback), str(problem.get("message", "")))
    if not fields:
        fields[fallback] = str(result.get("message", "")) or (
            "Das hat nicht geklappt. Laden Sie die Seite neu und versuchen Sie es erneut."
        )
    return ChangeOutcome(done=False, message=str(result.get("message", "")), fields=fields)


def back_to_family(household_id: str, success: str | None = None) -> RedirectResponse:
    """To the family page (with ``?erfolg=`` naming the success message, never free text)."""
    query = f"?erfolg={success}" if success else ""
    return RedirectResponse(f"{path_of(household_id)}{query}", status_code=303)


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseChange:
    """One casework mutation as its form page sends it.

    ``call``: the field with its arguments (``updateNeed(id: $id, version: $version, input:
    $input)``); ``variables``: the variables besides ``$id`` and ``$version``; ``to_field``,
    ``fallback``: where its problems go in the form (``outcome``); ``success``: the key of
    the family page's message once it is done (``?erfolg=``), ``done_message`` the message."""

    operation: str
    call: str
    variables: str
    done_type: str
    to_field: Mapping[str, str]
    fallback: str
    success: str
    done_message: str

    @property
    def document(self) -> str:
        return (
            f"mutation {self.operation}($id: ID!, $version: Int!{self.variables}) {{\n"
            f"  result: {self.call} {{\n"
            f"    __typename ... on {self.done_type} {{ id }}{PROBLEM_FIELDS}}} }}"
        )

    async def send(
        self, request: Request, form: Any, record_id: str, version: str, **variables: Any
    ) -> ChangeOutcome:
        """Run the mutation under the form's key, with the version the form was rendered
        with (a missing or broken one is 0: a conflict, never an overwrite)."""
        data = await gql(
            request,
            self.document,
            idempotency_key=sent_key(form),
            id=record_id,
            version=version_of(version) or 0,
            **variables,
        )
        return outcome(data["result"], self.done_type, self.to_field, self.fallback)

    def done(self, household_id: str) -> RedirectResponse:
        return back_to_family(household_id, self.success)
