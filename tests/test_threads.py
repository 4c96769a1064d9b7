"""schema/threads.py: the graph's calls in a worker thread keep the caller's context and are
never abandoned by a cancelled caller; no database needed."""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time

import pytest

from schema.threads import in_thread

MARK: contextvars.ContextVar[str] = contextvars.ContextVar("mark", default="keine")


def test_the_call_runs_in_another_thread_with_the_callers_context() -> None:
    async def main() -> tuple[str, int]:
        MARK.set("Anfrage 1")
        return await in_thread(lambda: (MARK.get(), threading.get_ident()))

    mark, thread = asyncio.run(main())
    assert mark == "Anfrage 1"
    assert thread != threading.get_ident()


def test_arguments_and_errors_pass_through() -> None:
    def divide(a: int, b: int = 1) -> float:
        return a / b

    assert asyncio.run(in_thread(divide, 6, b=3)) == 2
    with pytest.raises(ZeroDivisionError):
        asyncio.run(in_thread(divide, 1, b=0))


def test_a_cancelled_caller_waits_until_the_call_has_ended() -> None:
    ended: list[float] = []

    def slow() -> None:
        time.sleep(0.2)
        ended.append(time.monotonic())

    async def main() -> float:
        task = asyncio.create_task(in_thread(slow))
        await asyncio.sleep(0.05)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            return time.monotonic()
        raise AssertionError("abgebrochen erwartet")

    cancelled_at = asyncio.run(main())
    assert ended
    assert ended[0] <= cancelled_at
