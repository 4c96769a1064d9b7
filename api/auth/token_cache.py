"""API tokens verified a moment ago, remembered for a few seconds.

Every request with a token used to cost one indexed read before its query (about 1.1 ms of a
request's fixed cost, bench/README.md). A token checked within the last
``VERBUND_API_TOKEN_CACHE_SECONDS`` (default 5) is taken from here instead. The price: a token
revoked with ``verbund token revoke`` (another process) still works in a running server for at
most that long; 0 turns the cache off. Only tokens that held are remembered: a new token works
at once, and a failing one is counted by the failure limiter each time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from schema.principal import Principal


class TokenCache:
    def __init__(
        self,
        seconds: float,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def get(self, token_hash: str) -> Principal | None:
        if self.seconds <= 0:
            return None
        found = self._entries.get(token_hash)
        if found is None:
            return None
        checked_at, principal = found
        if self.clock() - checked_at >= self.seconds:
            del self._entries[token_hash]
            return None
        return principal

    def put(self, token_hash: str, principal: Principal) -> None:
        if self.seconds <= 0:
            return
        self._entries[token_hash] = (self.clock(), principal)
        self._entries.move_to_end(token_hash)
        # Bounded: a flood of distinct valid tokens cannot grow the table without end.
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
