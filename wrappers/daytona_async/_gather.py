"""Bounded fan-out: :func:`gather` runs ``fn(item)`` for every item, at most ``concurrency`` at a
time, and returns the results in input order (asyncio and trio alike)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio

from .errors import InvalidArgumentError

__all__ = ["GatherError", "GatherFailure", "gather"]

T = TypeVar("T")
R = TypeVar("R")

_MISSING: Any = object()


@dataclass(frozen=True)
class GatherFailure(Generic[T]):
    """One failed item of :func:`gather`: its position in the input, the item, the exception."""

    index: int
    item: T
    exception: Exception


class GatherError(ExceptionGroup[Exception]):
    """Raised by :func:`gather` when items failed.

    An ``ExceptionGroup`` of the original exceptions (so ``except* NotFoundError`` works), in
    input order; each exception also has a note ``gather: item #i = <item repr>``.
    ``failures`` pairs every exception with its index and item; ``results`` holds the results
    of the items that succeeded (``None`` at failed or cancelled positions).
    """

    failures: list[GatherFailure[Any]]
    results: list[Any]

    def __new__(
        cls,
        message: str,
        exceptions: Sequence[Exception],
        failures: Sequence[GatherFailure[Any]] = (),
        results: Sequence[Any] = (),
    ) -> GatherError:
        self = super().__new__(cls, message, exceptions)
        self.failures = list(failures)
        self.results = list(results)
        return self

    def __init__(
        self,
        message: str,
        exceptions: Sequence[Exception],
        failures: Sequence[GatherFailure[Any]] = (),
        results: Sequence[Any] = (),
    ) -> None:
        super().__init__(message, exceptions)

    def derive(self, excs: Sequence[Exception]) -> GatherError:  # type: ignore[override]
        """The same error narrowed to ``excs`` (used by ``ExceptionGroup.split``/``subgroup``)."""
        keep = {id(e) for e in excs}
        return GatherError(
            self.message, excs, [f for f in self.failures if id(f.exception) in keep], self.results
        )


def _short_repr(item: object, limit: int = 200) -> str:
    try:
        text = repr(item)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(item).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


async def gather(
    fn: Callable[[T], Awaitable[R]],
    items: Iterable[T],
    *,
    concurrency: int = 32,
    fail_fast: bool = False,
    limiter: anyio.CapacityLimiter | None = None,
) -> list[R]:
    """Run ``await fn(item)`` for each item with at most ``concurrency`` running at once and
    return the results in input order.

    On failures, raises :class:`GatherError` (an ``ExceptionGroup``) holding every failed
    item's exception with its item. By default one failure cancels nothing: every item runs
    and all failures are reported together. With ``fail_fast=True`` the first failure cancels
    the items still running or waiting, and the group holds the failures seen until then.

    ``limiter``: an ``anyio.CapacityLimiter`` shared with other work (then ``concurrency``
    only sizes the worker pool). Cancellation of the caller cancels every item; exceptions
    that are not ``Exception`` (``KeyboardInterrupt``, cancellation) propagate as they are.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise InvalidArgumentError(f"concurrency must be an int >= 1, not {concurrency!r}")
    work = list(items)
    n = len(work)
    if n == 0:
        return []
    results: list[Any] = [_MISSING] * n
    failures: list[GatherFailure[T]] = []
    lim = limiter if limiter is not None else anyio.CapacityLimiter(concurrency)
    next_index = 0

    async with anyio.create_task_group() as tg:

        async def worker() -> None:
            nonlocal next_index
            while next_index < n:
                i = next_index
                next_index += 1
                item = work[i]
                async with lim:
                    try:
                        results[i] = await fn(item)
                    except Exception as exc:
                        exc.add_note(f"gather: item #{i} = {_short_repr(item)}")
                        failures.append(GatherFailure(i, item, exc))
                        if fail_fast:
                            tg.cancel_scope.cancel()
                            return

        for _ in range(min(concurrency, n)):
            tg.start_soon(worker)

    if failures:
        failures.sort(key=lambda f: f.index)
        done = [None if r is _MISSING else r for r in results]
        raise GatherError(
            f"gather: {len(failures)} of {n} items failed",
            [f.exception for f in failures],
            failures,
            done,
        )
    return results
