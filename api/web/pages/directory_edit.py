"""Pflege des Verzeichnisses (Netzwerkkoordination): anlegen, ändern, archivieren von Trägern,
Angeboten, Standorten, Kooperationsvereinbarungen und Verbünden in Formularen.

One engine for every kind (api/web/pages/directory_edit_kinds.py says which fields). The
page only turns typed text into values (a number, a date); every domain rule is checked by the
kind's GraphQL mutation, whose ``InvalidInput`` names the fields the page marks. An update
carries the version the form was loaded with: when the record changed meanwhile the mutation
answers ``Conflict`` and the page shows both versions side by side; nothing is overwritten
unless the coordinator chooses so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.directory import choices
from api.web.forms import Errors, read_form, text, texts
from api.web.german import datum, iso_date
from api.web.pages.directory_edit_kinds import (
    HIDDEN_LABELS,
    KINDS,
    NETWORK_KINDS,
    STATUSES,
    Field,
    Kind,
)
from api.web.templating import render
from api.web.wording import SECTOR

Value = str | list[str]

_ORGANIZATIONS = """
query Traegerwahl($after: String) {
  organizations(first: 100, after: $after) {
    nodes { id name }
    pageInfo { hasNextPage endCursor }
  }
}
"""
_MAX_PAGES = 50


def _kind(request: Request) -> Kind:
    kind = KINDS.get(request.path_params["kind"])
    if kind is None:
        raise PageError(404)
    return kind


def _root(kind: Kind) -> str:
    return kind.graphql[0].lower() + kind.graphql[1:]


async def load(request: Request, kind: Kind, ident: str) -> dict[str, Any] | None:
    document = (
        f"query Lesen($id: ID!) {{ record: {_root(kind)}(id: $id) {{ {kind.selection()} }} }}"
    )
    found: dict[str, Any] | None = (await gql(request, document, id=ident))["record"]
    return found


async def options(request: Request, kind: Kind) -> dict[str, list[tuple[str, str]]]:
    """The choices of the kind's select fields (only those it has)."""
    wanted = {f.options for f in kind.fields if f.options}
    found: dict[str, list[tuple[str, str]]] = {
        "sectors": list(SECTOR.items()),
        "statuses": list(STATUSES),
        "network_kinds": list(NETWORK_KINDS),
    }
    if wanted & {"categories", "areas"}:
        known = await choices(request)
        found["categories"] = known.categories
        found["areas"] = [(a.id, a.label) for a in known.areas]
    if "organizations" in wanted:
        orgs: list[tuple[str, str]] = []
        after: str | None = None
        for _ in range(_MAX_PAGES):
            page = (await gql(request, _ORGANIZATIONS, after=after))["organizations"]
            orgs += [(o["id"], o["name"]) for o in page["nodes"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        found["organizations"] = orgs
    return found


def values_of(kind: Kind, record: dict[str, Any]) -> dict[str, Value]:
    """The record's values as the form shows them."""
    values: dict[str, Value] = {}
    for field in kind.fields:
        raw = record.get(field.key)
        if field.shape == "choices":
            values[field.key] = [item["id"] for item in raw or []]
        elif field.read:  # a single relation, e.g. area { id }
            values[field.key] = (raw or {}).get("id", "")
        elif field.shape == "list":
            values[field.key] = ", ".join(raw or [])
        elif field.shape == "bool":
            values[field.key] = "1" if raw else ""
        elif field.shape == "date":
            values[field.key] = datum(raw, "")
        else:
            values[field.key] = "" if raw is None else str(raw)
    return values


def posted(kind: Kind, form: FormData) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for field in kind.fields:
        if field.shape == "choices":
            values[field.key] = texts(form, field.key, 200)
        elif field.shape == "bool":
            values[field.key] = "1" if form.get(field.key) == "1" else ""
        else:
            limit = 5000 if field.shape == "textarea" else 500
            values[field.key] = text(form, field.key, limit)
    return values


def to_input(kind: Kind, values: dict[str, Value], errors: Errors) -> dict[str, Any]:
    """The mutation's input from the form's text: only the typing is checked here (is it a
    number, a date?); what the values may be is the mutation's business."""
    data: dict[str, Any] = {}
    for field in kind.fields:
        value = values.get(field.key, "")
        if isinstance(value, list):
            data[field.key] = value
            continue
        if field.shape == "bool":
            data[field.key] = value == "1"
        elif field.shape == "int":
            cleaned = value.replace(".", "").replace(" ", "")
            if cleaned and not cleaned.isdigit():
                errors.add(
                    field.key, f"{field.label}: Geben Sie eine ganze Zahl ein, zum Beispiel 12."
                )
            data[field.key] = int(cleaned) if cleaned.isdigit() else None
        elif field.shape == "date":
            day = iso_date(value) if value else None
            if value and day is None:
                errors.add(
                    field.key, f"{field.label}: Geben Sie ein Datum ein, zum Beispiel 01.01.2027."
                )
            data[field.key] = day.isoformat() if day else None
        elif field.shape == "list":
            data[field.key] = [part.strip() for part in value.split(",") if part.strip()]
        elif field.required:
            # Sent as typed (also empty): the mutation says what a missing value means.
            data[field.key] = value or None if field.shape == "choice" else value
        else:
            data[field.key] = value or None
    return data


def _problems(kind: Kind, result: dict[str, Any], errors: Errors) -> None:
    """The mutation's InvalidInput at the fields it names."""
    for problem in result.get("fields") or []:
        key = str((problem.get("path") or ["name"])[-1])
        field = kind.field(key)
        label = field.label if field else HIDDEN_LABELS.get(key, key)
        message = str(problem["message"])
        if message in ("Pflichtangabe.", ""):
            message = "Pflichtangabe: bitte ausfüllen."
        errors.add(key if field else kind.fields[0].key, f"{label}: {message}")
    if not errors:
        errors.add(kind.fields[0].key, str(result.get("message") or "Nicht gespeichert."))


_RESULT = """
    __typename
    ... on {type} {{ id version }}
    ... on Problem {{ message }}
    ... on InvalidInput {{ fields {{ path message }} }}
    ... on Conflict {{ currentVersion }}
"""


async def _write(
    request: Request, kind: Kind, ident: str | None, version: int | None, data: dict[str, Any]
) -> dict[str, Any]:
    selection = _RESULT.format(type=kind.graphql)
    name = f"{kind.graphql}Input"
    if ident is None:
        document = (
            f"mutation Anlegen($input: {name}!) {{ result: create{kind.graphql}(input: $input) "
            f"{{ {selection} }} }}"
        )
        found: dict[str, Any] = (await gql(request, document, input=data))["result"]
        return found
    document = (
        f"mutation Aendern($id: ID!, $version: Int!, $input: {name}!) {{ result: "
        f"update{kind.graphql}(id: $id, version: $version, input: $input) {{ {selection} }} }}"
    )
    found = (await gql(request, document, id=ident, version=version, input=data))["result"]
    return found


def _back(request: Request, form: FormData | None, kind: Kind, record: dict[str, Any]) -> str:
    wanted = (
        text(form, "zurueck", 300) if form is not None else request.query_params.get("zurueck", "")
    )
    if wanted.startswith(("/traeger", "/netzwerk", "/sozialraeume")) and "//" not in wanted:
        return wanted
    if kind.slug == "traeger" and record.get("id"):
        return f"/traeger/{record['id']}"
    owner = record.get("organization") or {}
    return f"/traeger/{owner['id']}" if owner.get("id") else "/traeger"


@dataclass
class FormPage:
    kind: Kind
    values: dict[str, Value]
    errors: Errors
    record: dict[str, Any] | None  # None: a new record
    version: int | None
    back: str
    owner: str = ""  # the Träger of a new service or location


async def _page(request: Request, page: FormPage, status: int = 200) -> Response:
    new = page.record is None
    title = f"{page.kind.one} anlegen" if new else f"{page.kind.one} ändern"
    return render(
        request,
        "directory_form.html",
        status=status,
        title=title,
        page=page,
        options=await options(request, page.kind),
        action=(
            f"/pflege/{page.kind.slug}/neu"
            if new
            else f"/pflege/{page.kind.slug}/{page.record['id'] if page.record else ''}"
        ),
    )


async def new_form(request: Request) -> Response:
    require(request, "coordinator", "admin")
    kind = _kind(request)
    owner = request.query_params.get("traeger", "")[:200]
    values: dict[str, Value] = {f.key: [] if f.shape == "choices" else "" for f in kind.fields}
    if "status" in values:
        values["status"] = "ACTIVE"
    if "sector" in values:
        values["sector"] = "NONPROFIT"
    if "kind" in values and kind.slug == "verbund":
        values["kind"] = "ARBEITSKREIS"
    if kind.slug == "vereinbarung" and owner:
        values["parties"] = [owner]
    back = request.query_params.get("zurueck", "") or (f"/traeger/{owner}" if owner else "/traeger")
    page = FormPage(kind, values, Errors(), None, None, _safe(back), owner)
    return await _page(request, page)


def _safe(path: str) -> str:
    ok = path.startswith(("/traeger", "/netzwerk", "/sozialraeume")) and "//" not in path
    return path if ok else "/traeger"


async def create(request: Request) -> Response:
    require(request, "coordinator", "admin")
    kind = _kind(request)
    form = await read_form(request)
    values = posted(kind, form)
    owner = text(form, "organization", 200)
    errors = Errors()
    data = to_input(kind, values, errors)
    if kind.slug in ("angebot", "standort"):
        data["organization"] = owner
    page = FormPage(kind, values, errors, None, None, _safe(text(form, "zurueck", 300)), owner)
    if errors:
        return await _page(request, page, 400)
    result = await _write(request, kind, None, None, data)
    if result["__typename"] == kind.graphql:
        saved = await load(request, kind, result["id"]) or {"id": result["id"]}
        target = (
            _back(request, form, kind, saved)
            if kind.slug != "traeger"
            else f"/traeger/{result['id']}"
        )
        return RedirectResponse(_notice(target, "angelegt"), status_code=303)
    _problems(kind, result, errors)
    return await _page(request, page, 400)


def _notice(target: str, what: str) -> str:
    return f"{target}{'&' if '?' in target else '?'}erfolg={what}"


async def edit_form(request: Request) -> Response:
    require(request, "coordinator", "admin")
    kind = _kind(request)
    record = await load(request, kind, request.path_params["id"])
    if record is None:
        raise PageError(404)
    page = FormPage(
        kind,
        values_of(kind, record),
        Errors(),
        record,
        record["version"],
        _back(request, None, kind, record),
    )
    return await _page(request, page)


def _version(form: FormData) -> int:
    given = text(form, "version", 12)
    if not given.isdigit():
        raise PageError(400, "Version fehlt")
    return int(given)


async def update(request: Request) -> Response:
    require(request, "coordinator", "admin")
    kind = _kind(request)
    form = await read_form(request)
    record = await load(request, kind, request.path_params["id"])
    if record is None:
        raise PageError(404)
    version = _version(form)
    values = posted(kind, form)
    errors = Errors()
    data = to_input(kind, values, errors)
    page = FormPage(kind, values, errors, record, version, _back(request, form, kind, record))
    if errors:
        return await _page(request, page, 400)
    result = await _write(request, kind, record["id"], version, data)
    kind_of = result["__typename"]
    if kind_of == kind.graphql:
        return RedirectResponse(_notice(page.back, "gespeichert"), status_code=303)
    if kind_of == "Conflict":
        return await _conflict(request, page, record)
    if kind_of == "NotFound":
        raise PageError(404)
    _problems(kind, result, errors)
    return await _page(request, page, 400)


@dataclass(frozen=True, slots=True)
class Difference:
    field: Field
    mine: str
    theirs: str

    @property
    def changed(self) -> bool:
        return self.mine != self.theirs


def _shown(field: Field, value: Value, names: dict[str, str]) -> str:
    if isinstance(value, list):
        return ", ".join(sorted(names.get(v, v) for v in value)) or "–"
    if field.shape == "bool":
        return "ja" if value == "1" else "nein"
    if field.shape == "date":
        return datum(iso_date(value) if value else None)
    if field.options:
        return names.get(value, value) or "–"
    return value or "–"


async def _conflict(request: Request, page: FormPage, record: dict[str, Any]) -> Response:
    """Someone saved the record after the form was loaded: both versions, side by side."""
    known = await options(request, page.kind)
    names = {key: label for pairs in known.values() for key, label in pairs}
    theirs = values_of(page.kind, record)
    rows = [
        Difference(f, _shown(f, page.values[f.key], names), _shown(f, theirs[f.key], names))
        for f in page.kind.fields
    ]
    return render(
        request,
        "directory_conflict.html",
        status=409,
        title=f"{page.kind.one} wurde inzwischen geändert",
        page=page,
        record=record,
        rows=rows,
        options=known,
    )


async def archive(request: Request) -> Response:
    require(request, "coordinator", "admin")
    kind = _kind(request)
    form = await read_form(request)
    record = await load(request, kind, request.path_params["id"])
    if record is None:
        raise PageError(404)
    document = (
        f"mutation Archivieren($id: ID!, $version: Int!) {{ result: archive{kind.graphql}"
        f"(id: $id, version: $version) {{ {_RESULT.format(type=kind.graphql)} }} }}"
    )
    result = (await gql(request, document, id=record["id"], version=_version(form)))["result"]
    back = _back(request, form, kind, record)
    if result["__typename"] == kind.graphql:
        return RedirectResponse(_notice(back, "archiviert"), status_code=303)
    if result["__typename"] == "Conflict":
        return RedirectResponse(_notice(back, "archiv-konflikt"), status_code=303)
    raise PageError(404 if result["__typename"] == "NotFound" else 400, result.get("message", ""))


ROUTES = [
    Route("/pflege/{kind}/neu", new_form, methods=["GET"]),
    Route("/pflege/{kind}/neu", create, methods=["POST"]),
    Route("/pflege/{kind}/{id}", edit_form, methods=["GET"]),
    Route("/pflege/{kind}/{id}", update, methods=["POST"]),
    Route("/pflege/{kind}/{id}/archivieren", archive, methods=["POST"]),
]
