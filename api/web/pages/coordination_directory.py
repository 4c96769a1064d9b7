"""Träger und Angebote (Netzwerkkoordination): the list of Träger with search, and one
Träger with its Angebote, Standorte, Vereinbarungen and Verbünde, each with its way to the
form that changes it (api/web/pages/directory_edit.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.templating import render

PAGE_SIZE = 25

_LIST = """
query Traeger($filter: OrganizationFilterInput, $after: String, $first: Int) {
  organizations(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name sector archivedAt services(first: 1) { totalCount } }
  }
}
"""

_ONE = """
query EinTraeger($id: ID!) {
  organization(id: $id) {
    id name sector description website email phone version archivedAt updatedAt updatedBy
    services(first: 100, filter: {statuses: [ACTIVE, INACTIVE, ARCHIVED]}) {
      totalCount
      nodes { id name status capacity capacityUsed freeCapacity categories { name } }
    }
    locations { id name street postalCode city archivedAt area { name } }
    agreements { id title validFrom validTo archivedAt priorityAccess parties { id name } }
    memberships { role version network { id name kind } }
  }
  networks { id name archivedAt }
}
"""

NOTICES = {
    "angelegt": "Angelegt.",
    "gespeichert": "Gespeichert. Die Angebotssuche zeigt die Änderung ab sofort.",
    "archiviert": "Archiviert. Der Eintrag erscheint nicht mehr in der Suche.",
    "aufgenommen": "In den Verbund aufgenommen.",
    "beendet": "Mitgliedschaft beendet.",
    "verbund-fehlt": "Nichts geändert: wählen Sie zuerst einen Verbund oder Arbeitskreis aus.",
    "schon-mitglied": "Nichts geändert: der Träger ist dort schon Mitglied.",
    "mitglied-konflikt": (
        "Nicht beendet: jemand hat die Mitgliedschaft inzwischen geändert. Prüfen Sie den "
        "neuen Stand und versuchen Sie es erneut."
    ),
    "archiv-konflikt": (
        "Nicht archiviert: jemand hat den Eintrag inzwischen geändert. Prüfen Sie den neuen "
        "Stand und archivieren Sie dann erneut."
    ),
}


async def organizations(request: Request) -> Response:
    require(request, "coordinator", "admin")
    params = request.query_params
    search = params.get("suche", "").strip()[:200]
    archived = params.get("archiviert") == "1"
    after = params.get("nach", "")[:200] or None
    filter_: dict[str, Any] = {"includeArchived": archived}
    if search:
        filter_["text"] = search
    found = (await gql(request, _LIST, filter=filter_, after=after, first=PAGE_SIZE))[
        "organizations"
    ]
    more = ""
    if found["pageInfo"]["hasNextPage"]:
        more = "/traeger?" + urlencode(
            {
                k: v
                for k, v in {
                    "suche": search,
                    "archiviert": "1" if archived else "",
                    "nach": found["pageInfo"]["endCursor"],
                }.items()
                if v
            }
        )
    return render(
        request,
        "coordination/organizations.html",
        title="Träger",
        found=found,
        search=search,
        archived=archived,
        more=more,
        notice=NOTICES.get(params.get("erfolg", ""), ""),
    )


async def organization(request: Request) -> Response:
    require(request, "coordinator", "admin")
    data = await gql(request, _ONE, id=request.path_params["id"])
    org = data["organization"]
    if org is None:
        raise PageError(404)
    notice_key = request.query_params.get("erfolg", "")
    joined = {m["network"]["id"] for m in org["memberships"] if m["network"]}
    return render(
        request,
        "coordination/organization.html",
        title=org["name"],
        org=org,
        here=f"/traeger/{org['id']}",
        notice=NOTICES.get(notice_key, ""),
        notice_warning=notice_key
        in ("archiv-konflikt", "mitglied-konflikt", "verbund-fehlt", "schon-mitglied"),
        open_networks=sorted(
            (n for n in data["networks"] if not n["archivedAt"] and n["id"] not in joined),
            key=lambda n: n["name"],
        ),
    )


ROUTES = [
    Route("/traeger", organizations),
    Route("/traeger/{id}", organization),
]
