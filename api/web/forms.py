"""Form posts: the CSRF check every form goes through, and field errors for the error summary.

Errors follow the GOV.UK pattern: a summary at the top linking to each field, and the same
message beside the field (``aria-describedby``), so screen readers hear it at the field.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from starlette.datastructures import FormData
from starlette.requests import Request

from api.web.data import PageError
from api.web.session import session_of

CSRF_FIELD = "csrf_token"


async def read_form(request: Request, *, max_files: int = 0) -> FormData:
    """The posted form, after checking its CSRF token against the session's.

    ``max_files``: file fields allowed (only the import page takes uploads)."""
    form = await request.form(max_files=max_files, max_fields=200)
    expected = session_of(request).data.get("csrf")
    given = form.get(CSRF_FIELD)
    if not (
        isinstance(expected, str)
        and isinstance(given, str)
        and hmac.compare_digest(expected, given)
    ):
        raise PageError(400, "CSRF-Token fehlt oder passt nicht")
    return form


def text(form: FormData, name: str, limit: int = 500) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def texts(form: FormData, name: str, limit: int = 100) -> list[str]:
    return [v.strip()[:limit] for v in form.getlist(name) if isinstance(v, str) and v.strip()]


@dataclass
class Errors:
    """Field id -> message, in the order the fields appear on the page."""

    fields: dict[str, str] = field(default_factory=dict)

    def add(self, field_id: str, message: str) -> None:
        self.fields.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def get(self, field_id: str) -> str | None:
        return self.fields.get(field_id)
