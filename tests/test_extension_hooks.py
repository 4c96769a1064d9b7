"""schema/extension_hooks.py runs the extension hooks as strawberry's own runner does: the same
hooks, in the same order, with the same results, errors included; no database needed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from schema.extension_hooks import HookRunner, hook_runner

LOG: list[str] = []


class Outer(SchemaExtension):
    async def on_operation(self) -> AsyncIterator[None]:
        LOG.append("outer operation in")
        yield
        LOG.append(f"outer operation out: {self.execution_context.result is not None}")

    def on_parse(self) -> Iterator[None]:
        LOG.append("outer parse in")
        yield
        LOG.append("outer parse out")

    def on_execute(self) -> Iterator[None]:
        LOG.append("outer execute in")
        yield
        LOG.append("outer execute out")


class Inner(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        LOG.append("inner operation in")
        yield
        LOG.append("inner operation out")

    async def on_validate(self) -> AsyncIterator[None]:
        LOG.append("inner validate in")
        yield
        LOG.append("inner validate out")

    async def on_execute(self) -> AsyncIterator[None]:
        LOG.append("inner execute in")
        try:
            yield
        except Exception as exc:
            LOG.append(f"inner execute saw {type(exc).__name__}")
            raise
        LOG.append("inner execute out")


class Plain(SchemaExtension):
    def on_parse(self) -> None:  # type: ignore[override]
        LOG.append("plain parse")


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "Hallo"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("kaputt")


class Ours(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        runner = hook_runner(execution_context, extensions)
        if runner is None:
            return super().create_extensions_runner(execution_context, extensions)
        return runner


def run(schema: strawberry.Schema, document: str) -> tuple[list[str], Any]:
    LOG.clear()
    result = asyncio.run(schema.execute(document))
    errors = [e.message for e in result.errors or []]
    return list(LOG), (result.data, errors)


@pytest.mark.parametrize(
    "document", ["{ hello }", "{ broken }", "{ nope }", "{ hello", "query A { hello } query B"]
)
def test_hooks_run_as_strawberrys_runner_runs_them(document: str) -> None:
    extensions = [Outer, Inner]
    theirs = run(strawberry.Schema(query=Query, extensions=extensions), document)
    ours = run(Ours(query=Query, extensions=extensions), document)
    assert ours == theirs
    assert theirs[0][0] == "outer operation in"


def test_a_plain_function_hook_keeps_strawberrys_runner() -> None:
    schema = Ours(query=Query, extensions=[Outer, Plain])
    log, answer = run(schema, "{ hello }")
    assert "plain parse" in log
    assert answer == ({"hello": "Hallo"}, [])
    assert hook_runner(ExecutionContext("{ hello }", schema, {}), [Outer(), Plain()]) is None
    assert isinstance(
        hook_runner(ExecutionContext("{ hello }", schema, {}), [Outer(), Inner()]), HookRunner
    )


def test_a_hook_patched_later_is_the_one_that_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = Ours(query=Query, extensions=[Outer])
    run(schema, "{ hello }")  # the plan of Outer is made

    def replaced(self: Outer) -> Iterator[None]:
        LOG.append("replaced")
        yield

    monkeypatch.setattr(Outer, "on_execute", replaced)
    log, _ = run(schema, "{ hello }")
    assert "replaced" in log
    assert "outer execute in" not in log
