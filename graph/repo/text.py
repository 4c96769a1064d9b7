"""Free text for the ``directory_text`` full-text index, made safe for Lucene's syntax."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/]|&&|\|\|)')
_WORD = re.compile(r"\w+", re.UNICODE)


def lucene_query(text: str) -> str | None:
    """Every word must occur (prefix match on the last one, for search-as-you-type).

    Operators in the user's text are escaped, never interpreted; None when no word is left.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    escaped = [_SPECIAL.sub(r"\\\1", w) for w in words]
    escaped[-1] += "*"
    return " AND ".join(escaped)
