"""Household pseudonyms: a keyed hash (HMAC-SHA256) of the office's case number.

The same case number under the same secret always gives the same pseudonym, so re-imports
and referrals from one office meet the same household; without the secret
(``VERBUND_PSEUDONYM_SECRET``) nobody can go back from a pseudonym to the case number, nor
test guesses. Different offices use their own number spaces, so the office is part of the
hashed value.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata

PREFIX = "hh-"
MIN_SECRET_BYTES = 16
_LENGTH = 24  # hex characters kept: 96 bits, collisions negligible for a city


class PseudonymError(ValueError):
    """No usable secret, or an empty case number."""


def _normalized(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip().upper()


def pseudonym(case_number: str, secret: str | bytes, office: str = "") -> str:
    """The household pseudonym for ``case_number`` of ``office`` (e.g. ``jobcenter-stuttgart``).

    Case numbers are compared without surrounding blanks and case (``123 45b`` = ``123 45B``).
    """
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    if len(key) < MIN_SECRET_BYTES:
        raise PseudonymError(
            f"VERBUND_PSEUDONYM_SECRET fehlt oder ist zu kurz (mindestens {MIN_SECRET_BYTES} Bytes)"
        )
    number = _normalized(case_number)
    if not number:
        raise PseudonymError("Leeres Aktenzeichen")
    message = f"{_normalized(office)}\x1f{number}".encode()
    digest = hmac.new(key, message, hashlib.sha256).hexdigest()
    return PREFIX + digest[:_LENGTH]


def new_pseudonym(secret: str | bytes | None, office: str = "") -> str:
    """A pseudonym for a household recorded through the API (it has no case number here).

    The same keyed hash as ``pseudonym``, over a random token, so it looks like every other
    pseudonym and says nothing; without a configured secret a random one is used.
    """
    key = secret if secret and len(secret) >= MIN_SECRET_BYTES else secrets.token_bytes(32)
    return pseudonym(secrets.token_hex(16), key, office)
