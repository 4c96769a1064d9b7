"""strawberry's extension hooks, looked up once per extension class instead of per request.

For every request and every stage (operation, parsing, validation, execution) strawberry's
runner asks each extension instance for its hook, checks its kind with ``inspect`` and wraps
it in a new ``contextlib`` decorator (``functools.update_wrapper`` included): about a fifth
of a small request's CPU with three extensions (bench/README.md, "Fixed cost per request").
The kind of a hook is a property of the class, so it is found once per class here, the
``contextlib`` wrapper made once, and each request only enters the hooks that exist, in
the same order and with the same exit semantics (``AsyncExitStack``, last in first out).

Plugged in through strawberry's public ``Schema.create_extensions_runner`` (schema/root.py).
A class with a hook of another form (a plain function) and the synchronous path
(``execute_sync``) keep strawberry's own runner.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from types import TracebackType
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

_STAGES = ("on_operation", "on_parse", "on_validate", "on_execute")

# Per hook: the contextlib wrapper of the unbound function and whether it is asynchronous.
Hook = tuple[Callable[[SchemaExtension], Any], bool]
# Per class: the hook functions a plan was made from (a class patched later, e.g. in a test,
# gets a new plan) and the plan.
_plans: dict[type[SchemaExtension], tuple[tuple[Any, ...], dict[str, Hook] | None]] = {}


def _plan(cls: type[SchemaExtension]) -> dict[str, Hook] | None:
    """The class's hooks by stage; None if one is of a form only strawberry's runner knows."""
    functions = tuple(getattr(cls, stage) for stage in _STAGES)
    found = _plans.get(cls)
    if found is not None and found[0] == functions:
        return found[1]
    plan: dict[str, Hook] | None = {}
    for stage, function in zip(_STAGES, functions, strict=True):
        if function is getattr(SchemaExtension, stage):
            continue
        if inspect.isasyncgenfunction(function):
            plan[stage] = (contextlib.asynccontextmanager(function), True)  # type: ignore[index]
        elif inspect.isgeneratorfunction(function):
            plan[stage] = (contextlib.contextmanager(function), False)  # type: ignore[index]
        else:
            plan = None
            break
    _plans[cls] = (functions, plan)
    return plan


class _Stage:
    """The hooks of one stage as one context manager (``async with``; ``with`` is
    strawberry's own, for ``execute_sync``)."""

    __slots__ = ("_fallback", "_hooks", "_stack", "_sync")

    def __init__(
        self, hooks: list[tuple[Hook, SchemaExtension]], fallback: Callable[[], Any]
    ) -> None:
        self._hooks = hooks
        self._fallback = fallback

    async def __aenter__(self) -> None:
        stack = self._stack = contextlib.AsyncExitStack()
        for (wrapper, is_async), extension in self._hooks:
            if is_async:
                await stack.enter_async_context(wrapper(extension))
            else:
                stack.enter_context(wrapper(extension))

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> bool | None:
        return await self._stack.__aexit__(kind, error, trace)

    def __enter__(self) -> None:
        self._sync = self._fallback()
        self._sync.__enter__()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> Any:
        return self._sync.__exit__(kind, error, trace)


class HookRunner(SchemaExtensionsRunner):
    """strawberry's runner with the hooks found per class (see the module docstring)."""

    def __init__(
        self,
        execution_context: ExecutionContext,
        extensions: list[SchemaExtension],
        plans: list[dict[str, Hook]],
    ) -> None:
        super().__init__(execution_context, extensions)
        self._plans = plans

    def _stage(self, stage: str, fallback: Callable[[], Any]) -> Any:
        hooks = [
            (plan[stage], extension)
            for plan, extension in zip(self._plans, self.extensions, strict=True)
            if stage in plan
        ]
        return _Stage(hooks, fallback)

    def operation(self) -> Any:
        return self._stage("on_operation", super().operation)

    def parsing(self) -> Any:
        return self._stage("on_parse", super().parsing)

    def validation(self) -> Any:
        return self._stage("on_validate", super().validation)

    def executing(self) -> Any:
        return self._stage("on_execute", super().executing)


def hook_runner(
    execution_context: ExecutionContext, extensions: list[SchemaExtension]
) -> HookRunner | None:
    """The runner for these extensions, or None where strawberry's own must run them."""
    plans = []
    for extension in extensions:
        plan = _plan(type(extension))
        if plan is None:
            return None
        plans.append(plan)
    return HookRunner(execution_context, extensions, plans)
