"""Dubletten (Netzwerkkoordination): the duplicate-Träger suggestions of the linkage with their
evidence, each answered with Bestätigen (merge, ``confirmDuplicate``) or Ablehnen (never
suggested again, ``rejectDuplicate``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.forms import read_form, text
from api.web.templating import render

_LIST = """
query Dubletten {
  duplicateRecords { organizations { id name } score outcome evidence }
}
"""

_CONFIRM = """
mutation Bestaetigen($keep: ID!, $drop: ID!, $outcome: String!) {
  result: confirmDuplicate(keepId: $keep, dropId: $drop, outcome: $outcome) {
    __typename
    ... on Problem { message }
  }
}
"""

_REJECT = """
mutation Ablehnen($a: ID!, $b: ID!, $outcome: String!) {
  result: rejectDuplicate(aId: $a, bId: $b, outcome: $outcome) {
    __typename
    ... on Problem { message }
  }
}
"""

OUTCOMES = {
    "same": "Derselbe Träger",
    "renamed": "Möglicherweise umbenannt",
    "related": "Zusammengehörige Träger (nie zusammenführen)",
}
NOTICES = {
    "bestaetigt": "Zusammengeführt. Der zweite Datensatz ist im ersten aufgegangen.",
    "abgelehnt": "Abgelehnt. Das Paar wird nicht wieder vorgeschlagen.",
    "weg": "Nichts geändert: einer der beiden Träger ist nicht mehr da. Die Liste ist neu geladen.",
    "konflikt": (
        "Nicht zusammengeführt: ein Datensatz hängt an etwas, das nicht übertragen werden kann. "
        "Prüfen Sie beide Träger auf ihren Seiten."
    ),
}


async def duplicates(request: Request) -> Response:
    require(request, "coordinator", "admin")
    found = (await gql(request, _LIST))["duplicateRecords"]
    groups = {key: [f for f in found if f["outcome"] == key] for key in OUTCOMES}
    notice = NOTICES.get(request.query_params.get("erfolg", ""))
    return render(
        request,
        "coordination/duplicates.html",
        title="Dubletten",
        groups=groups,
        outcomes=OUTCOMES,
        notice=notice,
    )


def _back(notice: str) -> Response:
    return RedirectResponse(f"/dubletten?erfolg={notice}", status_code=303)


async def decide(request: Request) -> Response:
    require(request, "coordinator", "admin")
    form = await read_form(request)
    a, b = text(form, "a", 200), text(form, "b", 200)
    outcome = text(form, "ergebnis", 20)
    verdict = request.path_params["verdict"]
    if not a or not b or outcome not in OUTCOMES:
        raise PageError(400, "Angaben fehlen: laden Sie die Seite neu und versuchen Sie es erneut.")
    if verdict == "bestaetigen":
        data = await gql(request, _CONFIRM, keep=a, drop=b, outcome=outcome)
        done = "OrganizationsMerged"
    else:
        data = await gql(request, _REJECT, a=a, b=b, outcome=outcome)
        done = "DuplicateRejected"
    kind = data["result"]["__typename"]
    if kind == done:
        return _back("bestaetigt" if verdict == "bestaetigen" else "abgelehnt")
    if kind == "NotFound":
        return _back("weg")
    if kind == "Conflict":
        return _back("konflikt")
    raise PageError(400, data["result"].get("message", ""))


ROUTES = [
    Route("/dubletten", duplicates),
    Route("/dubletten/{verdict:str}", decide, methods=["POST"]),
]
