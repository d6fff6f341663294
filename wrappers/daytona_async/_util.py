"""Small shared helpers: polling (intervals and the one poll loop of every lifecycle wait),
callbacks that may be sync or async, task-group exception unwrapping."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ._deadline import Deadline

__all__ = [
    "LogCallback",
    "backoff_intervals",
    "call_maybe_async",
    "poll_until",
    "unwrap_group",
    "without_userinfo",
]

T = TypeVar("T")

#: ``on_build_logs`` callbacks: called with one log line (no trailing newline); may be async.
LogCallback = Callable[[str], Awaitable[None] | None]


def backoff_intervals(first: float = 0.1, factor: float = 1.5, cap: float = 1.0) -> Iterator[float]:
    """Polling intervals growing from ``first`` by ``factor`` up to ``cap`` (0.1 s → ~1 s)."""
    interval = first
    while True:
        yield interval
        interval = min(cap, interval * factor)


async def poll_until(
    probe: Callable[[], Awaitable[T | None]],
    deadline: Deadline,
    *,
    intervals: Iterator[float] | None = None,
) -> T:
    """Call ``probe()`` until it returns something other than ``None`` and return that, sleeping
    ``intervals`` (default: 0.1 s growing to 1 s) in between. ``probe`` raises to give up (a
    failed state); :class:`~daytona_async.DeadlineExceeded` once the next sleep would pass
    ``deadline``."""
    import anyio  # here: importing this module (the client does) must stay cheap

    waits = intervals if intervals is not None else backoff_intervals()
    while True:
        result = await probe()
        if result is not None:
            return result
        delay = next(waits)
        if deadline.remaining() <= delay:
            if deadline.remaining() > 0:
                await anyio.sleep(deadline.remaining())
            raise deadline.exceeded()
        await anyio.sleep(delay)


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


def without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@``."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host_end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            host_end = min(host_end, found)
    authority = rest[:host_end]
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rsplit('@', 1)[1]}{rest[host_end:]}"
