"""Vendor the web front end's third-party assets from the npm registry into the repository.

Offices run verbund on networks without internet, so every script, stylesheet and font that a
page loads is served by the app itself. This script is the only way those files get into the
repository: it packs each pinned package with `npm pack`, checks the tarball's sha512 against the
registry's `dist.integrity`, and copies the few files we use, byte for byte, into their folders.
It also writes `api/web/static/vendor/VENDORED.md` and `vendored.json` (versions, licences,
files, integrity). Its output depends only on the pins, so a second run changes nothing.

    python3 scripts/vendor_assets.py            # fetch and write (`make vendor`)
    python3 scripts/vendor_assets.py --check    # exit 1 if the files on disk differ; writes nothing
    python3 scripts/vendor_assets.py --outdated # newer releases within each pin's line

To update a package, change its version in PINS, run the script and review the diff.
Needs `npm` on PATH and the npm registry; stdlib only otherwise.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = "api/web/static/vendor"
MANIFEST_MD = f"{VENDOR}/VENDORED.md"
MANIFEST_JSON = f"{VENDOR}/vendored.json"


@dataclass(frozen=True)
class FontFaces:
    """A stylesheet made from some of a package's @font-face rules (the one generated file).

    Takes, in order, the rules of `sources` whose woff2 file name matches one of `keep`, drops
    each rule's woff fallback (every browser that runs htmx 2 reads woff2) and copies the
    woff2 files they name. The rules keep their `unicode-range`, so a browser loads a subset
    only when a page shows one of its characters.
    """

    target: str
    sources: tuple[str, ...]
    keep: tuple[str, ...]


@dataclass(frozen=True)
class Pin:
    """One npm package at an exact version and the files taken from it.

    `files` maps a path inside the package (relative to its `package/` folder; `*` allowed in the
    last part, then the target is a folder) to a path under `dest`. For each stylesheet named in
    `follow_css`, the files its relative `url(...)`s point to are copied along, next to it.
    """

    name: str
    version: str
    line: str  # the release line we follow, for --outdated: "2.0" means 2.0.x, "3" means 3.x
    license: str  # SPDX, compared with the package's package.json
    dest: str
    files: tuple[tuple[str, str], ...]
    follow_css: tuple[str, ...] = field(default=())
    font_faces: FontFaces | None = None


# The one table of pinned versions.
PINS: tuple[Pin, ...] = (
    Pin(
        name="@kern-ux/native",
        version="2.7.2",
        line="2",
        license="EUPL-1.2",
        dest=f"{VENDOR}/kern",
        files=(
            ("dist/kern.min.css", "kern.min.css"),
            ("dist/fonts/fira-sans.css", "fonts/fira-sans.css"),
            ("dist/js/kern-kopfzeile.js", "js/kern-kopfzeile.js"),
            ("LICENSE.md", "LICENSE.md"),
        ),
        follow_css=("dist/fonts/fira-sans.css",),
    ),
    # KERN's own Fira Sans files hold every script (~130-150 KB each; a page with regular,
    # semi-bold and bold text loads ~410 KB of fonts). The same typeface cut into unicode-range
    # subsets: a German page loads the ~25 KB latin file per weight it uses.
    Pin(
        name="@fontsource/fira-sans",
        version="5.3.0",
        line="5",
        license="OFL-1.1",
        dest=f"{VENDOR}/fira-sans",
        files=(("LICENSE", "LICENSE"),),
        font_faces=FontFaces(
            target="fira-sans.css",
            sources=("400.css", "400-italic.css", "500.css", "600.css", "700.css"),
            keep=("*-latin-[0-9]*.woff2", "*-latin-ext-[0-9]*.woff2"),
        ),
    ),
    Pin(
        name="htmx.org",
        version="2.0.11",
        line="2.0",
        license="0BSD",
        dest=f"{VENDOR}/htmx",
        files=(("dist/htmx.min.js", "htmx.min.js"), ("LICENSE", "LICENSE")),
    ),
    Pin(
        name="leaflet",
        version="1.9.4",
        line="1.9",
        license="BSD-2-Clause",
        dest=f"{VENDOR}/leaflet",
        files=(
            ("dist/leaflet.js", "leaflet.js"),
            ("dist/leaflet.css", "leaflet.css"),
            ("dist/images/*", "images/"),
            ("LICENSE", "LICENSE"),
        ),
    ),
    Pin(
        name="cytoscape",
        version="3.35.0",
        line="3",
        license="MIT",
        dest=f"{VENDOR}/cytoscape",
        files=(("dist/cytoscape.min.js", "cytoscape.min.js"), ("LICENSE", "LICENSE")),
    ),
    Pin(
        name="graphiql",
        version="3.8.3",
        line="3.8",
        license="MIT",
        dest=f"{VENDOR}/graphiql",
        files=(
            ("graphiql.min.js", "graphiql.min.js"),
            ("graphiql.min.css", "graphiql.min.css"),
            ("LICENSE", "LICENSE-graphiql"),
        ),
    ),
    Pin(
        name="react",
        version="18.3.1",
        line="18",
        license="MIT",
        dest=f"{VENDOR}/graphiql",
        files=(
            ("umd/react.production.min.js", "react.production.min.js"),
            ("LICENSE", "LICENSE-react"),
        ),
    ),
    Pin(
        name="react-dom",
        version="18.3.1",
        line="18",
        license="MIT",
        dest=f"{VENDOR}/graphiql",
        files=(
            ("umd/react-dom.production.min.js", "react-dom.production.min.js"),
            ("LICENSE", "LICENSE-react-dom"),
        ),
    ),
    Pin(
        name="axe-core",
        version="4.14.1",
        line="4",
        license="MPL-2.0",
        dest="tests/browser/vendor/axe-core",
        files=(
            ("axe.min.js", "axe.min.js"),
            ("LICENSE", "LICENSE"),
            ("LICENSE-3RD-PARTY.txt", "LICENSE-3RD-PARTY.txt"),
        ),
    ),
)

# Hosts that would make a page load something from outside the app's origin.
CDN_HOSTS = re.compile(
    rb"unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|cdn\.skypack\.dev"
    rb"|fonts\.googleapis\.com|fonts\.gstatic\.com|ajax\.googleapis\.com"
)
FONT_FACE = re.compile(rb"(?:/\*[^*]*\*/\s*)?@font-face\s*\{[^}]*\}")
WOFF_FALLBACK = re.compile(rb",\s*url\([^)]*\.woff\)\s*format\(['\"]woff['\"]\)")
CSS_URL = re.compile(rb"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"]*?))\s*\)""")


class VendorError(Exception):
    pass


@dataclass(frozen=True)
class Packed:
    pin: Pin
    integrity: str
    members: dict[str, bytes]  # path inside the package (without "package/") -> content


@dataclass(frozen=True)
class Copied:
    path: str  # repo-relative
    source: str  # path inside the package
    data: bytes


def npm() -> str:
    found = shutil.which("npm")
    if found is None:
        raise VendorError("npm not found on PATH / npm nicht gefunden")
    return found


def run_npm(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(
        [npm(), *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
    if result.returncode != 0:
        raise VendorError(f"npm {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout


def sri_sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


def pack(pin: Pin, workdir: Path) -> Packed:
    spec = f"{pin.name}@{pin.version}"
    expected = json.loads(run_npm("view", spec, "dist.integrity", "--json"))
    if not isinstance(expected, str) or not expected.startswith("sha512-"):
        raise VendorError(f"{spec}: the registry gives no sha512 integrity ({expected!r})")
    out = json.loads(
        run_npm("pack", spec, "--json", "--ignore-scripts", "--pack-destination", str(workdir))
    )
    tarball = (workdir / out[0]["filename"]).read_bytes()
    actual = sri_sha512(tarball)
    if actual != expected:
        raise VendorError(f"{spec}: tarball sha512 {actual} != registry {expected}")
    members: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            # npm tarballs keep everything under one top folder, usually "package/".
            _, _, inner = member.name.partition("/")
            extracted = tar.extractfile(member)
            if inner and extracted is not None:
                members[posixpath.normpath(inner)] = extracted.read()
    manifest = json.loads(members["package.json"])
    if (manifest.get("name"), manifest.get("version")) != (pin.name, pin.version):
        raise VendorError(f"{spec}: tarball holds {manifest.get('name')}@{manifest.get('version')}")
    if manifest.get("license") != pin.license:
        raise VendorError(f"{spec}: licence is {manifest.get('license')!r}, pinned {pin.license!r}")
    return Packed(pin, expected, members)


def css_urls(css: bytes) -> list[str]:
    found = []
    for match in CSS_URL.finditer(css):
        url = next(g for g in match.groups() if g is not None).decode("utf-8").strip()
        if url and not url.startswith(("data:", "#")):
            found.append(url)
    return found


def select(packed: Packed) -> list[Copied]:
    """The files taken from one package, in the order of its table entry."""
    pin = packed.pin
    chosen: dict[str, tuple[str, bytes]] = {}

    def take(source: str, target: str) -> None:
        if source not in packed.members:
            raise VendorError(f"{pin.name}@{pin.version} has no {source}")
        chosen[posixpath.normpath(posixpath.join(pin.dest, target))] = (
            source,
            packed.members[source],
        )

    for source, target in pin.files:
        if "*" in source:
            matches = sorted(m for m in packed.members if fnmatch.fnmatchcase(m, source))
            if not matches:
                raise VendorError(f"{pin.name}@{pin.version}: nothing matches {source}")
            for match in matches:
                take(match, target + posixpath.basename(match))
        else:
            take(source, target)

    def follow(css: str, content: bytes, target_dir: str) -> None:
        for url in css_urls(content):
            if "://" in url or url.startswith("/"):
                raise VendorError(f"{pin.name}: {css} loads {url} from outside the package")
            relative = url.split("?")[0].split("#")[0]
            take(
                posixpath.normpath(posixpath.join(posixpath.dirname(css), relative)),
                posixpath.normpath(posixpath.join(target_dir, relative)),
            )

    for css in pin.follow_css:
        follow(css, packed.members[css], posixpath.dirname(dict(pin.files)[css]))
    if pin.font_faces is not None:
        faces = pin.font_faces
        content = font_faces(packed, faces)
        chosen[posixpath.join(pin.dest, faces.target)] = (" + ".join(faces.sources), content)
        # The sources lie side by side, so their relative urls resolve from the first one.
        follow(faces.sources[0], content, posixpath.dirname(faces.target))
    return [Copied(path, source, data) for path, (source, data) in sorted(chosen.items())]


def font_faces(packed: Packed, faces: FontFaces) -> bytes:
    pin = packed.pin
    if len({posixpath.dirname(source) for source in faces.sources}) != 1:
        raise VendorError(f"{pin.name}: the sources of {faces.target} lie in different folders")
    rules = []
    for source in faces.sources:
        if source not in packed.members:
            raise VendorError(f"{pin.name}@{pin.version} has no {source}")
        for rule in FONT_FACE.findall(packed.members[source]):
            names = [posixpath.basename(url) for url in css_urls(rule) if url.endswith(".woff2")]
            if any(fnmatch.fnmatchcase(n, k) for n in names for k in faces.keep):
                rules.append(WOFF_FALLBACK.sub(b"", rule))
    if not rules:
        raise VendorError(f"{pin.name}: no @font-face rule in {faces.sources} matches {faces.keep}")
    header = (
        f"/* Generated by scripts/vendor_assets.py from {pin.name}@{pin.version} "
        f"({', '.join(faces.sources)}): the rules for {', '.join(faces.keep)}, "
        "woff2 only. Do not edit. */\n"
    ).encode()
    return header + b"\n\n".join(rules) + b"\n"


def check_offline(copied: list[Copied]) -> None:
    """Refuse files naming a CDN host, and stylesheets whose url()s point at files we lack."""
    paths = {c.path for c in copied}
    for item in copied:
        hit = CDN_HOSTS.search(item.data)
        if hit:
            raise VendorError(f"{item.path} refers to {hit.group().decode()} (a CDN)")
        if item.path.endswith(".css"):
            for url in css_urls(item.data):
                if "://" in url or url.startswith("/"):
                    raise VendorError(f"{item.path} loads {url} from outside the app")
                relative = url.split("?")[0].split("#")[0]
                target = posixpath.normpath(posixpath.join(posixpath.dirname(item.path), relative))
                if target not in paths:
                    raise VendorError(f"{item.path} refers to {url}, which is not vendored")


def manifest_entries(packs: list[tuple[Packed, list[Copied]]]) -> list[dict[str, object]]:
    return [
        {
            "name": packed.pin.name,
            "version": packed.pin.version,
            "license": packed.pin.license,
            "source": "npm",
            "integrity": packed.integrity,
            "dest": packed.pin.dest,
            "files": [
                {
                    "path": c.path,
                    "from": c.source,
                    "bytes": len(c.data),
                    "sha256": hashlib.sha256(c.data).hexdigest(),
                }
                for c in copied
            ],
        }
        for packed, copied in packs
    ]


def render_json(entries: list[dict[str, object]]) -> bytes:
    document = {
        "generated_by": "scripts/vendor_assets.py",
        "note": "Generated; do not edit. Change PINS in scripts/vendor_assets.py, run make vendor.",
        "packages": entries,
    }
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def render_markdown(packs: list[tuple[Packed, list[Copied]]]) -> bytes:
    lines = [
        "# Eingebundene Fremdbibliotheken / Vendored third-party assets",
        "",
        "Diese Datei wird von `scripts/vendor_assets.py` erzeugt; bitte nicht von Hand ändern.",
        "Alle Dateien stammen unverändert aus den npm-Paketen der angegebenen Version (mit *",
        "markierte Stylesheets: aus @font-face-Regeln des Pakets zusammengestellt); die",
        "Integrität (sha512 des Paket-Tarballs) wurde gegen `dist.integrity` der npm-Registry",
        "geprüft. Aktualisieren: Version in `PINS` ändern, `make vendor` ausführen.",
        "Prüfen ohne Schreiben: `python3 scripts/vendor_assets.py --check`.",
        "",
        "Generated by `scripts/vendor_assets.py`; do not edit by hand. Every file is an unchanged",
        "copy from the npm package at the given version (stylesheets marked * are put together",
        "from the package's @font-face rules); the tarball's sha512 was checked against the",
        "registry's `dist.integrity`. To update, change the version in `PINS` and run",
        "`make vendor`; `--check` compares without writing. Machine-readable: `vendored.json`.",
        "",
        "| Paket / package | Version | Lizenz / licence | Dateien / files"
        " | Integrität / integrity (sha512) | Quelle / source |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for packed, copied in packs:
        generated = packed.pin.font_faces
        made = posixpath.join(packed.pin.dest, generated.target) if generated else None
        files = "<br>".join(f"`{c.path}`" + (" *" if c.path == made else "") for c in copied)
        lines.append(
            f"| `{packed.pin.name}` | {packed.pin.version} | {packed.pin.license} | {files}"
            f" | `{packed.integrity}` | npm |"
        )
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def build(workdir: Path) -> dict[str, bytes]:
    """Everything the pins give: repo-relative path -> content."""
    packs: list[tuple[Packed, list[Copied]]] = []
    for pin in PINS:
        print(f"  {pin.name}@{pin.version}", file=sys.stderr)
        packed = pack(pin, workdir)
        packs.append((packed, select(packed)))
    everything = [c for _, copied in packs for c in copied]
    check_offline(everything)
    wanted: dict[str, bytes] = {}
    for item in everything:
        if item.path in wanted and wanted[item.path] != item.data:
            raise VendorError(f"two packages write {item.path}")
        wanted[item.path] = item.data
    wanted[MANIFEST_JSON] = render_json(manifest_entries(packs))
    wanted[MANIFEST_MD] = render_markdown(packs)
    return wanted


def owned_files() -> Iterable[str]:
    """Files now under the folders that this script fills (anything else there is stale)."""
    for dest in sorted({pin.dest for pin in PINS}):
        folder = ROOT / dest
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    yield path.relative_to(ROOT).as_posix()


def differences(wanted: dict[str, bytes]) -> tuple[list[str], list[str], list[str]]:
    missing, changed = [], []
    for path, data in sorted(wanted.items()):
        on_disk = ROOT / path
        if not on_disk.is_file():
            missing.append(path)
        elif on_disk.read_bytes() != data:
            changed.append(path)
    stale = [path for path in owned_files() if path not in wanted]
    return missing, changed, stale


def write(
    wanted: dict[str, bytes], missing: list[str], changed: list[str], stale: list[str]
) -> None:
    for path in [*missing, *changed]:
        target = ROOT / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(wanted[path])
    for path in stale:
        (ROOT / path).unlink()
    for dest in {pin.dest for pin in PINS}:  # folders emptied by removed files
        for folder in sorted((ROOT / dest).rglob("*"), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def release(version: str) -> tuple[int, ...] | None:
    if re.fullmatch(r"\d+(\.\d+)*", version) is None:
        return None  # a pre-release such as 2.0.0-beta4
    return tuple(int(p) for p in version.split("."))


def outdated() -> int:
    """Newer plain releases within each pin's line (informational; changes nothing)."""
    behind = 0
    for pin in PINS:
        versions = json.loads(run_npm("view", pin.name, "versions", "--json"))
        prefix = tuple(int(p) for p in pin.line.split("."))
        current = release(pin.version)
        newer = [
            v
            for v in versions
            if (r := release(v)) is not None
            and current is not None
            and r[: len(prefix)] == prefix
            and r > current
        ]
        if newer:
            behind += 1
            print(f"{pin.name}: pinned {pin.version}, line {pin.line}.x has {', '.join(newer)}")
        else:
            print(f"{pin.name}: {pin.version} is the newest {pin.line}.x")
    return 1 if behind else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if the files on disk differ; write nothing"
    )
    mode.add_argument(
        "--outdated", action="store_true", help="list newer releases within each pin's line"
    )
    args = parser.parse_args(argv)
    try:
        if args.outdated:
            return outdated()
        print("npm pack:", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="verbund-vendor-") as tmp:
            wanted = build(Path(tmp))
        missing, changed, stale = differences(wanted)
    except VendorError as error:
        print(f"vendor_assets: {error}", file=sys.stderr)
        return 2
    if args.check:
        for label, paths in (("missing", missing), ("differs", changed), ("not pinned", stale)):
            for path in paths:
                print(f"{label}: {path}")
        if missing or changed or stale:
            print("vendored assets are out of date: run `make vendor`", file=sys.stderr)
            return 1
        print(f"vendored assets match the pins ({len(wanted)} files)", file=sys.stderr)
        return 0
    write(wanted, missing, changed, stale)
    print(
        f"{len(wanted)} files: {len(missing)} new, {len(changed)} changed, {len(stale)} removed",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
