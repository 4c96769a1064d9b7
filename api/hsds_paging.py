"""HSDS query parameters: ``page`` and ``per_page`` in, the spec's Page object out; the
boolean switches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PER_PAGE = 20
# The schema's largest page (schema/pagination.py): one page is one GraphQL page.
MAX_PER_PAGE = 100


class PagingError(ValueError):
    """A paging parameter the client must correct (400, German message)."""


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _number(params: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PagingError(f"`{name}` muss eine ganze Zahl sein (war {raw!r}).") from None
    if not low <= value <= high:
        raise PagingError(f"`{name}` muss zwischen {low} und {high} liegen (war {value}).")
    return value


def flag(params: Mapping[str, str], name: str) -> bool:
    """A boolean parameter (``full``, ``top_only``…): true or false, absent is false."""
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise PagingError(f"`{name}` muss true oder false sein (war {params[name]!r}).")
    return value == "true"


def paging(params: Mapping[str, str]) -> Paging:
    fmt = params.get("format", "json")
    if fmt != "json":
        raise PagingError(f"`format` {fmt!r} wird nicht unterstützt; nur json.")
    return Paging(
        page=_number(params, "page", 1, 1, 1_000_000),
        per_page=_number(params, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def page_answer(page: Paging, total: int, contents: list[Any]) -> dict[str, Any]:
    """The Page object of the OpenAPI description with its ``contents``."""
    pages = -(-total // page.per_page)
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page.page,
        "size": len(contents),
        "first_page": page.page == 1,
        "last_page": page.page >= pages,
        "empty": not contents,
        "contents": contents,
    }
