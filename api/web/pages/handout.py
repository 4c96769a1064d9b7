"""Handzettel: a printable page about one service for the family to take home.

It shows directory data only (the service, its Träger, where and when, what to bring): no
household, no referral, no case data at all, so it may be printed and handed over as it is.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.german import today
from api.web.templating import render

HANDOUT = """
query Handzettel($id: ID!) {
  service(id: $id) {
    id name description languages email url requiredDocuments
    organization { name phone email website }
    locations { id name street postalCode city openingHours phone }
  }
}
"""


async def handout(request: Request) -> Response:
    require(request, "caseworker")
    data = await gql(request, HANDOUT, id=request.path_params["id"])
    service = data["service"]
    if service is None:
        raise PageError(404, "Angebot nicht gefunden")
    return render(
        request,
        "handout.html",
        title=f"Handzettel: {service['name']}",
        service=service,
        today=today(),
    )


ROUTES = [Route("/angebote/{id}/handzettel", handout, methods=["GET"])]
