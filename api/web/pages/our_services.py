"""Unsere Angebote (partner): places, occupancy and "zuletzt geprüft" of the Träger's own
services in one form, saved through ``updateServiceAvailability`` per changed service.

Every row is checked before anything is sent: when one row is wrong, nothing is saved and the
page shows the error at that row's field (the API checks each service again when it saves).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web.data import gql, principal_of, require
from api.web.forms import Errors, read_form, text
from api.web.german import today
from api.web.templating import render

OWN = """
query UnsereAngebote($org: ID!, $after: String) {
  organization(id: $org) {
    id name
    services(first: 100, after: $after, filter: {statuses: [ACTIVE, INACTIVE]}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        id name status version capacity capacityUsed capacityUnit freeCapacity occupancyOutdated
        assuredDate
      }
    }
  }
}
"""

SAVE = """
mutation Verfuegbarkeit(
  $id: ID!, $version: Int!, $capacity: Int, $capacityUsed: Int, $assuredDate: Date
) {
  result: updateServiceAvailability(
    id: $id, version: $version, capacity: $capacity, capacityUsed: $capacityUsed,
    assuredDate: $assuredDate
  ) {
    __typename
    ... on Service { id version }
    ... on Problem { message }
    ... on InvalidInput { fields { path message } }
  }
}
"""

MAX_PAGES = 20  # 2,000 services: more than any Träger has

# API field -> the row's form field, for errors the API finds.
_API_FIELD = {"capacity": "plaetze", "capacityUsed": "belegt", "capacity_used": "belegt"}


@dataclass
class Row:
    """One service in the form: what the API says, and what was typed."""

    index: int
    service: dict[str, Any]
    places: str = ""
    used: str = ""
    checked: bool = False
    # What the form showed when it was loaded: a row counts as changed against this.
    shown: str = ""
    message: str = ""  # a row-level problem (conflict, not allowed)
    # Field name (plaetze, belegt) -> the message shown at the field; the error summary
    # repeats it with the service's name.
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"a{self.index}"

    @classmethod
    def of(cls, index: int, service: dict[str, Any]) -> Row:
        places = _text(service.get("capacity"))
        used = _text(service.get("capacityUsed"))
        return cls(index, service, places, used, False, f"{places}|{used}")

    def fail(self, errors: Errors, name: str, message: str) -> None:
        self.errors.setdefault(name, message)
        errors.add(f"{self.id}-{name}", f"{self.service['name']}: {message}")


@dataclass
class Parsed:
    places: int | None
    used: int | None
    errors: dict[str, str] = field(default_factory=dict)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _whole(value: str) -> int | None:
    cleaned = value.replace(".", "").replace(" ", "")
    return int(cleaned) if cleaned.isdigit() else None


def check(row: Row) -> Parsed:
    """The row's numbers, or what is wrong with them (German, saying what to do)."""
    errors: dict[str, str] = {}
    places = _whole(row.places) if row.places else None
    used = _whole(row.used) if row.used else None
    if row.places and places is None:
        errors["plaetze"] = "Geben Sie die Plätze gesamt als ganze Zahl ein, zum Beispiel 12."
    if row.used and used is None:
        errors["belegt"] = "Geben Sie die belegten Plätze als ganze Zahl ein, zum Beispiel 8."
    if used is not None and not row.places:
        errors["plaetze"] = (
            "Geben Sie auch die Plätze gesamt an; ohne sie lässt sich die Belegung nicht einordnen."
        )
    if places is not None and used is not None and used > places:
        errors["belegt"] = (
            f"Belegt darf nicht größer sein als Plätze gesamt ({places}). Korrigieren Sie eine "
            "der beiden Zahlen."
        )
    return Parsed(places, used, errors)


async def _own(request: Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Träger and all its services that are not archived (every page of them)."""
    org_id = principal_of(request).organization_id
    services: list[dict[str, Any]] = []
    after: str | None = None
    organization: dict[str, Any] = {}
    for _ in range(MAX_PAGES):
        data = await gql(request, OWN, org=org_id, after=after)
        organization = data["organization"] or {}
        if not organization:
            break
        page = organization["services"]
        services += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return organization, services


def _page(
    request: Request,
    organization: dict[str, Any],
    rows: list[Row],
    errors: Errors,
    *,
    status: int = 200,
    saved: int | None = None,
) -> Response:
    return render(
        request,
        "our_services.html",
        status=status,
        title="Unsere Angebote",
        organization=organization,
        rows=rows,
        errors=errors,
        saved=saved,
        notice=request.query_params.get("erfolg", ""),
        saved_count=_count(request.query_params.get("anzahl", "")),
    )


def _count(value: str) -> int:
    return int(value) if value.isdigit() else 0


async def our_services(request: Request) -> Response:
    require(request, "partner")
    organization, services = await _own(request)
    rows = [Row.of(i, s) for i, s in enumerate(services)]
    return _page(request, organization, rows, Errors())


def _posted(form: FormData, services: dict[str, dict[str, Any]]) -> list[Row]:
    rows = []
    for index in range(min(_count(text(form, "anzahl", 10)), 2000)):
        key = f"a{index}"
        service = services.get(text(form, f"{key}-id", 200))
        if service is None:
            # Not (or no longer) one of this Träger's services: nothing of it is saved.
            continue
        row = Row(
            index=index,
            service={**service, "version": _count(text(form, f"{key}-version", 20))},
            places=text(form, f"{key}-plaetze", 20),
            used=text(form, f"{key}-belegt", 20),
            checked=form.get(f"{key}-geprueft") == "1",
            shown=text(form, f"{key}-vorher", 50),
        )
        rows.append(row)
    return rows


async def save(request: Request) -> Response:
    require(request, "partner")
    form = await read_form(request)
    organization, services = await _own(request)
    rows = _posted(form, {s["id"]: s for s in services})

    # All rows first: if any row is wrong, nothing is saved (one form, one decision).
    errors = Errors()
    parsed: dict[int, Parsed] = {}
    for row in rows:
        result = check(row)
        parsed[row.index] = result
        for name, message in result.errors.items():
            row.fail(errors, name, message)
    if errors:
        return _page(request, organization, rows, errors, status=400)

    changed = [r for r in rows if r.checked or f"{r.places}|{r.used}" != r.shown]
    if not changed:
        return RedirectResponse("/unsere-angebote?erfolg=unveraendert", status_code=303)

    saved = 0
    conflicts: list[Row] = []
    for row in changed:
        numbers = parsed[row.index]
        data = await gql(
            request,
            SAVE,
            id=row.service["id"],
            version=row.service["version"],
            capacity=numbers.places,
            capacityUsed=numbers.used,
            assuredDate=today().isoformat() if row.checked else None,
        )
        result = data["result"]
        kind = result.get("__typename")
        if kind == "Service":
            saved += 1
            # Saved: the row now stands for the new version (for a second save on this page).
            row.service = {**row.service, "version": result["version"]}
            row.shown, row.checked = f"{row.places}|{row.used}", False
        elif kind == "Conflict":
            conflicts.append(row)
            row.message = (
                "Jemand hat dieses Angebot inzwischen geändert; Ihre Zahlen sind nicht "
                "gespeichert. Die Zeile zeigt jetzt den neuen Stand: Tragen Sie Ihre Zahlen "
                "bei Bedarf erneut ein."
            )
            row.fail(errors, "plaetze", row.message)
        elif kind == "InvalidInput":
            for problem in result.get("fields", []):
                path = str((problem.get("path") or ["capacity"])[-1])
                name = _API_FIELD.get(path, "plaetze")
                row.fail(errors, name, str(problem["message"]))
        else:
            row.message = (
                f"Nicht gespeichert: {result.get('message', '')} Wenden Sie sich an die "
                "Netzwerkkoordination, wenn das Angebot zu Ihrem Träger gehört."
            )
            row.fail(errors, "plaetze", row.message)
    if not errors:
        return RedirectResponse(
            f"/unsere-angebote?erfolg=gespeichert&anzahl={saved}", status_code=303
        )
    if conflicts:
        _, services = await _own(request)
        fresh = {s["id"]: s for s in services}
        for row in conflicts:
            now = Row.of(row.index, fresh.get(row.service["id"], row.service))
            row.service, row.places, row.used, row.shown = (
                now.service,
                now.places,
                now.used,
                now.shown,
            )
            row.checked = False
    # Some rows may be saved: the page says how many, and shows the errors of the others.
    status = 409 if conflicts else 400
    return _page(request, organization, rows, errors, status=status, saved=saved)


ROUTES = [
    Route("/unsere-angebote", our_services, methods=["GET"]),
    Route("/unsere-angebote", save, methods=["POST"]),
]
