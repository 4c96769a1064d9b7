"""Uploaded import files, staged under the state directory until the import is confirmed.

One upload is one folder ``<state_dir>/uploads/<token>`` (a random token, never a name the
browser chose): a single file (XLSX, HSDS JSON, GeoJSON) as it came, several CSV files or the
CSV files of a ZIP in a folder ``bundle`` beside it. A ZIP is unpacked only if every member
is a plain relative path (no absolute path, no ``..``, no link) and the unpacked size stays
under a cap, so an archive can neither write outside its folder nor fill the disk.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import shutil
import stat
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from loaders.provenance import input_digest

SINGLE = (".xlsx", ".json", ".ndjson", ".jsonl", ".geojson")
ACCEPTED = (*SINGLE, ".csv", ".zip")
BUNDLE = "bundle"
MAX_MEMBERS = 100
UNZIP_FACTOR = 10  # unpacked size: at most this many times the upload limit
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_CHUNK = 1 << 20
MAX_AGE_SECONDS = 24 * 3600
_TAKEN = ".import"  # suffix of an upload whose import is running


class UploadRefused(Exception):
    """The upload cannot be imported as it is; the message says why and what to do (German)."""


@dataclass(frozen=True, slots=True)
class Staged:
    """An upload on disk: its token, what to import, the name and digest of what came."""

    token: str
    path: Path  # the file or the bundle folder to read
    file: str  # as the person knows it: "traeger.xlsx", "buendel.zip", "3 CSV-Dateien"
    sha256: str


@dataclass(frozen=True, slots=True)
class Incoming:
    """One uploaded file: its name as sent and its content."""

    name: str
    stream: IO[bytes]


def uploads_dir(state_dir: Path) -> Path:
    return Path(state_dir) / "uploads"


def stage(state_dir: Path, files: list[Incoming], max_bytes: int) -> Staged:
    """Keep the upload under a fresh token, or raise ``UploadRefused`` (nothing stays)."""
    names = [_plain_name(f.name) for f in files]
    suffixes = [PurePosixPath(n).suffix.lower() for n in names]
    if not files:
        raise UploadRefused("Wählen Sie eine Datei aus.")
    if any(s not in ACCEPTED for s in suffixes):
        raise UploadRefused(
            "Die Datei hat ein unbekanntes Format. Laden Sie eine XLSX-Arbeitsmappe, HSDS-JSON, "
            "GeoJSON, CSV-Dateien oder eine ZIP-Datei mit CSV-Dateien hoch."
        )
    if len(files) > 1 and any(s != ".csv" for s in suffixes):
        raise UploadRefused(
            "Mehrere Dateien auf einmal gehen nur als CSV-Dateien. Laden Sie andere Formate "
            "einzeln hoch."
        )
    if len(set(names)) != len(names):
        raise UploadRefused("Zwei Dateien haben denselben Namen. Laden Sie jede Datei nur einmal.")
    _sweep(uploads_dir(state_dir))
    token = secrets.token_urlsafe(24)
    folder = uploads_dir(state_dir) / token
    folder.mkdir(parents=True, mode=0o700)
    try:
        return _stage_into(folder, token, files, names, suffixes, max_bytes)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _sweep(root: Path) -> None:
    """Uploads nobody confirmed within a day (a closed browser tab leaves them behind)."""
    if not root.is_dir():
        return
    cutoff = time.time() - MAX_AGE_SECONDS
    for folder in root.iterdir():
        try:
            old = folder.stat().st_mtime < cutoff
        except OSError:
            continue
        if old and _TOKEN.match(folder.name.removesuffix(_TAKEN)):
            shutil.rmtree(folder, ignore_errors=True)


def _stage_into(
    folder: Path,
    token: str,
    files: list[Incoming],
    names: list[str],
    suffixes: list[str],
    max_bytes: int,
) -> Staged:
    if suffixes == [".zip"]:
        archive = folder / names[0]
        digest = _save(files[0].stream, archive, max_bytes)
        bundle = folder / BUNDLE
        _unzip(archive, bundle, max_bytes * UNZIP_FACTOR)
        return Staged(token, bundle, names[0], digest)
    if suffixes[0] in SINGLE:
        target = folder / names[0]
        return Staged(token, target, names[0], _save(files[0].stream, target, max_bytes))
    bundle = folder / BUNDLE
    bundle.mkdir()
    for incoming, name in zip(files, names, strict=True):
        _save(incoming.stream, bundle / name, max_bytes)
    shown = names[0] if len(names) == 1 else f"{len(names)} CSV-Dateien"
    return Staged(token, bundle, shown, input_digest(bundle))


def _plain_name(name: str) -> str:
    """The file's own name without any folder a browser may send along."""
    plain = PurePosixPath(name.replace("\\", "/")).name.strip()
    if not plain or plain.startswith("."):
        raise UploadRefused("Die Datei hat keinen gültigen Namen. Benennen Sie sie um.")
    return plain


def _save(stream: IO[bytes], target: Path, max_bytes: int) -> str:
    digest = hashlib.sha256()
    written = 0
    with target.open("xb") as out:
        while chunk := stream.read(_CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise UploadRefused(_too_big(max_bytes))
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def _too_big(max_bytes: int) -> str:
    return (
        f"Die Datei ist zu groß (höchstens {max_bytes // 1_000_000} MB). Teilen Sie sie auf "
        "und laden Sie die Teile nacheinander hoch."
    )


def _unzip(archive: Path, target: Path, max_total: int) -> None:
    """The CSV files of the archive into ``target`` (folders inside are flattened)."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not _skipped(m)]
            _check_members(members, max_total)
            target.mkdir()
            for member in members:
                name = PurePosixPath(member.filename).name
                with zf.open(member) as src, (target / name).open("xb") as out:
                    _copy_capped(src, out, member.file_size)
    except zipfile.BadZipFile as exc:
        raise UploadRefused(
            "Die ZIP-Datei ist beschädigt oder keine ZIP-Datei. Packen Sie sie neu."
        ) from exc


def _skipped(member: zipfile.ZipInfo) -> bool:
    """Folders and what archivers add on their own (``__MACOSX``, hidden files)."""
    parts = PurePosixPath(member.filename).parts
    return member.is_dir() or "__MACOSX" in parts or any(p.startswith(".") for p in parts[-1:])


def _check_members(members: list[zipfile.ZipInfo], max_total: int) -> None:
    if not members:
        raise UploadRefused("Die ZIP-Datei enthält keine CSV-Dateien.")
    if len(members) > MAX_MEMBERS:
        raise UploadRefused(f"Die ZIP-Datei enthält mehr als {MAX_MEMBERS} Dateien.")
    seen: set[str] = set()
    total = 0
    for member in members:
        raw = member.filename
        path = PurePosixPath(raw.replace("\\", "/"))
        mode = member.external_attr >> 16
        if path.is_absolute() or ".." in path.parts or ":" in raw or stat.S_ISLNK(mode):
            raise UploadRefused(
                f"Die ZIP-Datei enthält den unzulässigen Pfad „{raw}“ (absolut, mit „..“ oder "
                "eine Verknüpfung). Packen Sie nur die CSV-Dateien ein."
            )
        if path.suffix.lower() != ".csv":
            raise UploadRefused(
                f"Die ZIP-Datei enthält „{raw}“: nur CSV-Dateien sind erlaubt. Entfernen Sie "
                "die anderen Dateien und packen Sie sie neu."
            )
        if path.name in seen:
            raise UploadRefused(
                f"Die ZIP-Datei enthält „{path.name}“ zweimal. Packen Sie jede Tabelle nur einmal."
            )
        seen.add(path.name)
        total += member.file_size
        if total > max_total:
            raise UploadRefused(
                f"Die ZIP-Datei ist entpackt zu groß (höchstens {max_total // 1_000_000} MB)."
            )


def _copy_capped(src: IO[bytes], out: IO[bytes], declared: int) -> None:
    """Copy at most the size the archive declares: a forged header cannot unpack more."""
    copied = 0
    while chunk := src.read(_CHUNK):
        copied += len(chunk)
        if copied > declared:
            raise UploadRefused(
                "Die ZIP-Datei ist beschädigt (Größenangabe falsch). Packen Sie neu."
            )
        out.write(chunk)


def claim(state_dir: Path, token: str, file: str, sha256: str) -> Staged | None:
    """Take the upload a session remembers for its import, if it is still there and nobody
    took it yet: the folder is renamed, so a form sent twice imports once."""
    if not _TOKEN.match(token):
        return None
    root = uploads_dir(state_dir)
    taken = root / f"{token}{_TAKEN}"
    try:
        (root / token).rename(taken)
    except OSError:
        return None
    bundle = taken / BUNDLE
    if bundle.is_dir():
        return Staged(token, bundle, file, sha256)
    singles = [p for p in taken.iterdir() if p.suffix.lower() in SINGLE]
    return Staged(token, singles[0], file, sha256) if len(singles) == 1 else None


def release(state_dir: Path, token: str) -> None:
    """Give a claimed upload back (its import failed for a reason worth a retry)."""
    if _TOKEN.match(token):
        root = uploads_dir(state_dir)
        (root / f"{token}{_TAKEN}").rename(root / token)


def discard(state_dir: Path, token: str) -> None:
    """Remove an upload (after its import, or when a new upload replaces it)."""
    if _TOKEN.match(token):
        shutil.rmtree(uploads_dir(state_dir) / token, ignore_errors=True)
        shutil.rmtree(uploads_dir(state_dir) / f"{token}{_TAKEN}", ignore_errors=True)
