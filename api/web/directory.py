"""Choices for the search and referral forms (Leistungsbereiche, Sozialräume, Zielgruppen,
Sprachen), read through GraphQL like everything else and kept for a minute per process:
the directory's vocabulary changes rarely and every search page needs it."""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request

from api.web.data import gql
from graph import labels
from graph.normalize import fold

_CHOICES = """
query Choices($after: String) {
  categories { id name }
  areas(filter: {levels: [DISTRICT, SUBDISTRICT]}, first: 100, after: $after) {
    nodes { id name level parent { name } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
_MAX_PAGES = 50  # 5,000 Sozialräume: more than a Land has districts and sub-districts
_CACHE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class AreaChoice:
    id: str
    name: str
    label: str  # "Bad Cannstatt" or "Veielbrunnen (Bad Cannstatt)"


@dataclass(frozen=True, slots=True)
class Choices:
    categories: list[tuple[str, str]]
    areas: list[AreaChoice]
    target_groups: list[tuple[str, str]]
    languages: list[tuple[str, str]]

    def area_by_label(self, text: str) -> AreaChoice | None:
        """The Sozialraum a person typed or picked (label, name or id; case, spaces and
        umlauts spelled out ignored: "muenster" is Münster)."""
        wanted = fold(text)
        for key in ("label", "name", "id"):
            for area in self.areas:
                if fold(getattr(area, key)) == wanted:
                    return area
        return None

    def area(self, area_id: str) -> AreaChoice | None:
        return next((a for a in self.areas if a.id == area_id), None)

    def category_name(self, category_id: str) -> str:
        return dict(self.categories).get(category_id, category_id)


async def choices(request: Request) -> Choices:
    # Kept per app (its graph), not per process: two apps on two databases never share it.
    cached: tuple[float, Choices] | None = getattr(request.app.state, "web_choices", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < _CACHE_SECONDS:
        return cached[1]
    data = await gql(request, _CHOICES)
    nodes = list(data["areas"]["nodes"])
    page = data["areas"]["pageInfo"]
    for _ in range(_MAX_PAGES):
        if not page["hasNextPage"]:
            break
        more = (await gql(request, _CHOICES, after=page["endCursor"]))["areas"]
        nodes.extend(more["nodes"])
        page = more["pageInfo"]
    areas = [
        AreaChoice(
            id=a["id"],
            name=a["name"],
            label=(
                f"{a['name']} ({a['parent']['name']})"
                if a["level"] == "SUBDISTRICT" and a.get("parent")
                else a["name"]
            ),
        )
        for a in nodes
    ]
    found = Choices(
        categories=sorted(((c["id"], c["name"]) for c in data["categories"]), key=lambda c: c[1]),
        areas=sorted(areas, key=lambda a: a.label.casefold()),
        target_groups=sorted(labels.TARGET_GROUPS.items(), key=lambda t: t[1]),
        languages=sorted(labels.LANGUAGES.items(), key=lambda t: t[1]),
    )
    request.app.state.web_choices = (now, found)
    return found
