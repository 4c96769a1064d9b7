"""``/hsds/taxonomies`` and ``/hsds/taxonomy_terms``: verbund's vocabulary (the taxonomies
of loaders/hsds/writer.py and those imported with terms, loaders/hsds/taxonomies.py) and its
terms, the Leistungsbereiche read through the schema."""

from __future__ import annotations

from starlette.requests import Request

from api.hsds_data import DataError, Json, Run, categories
from api.hsds_paging import flag, page_answer, paging
from loaders.hsds.taxonomies import all_taxonomies
from loaders.hsds.writer import taxonomy_terms


def _matches(record: Json, search: str) -> bool:
    folded = search.casefold()
    return any(folded in str(record.get(key, "")).casefold() for key in ("name", "description"))


async def taxonomies(request: Request, run: Run) -> Json:
    params = request.query_params
    page = paging(params)
    known = all_taxonomies(await categories(run))
    found = [t for t in known if _matches(t, params.get("search", ""))]
    return page_answer(page, len(found), found[page.offset : page.offset + page.per_page])


async def taxonomy(request: Request, run: Run) -> Json:
    ident = request.path_params["id"]
    for found in all_taxonomies(await categories(run)):
        if found["id"] == ident:
            return found
    raise DataError(404, f"Keine Taxonomie mit der Kennung {ident!r}.")


async def taxonomy_terms_page(request: Request, run: Run) -> Json:
    params = request.query_params
    page = paging(params)
    terms = taxonomy_terms(await categories(run))
    if search := params.get("search"):
        terms = [t for t in terms if _matches(t, search)]
    if taxonomy_id := params.get("taxonomy_id"):
        terms = [t for t in terms if t["taxonomy"] == taxonomy_id]
    if parent := params.get("parent_id"):
        terms = [t for t in terms if t.get("parent_id") == parent]
    if flag(params, "top_only"):
        terms = [t for t in terms if "parent_id" not in t]
    return page_answer(page, len(terms), terms[page.offset : page.offset + page.per_page])


async def taxonomy_term(request: Request, run: Run) -> Json:
    ident = request.path_params["id"]
    for found in taxonomy_terms(await categories(run)):
        if found["id"] == ident:
            return found
    raise DataError(404, f"Kein Begriff mit der Kennung {ident!r}.")
