"""Pseudonyms are keyed, stable, and reveal nothing without the secret."""

from __future__ import annotations

import hashlib

import pytest

from graph.pseudonym import PseudonymError, pseudonym

SECRET = "ein-langes-geheimnis-fuer-tests"


def test_stable_for_the_same_case_and_secret() -> None:
    assert pseudonym("BG 123-45b", SECRET, "jobcenter-stuttgart") == pseudonym(
        " bg 123-45B ", SECRET, "Jobcenter-Stuttgart"
    )


def test_depends_on_secret_office_and_number() -> None:
    base = pseudonym("4711", SECRET, "jobcenter-stuttgart")
    assert base.startswith("hh-")
    assert len(base) == 3 + 24
    assert base != pseudonym("4711", SECRET + "x", "jobcenter-stuttgart")
    assert base != pseudonym("4711", SECRET, "jugendamt-stuttgart")
    assert base != pseudonym("4712", SECRET, "jobcenter-stuttgart")
    # Not a plain (unkeyed) hash of the number.
    assert hashlib.sha256(b"4711").hexdigest()[:24] not in base


def test_refuses_missing_or_short_secret_and_empty_numbers() -> None:
    with pytest.raises(PseudonymError, match="VERBUND_PSEUDONYM_SECRET"):
        pseudonym("4711", "")
    with pytest.raises(PseudonymError, match="VERBUND_PSEUDONYM_SECRET"):
        pseudonym("4711", "kurz")
    with pytest.raises(PseudonymError, match="Aktenzeichen"):
        pseudonym("  ", SECRET)
