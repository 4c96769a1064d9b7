"""What an HSDS import looks up in the graph: Sozialräume by name (a service area names its
place, not verbund's id) and which taxonomy terms exist (a term's parent may be stored
already)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from loaders.mapping.spec import slugify


@dataclass(slots=True)
class Directory:
    """Lookups into the graph; without them (``Directory()``) only the input itself counts."""

    area_names: Callable[[], list[tuple[str, str]]] = list
    existing: Callable[[str, Iterable[str]], set[str]] = lambda label, ids: set()
    _by_name: dict[str, list[str]] | None = field(default=None, init=False)
    _names: dict[str, str] = field(default_factory=dict, init=False)

    def areas_named(self, name: str) -> list[str]:
        """The Sozialräume a service area's name means: by id (a Gemeindeschlüssel or LOR
        number is the id) or by name, spelling variants alike; several where names repeat."""
        by_name = self._index()
        text = name.strip()
        if text in self._names:
            return [text]
        return list(by_name.get(slugify(text), []))

    def area_name(self, area_id: str) -> str | None:
        self._index()
        return self._names.get(area_id)

    def _index(self) -> dict[str, list[str]]:
        if self._by_name is None:
            self._by_name = {}
            for area_id, area_name in self.area_names():
                self._names[area_id] = area_name
                self._by_name.setdefault(slugify(area_name), []).append(area_id)
        return self._by_name
