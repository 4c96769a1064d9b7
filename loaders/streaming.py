"""When an import is read and written in parts (``loaders/stream_import.py``): an HSDS file
(NDJSON or a JSON list, not the table package) from a size on. Kept apart from the importer,
so the settings (api/settings.py) take their defaults from here without loading it."""

from __future__ import annotations

from pathlib import Path

# From this file size on (VERBUND_IMPORT_STREAM_BYTES): about 12,000 services of the demo's
# HSDS records, whose single-pass import holds some 100 MB more than it starts with.
STREAM_BYTES = 64_000_000
# Services per part (VERBUND_IMPORT_PART_SIZE): a part's records, review and plan stay a few
# MB, and a part is written in one batch of the writer (graph/write.py).
PART_SIZE = 5_000


def streams(path: Path, fmt: str, threshold: int = STREAM_BYTES) -> bool:
    """Whether an input is imported in parts: an HSDS file of at least ``threshold`` bytes."""
    return fmt == "hsds" and path.is_file() and path.stat().st_size >= threshold
