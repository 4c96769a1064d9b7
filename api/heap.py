"""Garbage collection tuned for a request server: fewer pauses, none for start-up objects.

Every GraphQL request allocates many short-lived objects (AST nodes, resolver results, dicts);
with CPython's default threshold (700 allocations) the collector ran several times per nested
query and its pauses showed in the p99 (issue #16). Objects alive after start-up (the schema,
modules, templates) never become garbage: ``gc.freeze()`` moves them out of the collector's
sight, so a full collection no longer walks them.
"""

from __future__ import annotations

import gc

# Young generation collected after this many net allocations instead of 700; the older
# generations keep CPython's ratios. Reference cycles are still found, only less often:
# memory stays bounded (measured in bench/README.md, "Fixed cost per request").
GEN0_THRESHOLD = 20_000


def settle_heap() -> None:
    """Collect once, freeze what survived start-up, and raise the young threshold."""
    gc.collect()
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(max(GEN0_THRESHOLD, gc.get_threshold()[0]), gen1, gen2)
