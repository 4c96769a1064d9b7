"""The import page's options: ``--prune``, ``--repair-geometry`` and the GeoJSON options of
``verbund import``, as form fields. Their values are checked where the CLI's are
(``loaders.geo.reader.geojson_options``); labels come from there too, so a message names the
field the coordinator sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from api.web.forms import Errors, text
from graph.vocabulary import VOCABULARIES
from loaders.errors import LoaderError
from loaders.geo.reader import OPTION_NAMES, GeoJsonOptions, geojson_options

GEO_PREFIX = "geo_"
PRUNE = "entfernen"
REPAIR = "reparieren"
GEO_ERROR = "geojson"  # id of the GeoJSON options' group (error summary links there)

# Hints beside the fields (German, with an example); the label is OPTION_NAMES'.
GEO_HINTS: dict[str, str] = {
    "level": "Welche Ebene die Flächen der Datei sind. Ohne Angabe: Bezirk.",
    "id_property": "Eigenschaft (Spalte) mit der Kennung, z. B. „schluessel“. Ohne Angabe "
    "wird sie erkannt (id, nr, schluessel, code, ags …).",
    "name_property": "Eigenschaft mit dem Namen, z. B. „bezeichnung“. Ohne Angabe wird sie "
    "erkannt (name, bezeichnung, gen …).",
    "id_prefix": "Wird vor jede Kennung gesetzt, z. B. „berlin-“, damit sich Kennungen "
    "verschiedener Städte nicht überschneiden.",
    "parent_id": "Kennung des Sozialraums, in dem alle Flächen liegen, z. B. „berlin“.",
    "parent_prefix": "Übergeordneter Sozialraum = die ersten N Zeichen der Kennung (mit "
    "Vorsatz), z. B. 2.",
    "parent_property": "Eigenschaft mit der Kennung des übergeordneten Sozialraums.",
    "parent_level": "Übergeordnet ist der Sozialraum dieser Ebene, in dem die Fläche liegt.",
    "crs": "Nur nötig, wenn die Datei kein oder ein falsches Koordinatensystem angibt, z. B. "
    "EPSG:25832.",
}
SELECTS = frozenset({"level", "parent_level"})
LEVEL_CHOICES: list[tuple[str, str]] = [(t.code, t.label) for t in VOCABULARIES["level"]]


@dataclass(frozen=True, slots=True)
class GeoField:
    """One GeoJSON option as a form field."""

    name: str  # GeoJsonOptions field
    id: str  # form field id
    label: str
    hint: str
    select: bool


GEO_FIELDS: tuple[GeoField, ...] = tuple(
    GeoField(name, GEO_PREFIX + name, OPTION_NAMES[name][0], GEO_HINTS[name], name in SELECTS)
    for name in OPTION_NAMES
)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the coordinator chose besides the file (the GeoJSON values as typed)."""

    prune: bool = False
    repair_geometry: bool = False
    geo: dict[str, str] = field(default_factory=dict)

    def geojson(self) -> GeoJsonOptions | None:
        return geojson_options(self.geo)

    def as_data(self) -> dict[str, Any]:
        """For the session, between the review and the confirmation."""
        return {"prune": self.prune, "repair": self.repair_geometry, "geo": dict(self.geo)}

    @classmethod
    def of_data(cls, data: object) -> ImportOptions:
        if not isinstance(data, dict):
            return cls()
        geo = data.get("geo")
        return cls(
            prune=data.get("prune") is True,
            repair_geometry=data.get("repair") is True,
            geo={str(k): str(v) for k, v in geo.items()} if isinstance(geo, dict) else {},
        )


def read_options(form: FormData, errors: Errors) -> ImportOptions:
    """The options of the upload form; a GeoJSON value the CLI would refuse is a field error."""
    geo = {f.name: value for f in GEO_FIELDS if (value := text(form, f.id, 200))}
    options = ImportOptions(
        prune=form.get(PRUNE) == "ja",
        repair_geometry=form.get(REPAIR) == "ja",
        geo=geo,
    )
    try:
        options.geojson()
    except LoaderError as exc:
        errors.add(GEO_ERROR, f"{exc}.")
    return options
