"""Relay-style connections with keyset cursors.

``first`` defaults to 20 and may be at most 100; a cursor is opaque (base64 of the sort it
belongs to, the sort key and the id), and ``totalCount`` is counted in the database, never by
loading the list: in the page's own statement when the request selects it (see
schema/selection.py), else by a separate count query.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from graph.repo.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, After, Page
from schema.problems import InvalidInputError

T = TypeVar("T")

FIRST_DESCRIPTION = (
    f"Anzahl der Einträge dieser Seite (Standard {DEFAULT_PAGE_SIZE}, höchstens {MAX_PAGE_SIZE})."
)
AFTER_DESCRIPTION = "Cursor des letzten Eintrags der vorigen Seite (`pageInfo.endCursor`)."
OFFSET_DESCRIPTION = (
    "Anzahl der Einträge, die vor dieser Seite übersprungen werden (nach `after`, falls "
    "angegeben): eine Seite nach ihrer Position, z. B. Seite 8 zu je 20 mit `offset: 140`."
)


@strawberry.type(description="Seiteninformation (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Gibt es eine weitere Seite?")
    end_cursor: str | None = strawberry.field(
        description="Cursor des letzten Eintrags; als `after` übergeben für die nächste Seite."
    )


@strawberry.type(description="Ein Eintrag einer Liste mit seinem Cursor.")
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="Eine Seite einer Liste (Relay-Connection) mit Gesamtzahl.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    count_fn: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="Die Einträge dieser Seite ohne Cursor.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]

    total: strawberry.Private[int | None] = None

    @strawberry.field(
        description="Anzahl aller Einträge, die dem Filter entsprechen (eine Zählabfrage)."
    )
    async def total_count(self) -> int:
        if self.total is not None:
            return self.total
        return await self.count_fn()


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= size <= MAX_PAGE_SIZE:
        raise InvalidInputError(
            "first", f"`first` muss zwischen 0 und {MAX_PAGE_SIZE} liegen (war {size})."
        )
    return size


def skip_of(offset: int | None) -> int:
    if offset is not None and offset < 0:
        raise InvalidInputError("offset", f"`offset` darf nicht negativ sein (war {offset}).")
    return offset or 0


def encode_cursor(sort: str, key: Any, ident: str) -> str:
    raw = json.dumps([sort, key, ident], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str | None, sort: str) -> After | None:
    if cursor is None:
        return None
    try:
        sort_of, key, ident = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, binascii.Error, TypeError, UnicodeDecodeError):
        raise InvalidInputError("after", "Ungültiger Cursor.") from None
    if sort_of != sort or not isinstance(ident, str) or not isinstance(key, str | int | float):
        raise InvalidInputError(
            "after", "Der Cursor gehört zu einer anderen Sortierung; bitte neu beginnen."
        )
    return After(key=key, id=ident)


def connection(
    page: Page,
    sort: str,
    wrap: Callable[[Any], T],
    count_fn: Callable[[], Awaitable[int]],
) -> Connection[T]:
    edges = [
        Edge(cursor=encode_cursor(sort, key, item.record.id), node=wrap(item))
        for item, key in zip(page.items, page.keys, strict=True)
    ]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        count_fn=count_fn,
        total=page.total,
    )


def wrap_all(items: Sequence[Any], wrap: Callable[[Any], T]) -> list[T]:
    return [wrap(item) for item in items]
