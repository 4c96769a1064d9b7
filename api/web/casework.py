"""What the referral pages share: role check, status filters, paging, the answer to a status step.

Both lists (``/ueberleitungen`` for caseworkers, ``/eingang`` for partners) use the same
GraphQL field ``referrals``: the API's scope decides which referrals a principal sees, these
helpers only turn the query string into its filter and its paging.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from api.settings import Settings
from api.web.data import gql
from api.web.templating import is_htmx, render
from api.web.wording import REFERRAL_STATUS
from graph.records import ACTIVE_REFERRAL_STATUSES, REFERRAL_STATUSES
from graph.repo.referrals import TRANSITIONS

PAGE_SIZE = 20

# How ``referrals`` orders its answer: newest created first (it has no sort argument, so not by
# last change); the pages say so in the caption.
SORT_NOTE = "neueste zuerst (nach Anlagedatum)"

# The open statuses, in the order of the lifecycle, from the one list in graph/records.py.
ACTIVE = tuple(s.upper() for s in REFERRAL_STATUSES if s in ACTIVE_REFERRAL_STATUSES)

# Query-string value of the status filter -> (label, statuses; None: no status filter).
STATUS_FILTERS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "alle": ("Alle", None),
    "offen": ("Alle offenen (neu, Warteliste, angenommen, begonnen)", ACTIVE),
    "neu-und-warteliste": ("Neu und Warteliste", ("CREATED", "WAITLISTED")),
    **{status.lower(): (word, (status,)) for status, word in REFERRAL_STATUS.items()},
}


def answer_days(request: Request) -> int:
    """The days a Träger has to answer before a referral counts as overdue (for the labels)."""
    settings: Settings = request.app.state.settings
    return settings.referral_answer_days


@dataclass(frozen=True, slots=True)
class ListQuery:
    """The list's filters and position, read from the query string of a GET form."""

    status: str
    overdue: bool
    after: str | None
    # The ``after`` cursors of the pages before this one ("" = the first page): the API pages
    # forward only, so "Zurück" goes to the last of them.
    back: tuple[str, ...] = ()

    def variables(self) -> dict[str, Any]:
        statuses = STATUS_FILTERS[self.status][1]
        wanted: dict[str, Any] = {}
        if statuses is not None:
            wanted["statuses"] = list(statuses)
        if self.overdue:
            wanted["overdue"] = True
        return {"filter": wanted or None, "after": self.after, "first": PAGE_SIZE}

    def _params(self, after: str | None, back: tuple[str, ...]) -> str:
        pairs: list[tuple[str, str]] = [("status", self.status)]
        if self.overdue:
            pairs.append(("ueberfaellig", "1"))
        if after:
            pairs.append(("nach", after))
        pairs += [("vorher", cursor) for cursor in back]
        return urlencode(pairs)

    def next_url(self, path: str, end_cursor: str) -> str:
        return f"{path}?{self._params(end_cursor, (*self.back, self.after or ''))}"

    def previous_url(self, path: str) -> str | None:
        if not self.back:
            return None
        return f"{path}?{self._params(self.back[-1] or None, self.back[:-1])}"

    @property
    def page_number(self) -> int:
        return len(self.back) + 1


def list_query(request: Request, default_status: str) -> ListQuery:
    params = request.query_params
    status = params.get("status", default_status)
    if status not in STATUS_FILTERS:
        status = default_status
    return ListQuery(
        status=status,
        overdue=params.get("ueberfaellig") == "1",
        after=params.get("nach") or None,
        back=tuple(params.getlist("vorher"))[:200],
    )


# -- status steps ----------------------------------------------------------------------------

# What every status step selects from its ReferralResult.
RESULT_FIELDS = """
  __typename
  ... on Referral { id status version }
  ... on Problem { message }
  ... on InvalidInput { fields { path message } }
  ... on Conflict { currentVersion }
  ... on NotAllowed { reason }
"""


def actions_from(status: str) -> frozenset[str]:
    """The steps (``graph.repo.referrals.TRANSITIONS``) a referral in ``status`` allows: the
    rule lives there, the pages only ask it which buttons to show."""
    current = status.lower()
    return frozenset(action for action, (start, _) in TRANSITIONS.items() if current in start)


@dataclass
class StepOutcome:
    """A status step's answer as the page tells it: done, or what went wrong and what next."""

    done: bool
    message: str = ""
    conflict: bool = False
    fields: dict[str, str] = field(default_factory=dict)


CONFLICT = "Jemand hat die Überleitung inzwischen geändert. Die Seite zeigt jetzt den neuen Stand."


def step_outcome(result: Mapping[str, Any]) -> StepOutcome:
    kind = result.get("__typename")
    if kind == "Referral":
        return StepOutcome(done=True)
    if kind == "Conflict":
        return StepOutcome(done=False, message=CONFLICT, conflict=True)
    if kind == "NotAllowed" and result.get("reason") == "INVALID_TRANSITION":
        # The status moved on since the page was read (the API checks the step before the
        # version): for the person the same as a conflict.
        return StepOutcome(done=False, message=CONFLICT, conflict=True)
    if kind == "NotAllowed":
        return StepOutcome(
            done=False,
            message="Dieser Schritt ist nicht erlaubt: "
            + str(result.get("message", ""))
            + " Wenn Sie ihn brauchen, wenden Sie sich an die Netzwerkkoordination.",
        )
    if kind == "InvalidInput":
        fields = {
            ".".join(str(p) for p in f.get("path", [])): str(f.get("message", ""))
            for f in result.get("fields", [])
        }
        return StepOutcome(
            done=False,
            message="Bitte prüfen Sie Ihre Angaben: " + str(result.get("message", "")),
            fields=fields,
        )
    if kind == "NotFound":
        return StepOutcome(
            done=False,
            message="Die Überleitung gibt es nicht mehr oder sie ist für Sie nicht mehr "
            "sichtbar (zum Beispiel, weil die Einwilligung widerrufen wurde). Gehen Sie zurück "
            "zur Liste.",
        )
    return StepOutcome(
        done=False,
        message="Der Schritt ist nicht gelungen. Laden Sie die Seite neu und versuchen Sie es "
        "erneut.",
    )


def version_of(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ListPage:
    """One referral list page: the caseworker's (sent) or the Träger's Eingang (received)."""

    document: str
    default_status: str
    path: str
    title: str
    template: str
    side: str
    caption: str


async def referral_list_page(request: Request, page: ListPage) -> Response:
    """The list with its filters and paging; htmx gets the table alone (same URL)."""
    query = list_query(request, default_status=page.default_status)
    found = (await gql(request, page.document, **query.variables()))["referrals"]
    more = found["pageInfo"]["hasNextPage"]
    response = render(
        request,
        "partials/referral_table.html" if is_htmx(request) else page.template,
        title=page.title,
        query=query,
        found=found,
        path=page.path,
        status_options=[(key, label) for key, (label, _) in STATUS_FILTERS.items()],
        next_url=query.next_url(page.path, found["pageInfo"]["endCursor"]) if more else None,
        previous_url=query.previous_url(page.path),
        side=page.side,
        caption=page.caption,
        sort_note=SORT_NOTE,
        answer_days=answer_days(request),
    )
    response.headers["vary"] = "HX-Request"
    return response
