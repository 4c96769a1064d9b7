"""The undo log of an import written in parts, each committed by itself (a streamed import,
``loaders/stream_import.py``): before a part is written, the ids it will create and the
before-image of every node it will change are appended to a temporary file; if a later part
fails, ``UndoLog.undo`` takes the parts back, last first.

A before-image is what the writer (graph/write.py) may change on a record's node: all its
properties and the targets of the relationships the record owns (``NodeSpec.rels``). Nodes
the parts created are deleted with their relationships (those include the owned
relationships other records gained towards them). The file, not memory, holds the images:
an import of 100,000 changed records keeps one part's images at a time. It is a pickle file
this process writes and reads back itself, deleted when the log is closed.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from graph.connection import Graph
from graph.model import NODE_SPECS, NodeSpec, OwnedRel
from graph.write import arrows

BATCH = 1_000
_SPECS: dict[str, NodeSpec] = {spec.label: spec for spec in NODE_SPECS.values()}


@dataclass(frozen=True, slots=True)
class Image:
    """A node as it was before a part changed it."""

    id: str
    props: dict[str, Any]
    targets: list[list[str]]  # per owned relationship (``NodeSpec.rels``), the target ids


def _spec(label: str) -> NodeSpec:
    # Only labels of the record specs are ever put into a statement.
    if label not in _SPECS:
        raise ValueError(f"unbekannte Knotenart {label!r}")
    return _SPECS[label]


def _chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def _image_query(spec: NodeSpec) -> str:
    targets = "".join(
        f", COLLECT {{ MATCH (n){rel.arrow}(t:{rel.target}) RETURN t.id }} AS r{i}"
        for i, rel in enumerate(spec.rels)
    )
    return f"""
    UNWIND $ids AS id
    MATCH (n:{spec.label} {{id: id}})
    RETURN n.id AS id, properties(n) AS props{targets}
    """


def before_images(graph: Graph, label: str, ids: Sequence[str]) -> list[Image]:
    """The current state of the ``label`` nodes with these ids (absent ones are skipped)."""
    spec = _spec(label)
    query = _image_query(spec)
    images: list[Image] = []
    for chunk in _chunks(ids):
        for row in graph.query(query, {"ids": list(chunk)}):
            targets = [sorted(row[f"r{i}"]) for i in range(len(spec.rels))]
            images.append(Image(row["id"], row["props"], targets))
    return images


def _restore_query(spec: NodeSpec, index: int, rel: OwnedRel) -> str:
    old, new = arrows(rel)
    return f"""
    UNWIND $rows AS row
    MATCH (n:{spec.label} {{id: row.id}})
    CALL (n) {{ MATCH (n){old}(:{rel.target}) DELETE r }}
    WITH n, row
    UNWIND row.targets[{index}] AS target
    MATCH (t:{rel.target} {{id: target}})
    CREATE (n){new}(t)
    """


def restore(graph: Graph, label: str, images: Sequence[Image]) -> None:
    """Put the nodes back as their images show them: properties, then owned relationships."""
    spec = _spec(label)
    for chunk in _chunks(images):
        rows = [{"id": i.id, "props": i.props, "targets": i.targets} for i in chunk]
        graph.query(
            f"UNWIND $rows AS row MATCH (n:{spec.label} {{id: row.id}}) SET n = row.props",
            {"rows": rows},
            write=True,
        )
        for index, rel in enumerate(spec.rels):
            graph.query(_restore_query(spec, index, rel), {"rows": rows}, write=True)


def delete_nodes(graph: Graph, label: str, ids: Sequence[str]) -> None:
    """Delete the ``label`` nodes with these ids and their relationships."""
    spec = _spec(label)
    for chunk in _chunks(ids):
        graph.query(
            f"UNWIND $ids AS id MATCH (n:{spec.label} {{id: id}}) DETACH DELETE n",
            {"ids": list(chunk)},
            write=True,
        )


# One part of the log: per label the ids it creates, per label the images of what it changes.
_Part = tuple[dict[str, list[str]], dict[str, list[Image]]]


class UndoLog:
    """Parts appended before they are written; ``undo`` takes them all back, last first."""

    def __init__(self) -> None:
        # Kept open for the log's life (closed by ``close``), so no ``with`` around it.
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="verbund-undo-")  # noqa: SIM115
        self._offsets: list[int] = []

    def __enter__(self) -> UndoLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    @property
    def parts(self) -> int:
        return len(self._offsets)

    def add_part(
        self,
        graph: Graph,
        created: Mapping[str, Sequence[str]],
        changed: Mapping[str, Sequence[str]],
    ) -> None:
        """Note what the next part creates and save the state of what it changes."""
        images = {label: before_images(graph, label, ids) for label, ids in changed.items() if ids}
        part: _Part = ({label: list(ids) for label, ids in created.items() if ids}, images)
        self._file.seek(0, 2)
        offset = self._file.tell()
        pickle.dump(part, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.flush()
        # Noted only once whole: a stop during the dump leaves no broken part to read back
        # (and that part wrote nothing yet).
        self._offsets.append(offset)

    def undo(self, graph: Graph) -> None:
        """Take back every part noted, last first: restore what it changed, then delete what
        it created (a restored node only points to nodes that existed before its part)."""
        for offset in reversed(self._offsets):
            self._file.seek(offset)
            # Written by this process into its own unnamed temporary file (no one else's data).
            created, images = pickle.load(self._file)  # noqa: S301
            for label, found in images.items():
                restore(graph, label, found)
            # Later kinds first: a service is deleted before the location it points to.
            for label in reversed(list(created)):
                delete_nodes(graph, label, created[label])
        self._offsets.clear()
