"""An HSDS file (NDJSON or a JSON list) read twice, for a streamed import
(``loaders/stream_import.py``) whose memory does not grow with the number of services.

The first pass checks every record exactly as ``read_hsds`` does (the same issues and
warnings, in the same order) and keeps everything but the services' own records: the
Träger, Standorte and Leistungsbereiche, merged over all their repetitions, and the
services' ids. The second pass reads the file again and hands out the services' records in
parts; the nested records repeated in them were taken in the first pass and are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from loaders.errors import Issue
from loaders.hsds.directory import Directory
from loaders.hsds.reader import HSDS_TABLES, Collector, add_record, service_records
from loaders.tabular.reader import Origin, ParsedBundle


@dataclass(slots=True)
class Scan:
    """The first pass: every message, the records other than services, the service ids."""

    head: ParsedBundle
    service_ids: set[str] = field(default_factory=set)


def scan(path: Path, source: str, directory: Directory | None = None) -> Scan:
    """Check every record of the file; keep all but the services' records."""
    parsed = ParsedBundle(tables=set(HSDS_TABLES))
    if not path.is_file():
        parsed.issues.append(Issue(path.name, None, None, "Datei nicht gefunden"))
        return Scan(parsed)
    collector = Collector(parsed, directory=directory or Directory(), keep_services=False)
    for record in service_records(path, parsed.issues):
        origin = Origin(path.name, record.number, {}, json=True, line=record.line)
        add_record(record.value, source, origin, collector, memo=record.finite)
    collector.finish()
    return Scan(parsed, collector.service_ids)


def service_parts(
    path: Path, source: str, size: int, directory: Directory | None = None
) -> Iterator[ParsedBundle]:
    """The services of the file in parts of ``size`` records (the last one smaller), each
    with its origins and given fields; the issues and warnings of the second reading are
    those ``scan`` reported already, so a part holds only those it alone raised (none for a
    file that has not changed in between)."""
    places = directory or Directory()
    seen: set[str] = set()

    def fresh() -> tuple[ParsedBundle, Collector]:
        # A new collector per part: the merged Träger and Standorte, the memo of repeated
        # nested objects and the received records do not pile up over the file.
        part = ParsedBundle(tables={"services"})
        return part, Collector(part, directory=places, check_all=False)

    part, collector = fresh()
    issues: list[Issue] = []
    for record in service_records(path, issues):
        origin = Origin(path.name, record.number, {}, json=True, line=record.line)
        services = part.bundle.services
        count = len(services)
        add_record(record.value, source, origin, collector, memo=record.finite)
        # A service repeated across parts is refused like one repeated within a part.
        for service in services[count:]:
            if service.id in seen:
                part.issues.append(origin.issue("id", f"Angebot „{service.id}“ doppelt"))
            seen.add(service.id)
        if len(services) >= size:
            part.warnings.clear()
            yield part
            part, collector = fresh()
    part.issues[:0] = issues
    part.warnings.clear()
    if part.bundle.services or part.issues:
        yield part
