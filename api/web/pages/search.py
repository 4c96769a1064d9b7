"""Angebot finden: ranked services for a need in a Sozialraum, with the reasons in words.

The ranking is the API's (``referralOptions``): same Sozialraum first, then neighbours,
agreements with priority access, target group, language, capacity. This page only asks and
shows; "nur mit freien Plätzen" keeps the options whose free places are known and above 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import gql, require
from api.web.directory import Choices, choices
from api.web.forms import Errors
from api.web.templating import render
from graph import labels

PAGE_SIZE = 10
MAX_OPTIONS = 100  # the API's limit per search

_OPTIONS = """
query Options($input: ReferralOptionsInput!) {
  referralOptions(input: $input) {
    __typename
    ... on ReferralOptions {
      options {
        rank steps
        service {
          id name description languages targetGroups capacity freeCapacity
          organization { id name }
          locations { id name street postalCode city }
        }
        reasons { code text }
      }
    }
    ... on InvalidInput { message }
    ... on NotFound { message }
  }
}
"""


@dataclass(frozen=True, slots=True)
class Query:
    need: str
    area_text: str
    target_group: str
    language: str
    only_free: bool
    page: int

    @classmethod
    def of(cls, request: Request) -> Query:
        params = request.query_params
        page = params.get("seite", "1")
        return cls(
            need=params.get("bedarf", "").strip()[:100],
            area_text=params.get("sozialraum", "").strip()[:200],
            target_group=params.get("zielgruppe", "").strip()[:100],
            language=params.get("sprache", "").strip()[:10],
            only_free=params.get("frei") == "1",
            page=int(page) if page.isdigit() and 0 < int(page) <= MAX_OPTIONS else 1,
        )

    @property
    def asked(self) -> bool:
        return bool(self.need or self.area_text)

    def link(self, **changes: Any) -> str:
        values = {
            "bedarf": self.need,
            "sozialraum": self.area_text,
            "zielgruppe": self.target_group,
            "sprache": self.language,
            "frei": "1" if self.only_free else "",
            "seite": str(self.page),
        }
        values.update({k: str(v) for k, v in changes.items()})
        return "/angebote?" + urlencode({k: v for k, v in values.items() if v})


def _validate(query: Query, known: Choices) -> tuple[Errors, str | None]:
    errors = Errors()
    if not query.need:
        errors.add("bedarf", "Wählen Sie den Bedarf der Familie aus.")
    elif query.need not in dict(known.categories):
        errors.add("bedarf", "Diesen Bedarf gibt es nicht. Wählen Sie einen aus der Liste.")
    area = known.area_by_label(query.area_text) if query.area_text else None
    if not query.area_text:
        errors.add("sozialraum", "Geben Sie den Sozialraum ein, in dem die Familie wohnt.")
    elif area is None:
        errors.add(
            "sozialraum",
            f"Einen Sozialraum „{query.area_text}“ kennen wir nicht. Beginnen Sie zu tippen "
            "und wählen Sie einen Vorschlag aus der Liste.",
        )
    return errors, area.id if area else None


async def search(request: Request) -> Response:
    require(request, "caseworker")
    known = await choices(request)
    query = Query.of(request)
    errors, area_id = _validate(query, known) if query.asked else (Errors(), None)
    options: list[dict[str, Any]] = []
    if query.asked and not errors and area_id:
        data = await gql(
            request,
            _OPTIONS,
            input={
                "area": area_id,
                "categories": [query.need],
                "targetGroups": [query.target_group] if query.target_group else [],
                "languages": [query.language] if query.language else [],
                "first": MAX_OPTIONS,
            },
        )
        result = data["referralOptions"]
        if result["__typename"] != "ReferralOptions":
            errors.add("sozialraum", result["message"])
        else:
            options = result["options"]
    if query.only_free:
        options = [o for o in options if (o["service"]["freeCapacity"] or 0) > 0]
    start = (query.page - 1) * PAGE_SIZE
    shown = options[start : start + PAGE_SIZE]
    context: dict[str, Any] = {
        "title": "Angebot finden",
        "query": query,
        "known": known,
        "errors": errors,
        "options": shown,
        "total": len(options),
        "first_rank": start + 1,
        "has_next": start + PAGE_SIZE < len(options),
        "area_id": area_id,
        "labels": labels,
    }
    # htmx takes the search block out of the whole page (hx-select), so the form's field
    # errors update too; one template serves both.
    return render(request, "search.html", **context)


ROUTES = [Route("/angebote", search)]
