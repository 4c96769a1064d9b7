"""Which reader handles an input: by ``--format``, a mapping file, or the file's suffix."""

from __future__ import annotations

from pathlib import Path

from loaders.errors import LoaderError
from loaders.tabular.reader import ParsedBundle, read_bundle

IMPORT_FORMATS: tuple[str, ...] = ("auto", "csv", "xlsx")


def detect_format(path: Path) -> str:
    if path.is_dir():
        return "csv"
    suffix = path.suffix.lower()
    by_suffix = {".csv": "csv", ".xlsx": "xlsx"}
    if suffix not in by_suffix:
        raise LoaderError(f"{path.name}: Format nicht erkennbar, bitte --format angeben")
    return by_suffix[suffix]


def parse_input(path: Path, fmt: str, source: str) -> tuple[ParsedBundle, str]:
    """The parsed, validated bundle and the format actually used."""
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt in ("csv", "xlsx"):
        return read_bundle(path, source), fmt
    raise LoaderError(f"unbekanntes Format {fmt!r}")
