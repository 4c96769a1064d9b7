"""Mitgliedschaften (Netzwerkkoordination): a Träger joins or leaves a Verbund or Arbeitskreis
from its page, through ``addMembership`` and ``removeMembership`` (the latter with the
membership's version, like every change)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.forms import read_form, text

_ADD = """
mutation Aufnehmen($network: ID!, $organization: ID!, $role: String!) {
  result: addMembership(network: $network, organization: $organization, role: $role) {
    __typename
    ... on Problem { message }
  }
}
"""

_REMOVE = """
mutation Beenden($network: ID!, $organization: ID!, $version: Int!) {
  result: removeMembership(network: $network, organization: $organization, version: $version) {
    __typename
    ... on Problem { message }
  }
}
"""

# Answer of the mutation -> the notice the Träger page shows (coordination_directory.py).
_ADDED = {"Membership": "aufgenommen", "Conflict": "schon-mitglied"}
_REMOVED = {"MembershipRemoved": "beendet", "Conflict": "mitglied-konflikt"}


def _back(organization: str, notice: str) -> Response:
    return RedirectResponse(f"/traeger/{organization}?erfolg={notice}#verbuende", status_code=303)


async def join(request: Request) -> Response:
    require(request, "coordinator", "admin")
    form = await read_form(request)
    organization = request.path_params["id"]
    network = text(form, "verbund", 200)
    if not network:
        return _back(organization, "verbund-fehlt")
    role = text(form, "rolle", 100) or "mitglied"
    data = await gql(request, _ADD, network=network, organization=organization, role=role)
    kind = data["result"]["__typename"]
    if kind not in _ADDED:
        raise PageError(404 if kind == "NotFound" else 400, data["result"].get("message", ""))
    return _back(organization, _ADDED[kind])


async def leave(request: Request) -> Response:
    require(request, "coordinator", "admin")
    form = await read_form(request)
    organization = request.path_params["id"]
    version = text(form, "version", 12)
    if not version.isdigit():
        raise PageError(400, "Version fehlt")
    data = await gql(
        request,
        _REMOVE,
        network=request.path_params["network"],
        organization=organization,
        version=int(version),
    )
    kind = data["result"]["__typename"]
    if kind not in _REMOVED:
        raise PageError(404 if kind == "NotFound" else 400, data["result"].get("message", ""))
    return _back(organization, _REMOVED[kind])


ROUTES = [
    Route("/traeger/{id}/verbuende", join, methods=["POST"]),
    Route("/traeger/{id}/verbuende/{network}/beenden", leave, methods=["POST"]),
]
