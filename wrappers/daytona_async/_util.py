"""Small shared helpers: polling intervals, callbacks that may be sync or async, task-group
exception unwrapping."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["LogCallback", "backoff_intervals", "call_maybe_async", "unwrap_group"]

#: ``on_build_logs`` callbacks: called with one log line (no trailing newline); may be async.
LogCallback = Callable[[str], Awaitable[None] | None]


def backoff_intervals(first: float = 0.1, factor: float = 1.5, cap: float = 1.0) -> Iterator[float]:
    """Polling intervals growing from ``first`` by ``factor`` up to ``cap`` (0.1 s → ~1 s)."""
    interval = first
    while True:
        yield interval
        interval = min(cap, interval * factor)


async def call_maybe_async(fn: Callable[..., Any], *args: Any) -> None:
    result = fn(*args)
    if inspect.isawaitable(result):
        await result


@contextmanager
def unwrap_group() -> Iterator[None]:
    """Re-raise the single exception of an anyio task group's ``ExceptionGroup`` as itself."""
    try:
        yield
    except BaseExceptionGroup as group:
        exc: BaseException = group
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]
        if exc is group:
            raise
        raise exc from None
