"""Which file an import read and who ran it, for the ImportRun record."""

from __future__ import annotations

import getpass
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ImportOrigin:
    """Who imports which file: kept in the ImportRun record."""

    by: str = ""
    file: str = ""
    sha256: str = ""


def input_digest(path: Path) -> str:
    """SHA-256 of a file; of a folder, over its files' names and contents in name order, so
    the same bundle gives the same digest wherever it lies."""
    digest = hashlib.sha256()
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(child.relative_to(path).as_posix().encode("utf-8") + b"\0")
            _feed(digest.update, child)
    else:
        _feed(digest.update, path)
    return digest.hexdigest()


def _feed(update: Callable[[bytes], object], path: Path) -> None:
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            update(chunk)


def cli_origin(path: Path) -> ImportOrigin:
    """The origin of an import from the command line: the operator's login name."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unbekannt"
    return ImportOrigin(by=f"cli:{user}", file=path.name, sha256=input_digest(path))
