"""The purpose a caller declares for a request (``X-Verbund-Zweck``).

Read by the policies (schema/policy.py: a partner's purpose must be covered by a consent)
and by the audit (schema/policy_audit.py: the purpose an entry records).
"""

from __future__ import annotations

import contextlib
from urllib.parse import unquote

from schema.context import Context

PURPOSE_HEADER = "x-verbund-zweck"
"""The purpose a caller declares for a request (UTF-8, optionally percent-encoded)."""


def declared_purpose(context: Context) -> str | None:
    """The purpose the request declares in ``X-Verbund-Zweck``, or None."""
    request = context.request
    raw = request.headers.get(PURPOSE_HEADER) if request is not None else None
    if raw is None:
        return None
    with contextlib.suppress(UnicodeError):
        # Starlette decodes header bytes as latin-1; clients send UTF-8.
        raw = raw.encode("latin-1").decode("utf-8")
    text = " ".join(unquote(raw).split())
    return text[:200] or None
