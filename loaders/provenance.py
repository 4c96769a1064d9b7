"""Which file an import read and who ran it, for the ImportRun record."""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from graph.imports import ImportRun

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ImportOrigin:
    """Who imports which file: kept in the ImportRun record."""

    by: str = ""
    file: str = ""
    sha256: str = ""


def new_run(
    origin: ImportOrigin | None,
    *,
    source: str,
    format: str,
    started: datetime,
    prune: bool,
    warnings: int,
    rows_total: int,
    run_id: str | None = None,
) -> ImportRun:
    """The record of an import about to write: who, which file, and this process (host and
    pid: a ``running`` run whose process is gone was killed, loaders/importer.py)."""
    origin = origin or ImportOrigin()
    return ImportRun(
        id=run_id or str(uuid.uuid4()),
        source=source,
        format=format,
        started_at=started,
        pruned_requested=prune,
        by=origin.by,
        file=origin.file,
        sha256=origin.sha256,
        host=socket.gethostname(),
        pid=os.getpid(),
        warnings=warnings,
        rows_total=rows_total,
    )


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
