"""The served process tunes the garbage collector once after start-up (api/heap.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from api.heap import GEN0_THRESHOLD, settle_heap


@pytest.fixture
def restored_gc() -> Iterator[None]:
    before = gc.get_threshold()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


@pytest.mark.usefixtures("restored_gc")
def test_settle_heap_freezes_start_up_objects_and_raises_the_young_threshold() -> None:
    gc.unfreeze()
    survivor = [object() for _ in range(100)]
    settle_heap()
    assert gc.get_freeze_count() >= len(survivor)
    assert gc.get_threshold()[0] == GEN0_THRESHOLD
    # The older generations keep their ratios; cycles are still collected.
    cycle: list[object] = []
    cycle.append(cycle)
    del cycle
    assert gc.collect() >= 1


def test_only_the_served_app_tunes_the_collector() -> None:
    from api.cli import serve as serve_module

    source = serve_module.__file__
    assert source is not None
    with open(source, encoding="utf-8") as handle:
        assert '"api.app:create_served_app"' in handle.read()
