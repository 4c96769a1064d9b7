"""Free text for the ``directory_text`` full-text index, made safe for Lucene's syntax."""

from __future__ import annotations

import re

from graph.normalize import clean_text

_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
_WORD = re.compile(r"\w+", re.UNICODE)


def lucene_query(text: str) -> str | None:
    """Every word must occur; the last one also as a word start (search-as-you-type).

    The index's German analyzer folds umlauts and ß (``Strasse`` = ``Straße``, ``Muenster`` =
    ``Münster``) and stems words, but Lucene does not stem a prefix: ``strasse*`` misses the
    stem ``strass`` of "Straße". So the last word is asked for whole (stemmed) or as a word
    start. Operators in the user's text are escaped or lower-cased, never interpreted; None
    when no word is left.
    """
    # Lower case: the analyzer folds case anyway, and a word "OR" must not become an operator.
    words = _WORD.findall(clean_text(text).lower())
    if not words:
        return None
    escaped = [_SPECIAL.sub(r"\\\1", w) for w in words]
    escaped[-1] = f"({escaped[-1]} OR {escaped[-1]}*)"
    return " AND ".join(escaped)
