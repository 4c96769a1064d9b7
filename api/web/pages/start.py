"""Die Startseite: what the signed-in role can do next, with the counts that matter today."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.casework import ACTIVE
from api.web.data import gql, principal_of
from api.web.templating import render
from schema.principal import ROLE_NAMES

_COUNTS = """
query Start($open: [ReferralStatus!], $fresh: [ReferralStatus!]) {
  open: referrals(filter: {statuses: $open}, first: 1) { totalCount }
  fresh: referrals(filter: {statuses: $fresh}, first: 1) { totalCount }
  overdue: referrals(filter: {statuses: $fresh, overdue: true}, first: 1) { totalCount }
}
"""


@dataclass(frozen=True, slots=True)
class Counts:
    open: int = 0
    overdue: int = 0


async def start(request: Request) -> Response:
    principal = principal_of(request)
    counts = Counts()
    if principal.role in ("caseworker", "partner"):
        data = await gql(request, _COUNTS, open=list(ACTIVE), fresh=["CREATED"])
        mine = data["open"] if principal.role == "caseworker" else data["fresh"]
        counts = Counts(open=mine["totalCount"], overdue=data["overdue"]["totalCount"])
    return render(
        request,
        "start.html",
        counts=counts,
        answer_days=request.app.state.settings.referral_answer_days,
        role_name=ROLE_NAMES.get(principal.role, "") if principal.role else "",
    )


ROUTES = [Route("/", start)]
