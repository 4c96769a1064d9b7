"""How the directory filters compare what a user typed with what is stored: one rule for the
Angebote, Träger and Überleitungen lists (graph/normalize.py gives the canonical forms)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, LiteralString

from graph import normalize

# A Leistungsbereich ``c`` asked for by its id, or by id or name without regard to case and
# spaces ("Schuldnerberatung", " schuldnerberatung "). Categories are few, so the lower-case
# comparison costs no index.
CATEGORY_WANTED: LiteralString = (
    "(c.id IN $categories OR toLower(c.id) IN $category_keys OR toLower(c.name) IN $category_keys)"
)


def category_params(ids: Sequence[str]) -> dict[str, Any]:
    return {
        "categories": list(ids),
        "category_keys": [normalize.vocabulary_key(i) for i in ids],
    }


def language_params(codes: Sequence[str]) -> list[str]:
    """ISO 639-1 codes as stored (``DE``, ``deu`` and ``Deutsch`` ask for ``de``)."""
    return list(normalize.languages(tuple(codes)))


def legal_basis_params(texts: Sequence[str]) -> list[str]:
    """Legal bases as stored (``SGB II § 16a`` asks for ``§ 16a SGB II``)."""
    return [normalize.legal_basis(t) for t in texts]


def vocabulary_params(keys: Sequence[str]) -> list[str]:
    """Zielgruppen and other vocabulary ids, compared with ``toLower`` of the stored id."""
    return [normalize.vocabulary_key(k) for k in keys]


def _folded(expression: LiteralString) -> LiteralString:
    # Letters and spellings come only from the constant table normalize.FOLDING.
    for letter, spelled in normalize.FOLDING:
        expression = f"replace({expression}, '{letter}', '{spelled}')"
    return expression


# normalize.fold of a name, in Cypher (tests/test_matching.py checks the two agree).
FOLDED_NAME: LiteralString = _folded("toLower(n.name)")
