"""HSDS taxonomies beyond verbund's own: a taxonomy record (``taxonomy.json``) is kept with
the terms that name it, and served again from them.

verbund stores taxonomy terms (Leistungsbereiche) but no taxonomy of their own; an imported
term keeps its ``taxonomy_detail`` in its HSDS rest (loaders/hsds/rest.py). A taxonomy that
arrives as a record of its own (a taxonomy file, or a list with the taxonomy and its terms)
becomes the ``taxonomy_detail`` of every term of the same import that names it by
``taxonomy`` or ``taxonomy_id``; the export and the Open Referral API then give it back, in
the terms and in ``/taxonomies``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graph.records import Category
from loaders.hsds.writer import TAXONOMIES, category_term

Json = dict[str, Any]


def named_by(term: Mapping[str, Any]) -> list[str]:
    """The ids a term names its taxonomy by: ``taxonomy_id``, ``taxonomy``, and the id of the
    ``taxonomy_detail`` it brings itself."""
    detail = term.get("taxonomy_detail")
    found = (
        term.get("taxonomy_id"),
        term.get("taxonomy"),
        detail.get("id") if isinstance(detail, dict) else None,
    )
    return [v for v in found if isinstance(v, str)]


def lay_into_terms(taxonomies: Mapping[str, Json], terms: Mapping[str, Json]) -> set[str]:
    """Give each received term that names one of ``taxonomies`` that taxonomy as its
    ``taxonomy_detail`` (what the term itself says of it wins); the ids of the taxonomies
    some term named."""
    used: set[str] = set()
    for term in terms.values():
        for ident in named_by(term):
            if ident in taxonomies:
                own = term.get("taxonomy_detail")
                term["taxonomy_detail"] = {
                    **taxonomies[ident],
                    **(own if isinstance(own, dict) else {}),
                }
                used.add(ident)
                break
    return used


def all_taxonomies(categories: Iterable[Category]) -> list[Json]:
    """verbund's own taxonomies, then those imported with terms (from the terms' kept
    ``taxonomy_detail``), each once, in the order first met."""
    found: dict[str, Json] = {t["id"]: t for t in TAXONOMIES}
    for cat in categories:
        detail = category_term(cat).get("taxonomy_detail")
        if isinstance(detail, dict) and isinstance(detail.get("id"), str):
            found.setdefault(detail["id"], detail)
    return list(found.values())
