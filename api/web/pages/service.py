"""Ein Angebot im Detail: Träger, Standorte, Kontakt, Plätze, Vereinbarungen mit der eigenen
Organisation, zuletzt geprüft. Directory data only; no case data on this page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.templating import render
from graph import labels

_SERVICE = """
query Service($id: ID!) {
  service(id: $id) {
    id name description targetGroups languages legalBasis status
    capacity capacityUsed capacityUnit freeCapacity validFrom validTo email url
    assuredDate requiredDocuments
    categories { id name }
    areas { id name }
    organization {
      id name sector website email phone
      agreements { id title kind priorityAccess validFrom validTo parties { id name } }
    }
    locations { id name street postalCode city openingHours phone }
  }
}
"""


async def service_page(request: Request) -> Response:
    principal = require(request, "caseworker", "partner", "coordinator", "admin")
    data = await gql(request, _SERVICE, id=request.path_params["id"])
    service = data["service"]
    if service is None:
        raise PageError(404)
    own = principal.organization_id
    organization = service["organization"] or {}
    # Agreements of the service's Träger that the signed-in organization is a party of.
    shared = [
        a
        for a in organization.get("agreements", [])
        if own and any(p["id"] == own for p in a["parties"])
    ]
    return render(
        request,
        "service.html",
        title=service["name"],
        s=service,
        organization=organization,
        agreements=shared,
        labels=labels,
    )


ROUTES = [Route("/angebote/{id}", service_page)]
