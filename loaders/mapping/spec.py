"""The mapping file: which column of a foreign list fills which field, as pydantic models.

A field's value is given as a column name (``name: e_name``), several columns joined with a
space (``street: [e_strasse, e_hnr]``) or a full form::

    id: {column: e_nr, prefix: "berlin-jfe-"}
    parent: {column: id, length: 2, prefix: "berlin-"}   # first two characters
    sector: {column: t_art, values: {"öffentlicher Träger": public}, default: nonprofit}
    capacity_unit: {value: Plätze}                          # the same for every row
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graph.normalize import fold
from graph.records import AreaLevel
from loaders.values import is_blank


def slugify(text: str) -> str:
    """``Caritasverband für Berlin e.V.`` -> ``caritasverband-fuer-berlin-e-v``."""
    ascii_text = unicodedata.normalize("NFKD", fold(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Value(_Strict):
    """How one field is taken from a row."""

    column: str | None = None
    columns: list[str] | None = None
    value: Any = None
    values: dict[str, Any] | None = None
    default: Any = None
    slug: bool = False
    length: int | None = None
    prefix: str = ""

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"column": data}
        if isinstance(data, list):
            return {"columns": data}
        return data

    @model_validator(mode="after")
    def _one_source(self) -> Value:
        given = [x for x in (self.column, self.columns, self.value) if x is not None]
        if len(given) != 1:
            raise ValueError("genau eines von column, columns, value angeben")
        return self

    def used_columns(self) -> list[str]:
        return [self.column] if self.column else list(self.columns or [])

    def get(self, row: dict[str, Any]) -> Any:
        if self.value is not None:
            value: Any = self.value
        elif self.columns:
            parts = [str(row.get(c) or "").strip() for c in self.columns]
            value = " ".join(p for p in parts if p) or None
        else:
            value = row.get(self.column or "")
        if isinstance(value, str):
            value = value.strip()
        if is_blank(value):
            value = self.default
        if value is None:
            return None
        if self.values is not None:
            key = str(value)
            value = self.values.get(key, self.values.get("*", value))
        if self.slug:
            value = slugify(str(value))
        if self.length is not None:
            value = str(value)[: self.length]
        if self.prefix:
            value = self.prefix + str(value)
        return value


class FixedArea(_Strict):
    id: str
    name: str
    level: AreaLevel
    parent_id: str | None = None


class FixedCategory(_Strict):
    id: str
    name: str
    parent_id: str | None = None


class Layer(_Strict):
    """One input file and what its rows become."""

    file: str
    kind: Literal["areas", "indicators", "services"]
    crs: str | None = None
    # areas
    level: AreaLevel | None = None
    id: Value | None = None
    name: Value | None = None
    parent: Value | None = None
    parent_by_containment: AreaLevel | None = None
    adjacency: bool = True
    population: Value | None = None
    # indicators (attributes of areas)
    area: Value | None = None
    indicators: dict[str, Value] = Field(default_factory=dict)
    # services: the Träger, the Standort and the Angebot of each row
    organization: Value | None = None
    organization_id: Value | None = None
    sector: Value | None = None
    organization_description: Value | None = None
    organization_website: Value | None = None
    organization_email: Value | None = None
    organization_phone: Value | None = None
    description: Value | None = None
    street: Value | None = None
    postal_code: Value | None = None
    city: Value | None = None
    phone: Value | None = None  # of the Standort
    opening_hours: Value | None = None  # of the Standort, as text
    email: Value | None = None
    url: Value | None = None
    assured_date: Value | None = None
    capacity: Value | None = None
    capacity_unit: Value | None = None
    legal_basis: Value | None = None
    category: Value | None = None
    target_groups: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=lambda: ["de"])
    x: Value | None = None
    y: Value | None = None
    place_in: AreaLevel | None = None
    serve_placed_area: bool = True

    @model_validator(mode="after")
    def _complete(self) -> Layer:
        needed = {
            "areas": ("id", "name", "level"),
            "indicators": ("area",),
            "services": ("id", "name", "organization", "category"),
        }[self.kind]
        missing = [n for n in needed if getattr(self, n) is None]
        if missing:
            raise ValueError(f"{self.kind}: es fehlt {', '.join(missing)}")
        return self

    def columns(self) -> set[str]:
        """Every column this layer reads (checked against the file's header)."""
        out: set[str] = set()
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Value):
                out.update(value.used_columns())
        for value in self.indicators.values():
            out.update(value.used_columns())
        return out


class Mapping(_Strict):
    """A mapping file: fixed areas and categories, then the layers in order."""

    source: str | None = None
    areas: list[FixedArea] = Field(default_factory=list)
    categories: list[FixedCategory] = Field(default_factory=list)
    layers: list[Layer]
