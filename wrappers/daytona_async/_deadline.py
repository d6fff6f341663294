"""Deadlines: one time budget for a whole operation, shared by every HTTP call inside it."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import anyio

from .errors import DeadlineExceeded

__all__ = ["Deadline"]


def now() -> float:
    """The event loop's clock (``anyio.current_time()``), read directly under asyncio: anyio
    finds the running library through sniffio on every call, three times the cost, and the
    SDK reads the clock several times per request."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:  # not asyncio
        return anyio.current_time()


class Deadline:
    """A point in time (on the event loop's clock, ``anyio.current_time()``) by which an
    operation must finish.

    Create it inside a coroutine: ``Deadline(30, "create sandbox")``. ``Deadline(None)`` is
    "no deadline" (``remaining()`` is ``inf``).

    - :meth:`remaining` — seconds left (``0.0`` when past, ``inf`` when unbounded).
    - :meth:`request_timeout` — the timeout for the next single HTTP request:
      ``min(default, remaining)``.
    - :meth:`check` — raise :class:`~daytona_async.DeadlineExceeded` if expired.
    - :meth:`scope` — a context manager (an anyio cancel scope at the deadline) that turns the
      cancellation into :class:`~daytona_async.DeadlineExceeded`; everything inside, sleeps
      and HTTP reads included, is bounded.
    - :meth:`bound` — the same for one awaited call, by the event loop's cheapest means
      (``async with dl.bound() as b: ...``; ``b.expired`` tells whether it had to stop it).
    - :meth:`child` — a deadline that is the earlier of this one and ``now + seconds``.
    """

    __slots__ = ("operation", "timeout", "when")

    def __init__(self, timeout: float | None, operation: str = "operation") -> None:
        self.timeout = timeout
        self.operation = operation
        self.when = math.inf if timeout is None else now() + max(0.0, timeout)

    @classmethod
    def at(
        cls, when: float, operation: str = "operation", timeout: float | None = None
    ) -> Deadline:
        """A deadline at absolute loop time ``when``."""
        d = cls.__new__(cls)
        d.when = when
        d.operation = operation
        d.timeout = timeout
        return d

    def remaining(self) -> float:
        """Seconds left (``math.inf`` when unbounded, never negative)."""
        if self.when == math.inf:
            return math.inf
        return max(0.0, self.when - now())

    @property
    def expired(self) -> bool:
        """Is no time left?"""
        return self.remaining() <= 0.0

    def request_timeout(self, default: float | None) -> float | None:
        """``min(default, remaining)``; ``None`` only if both are unbounded."""
        rem = self.remaining()
        if default is None:
            return None if rem == math.inf else rem
        return min(default, rem)

    def check(self) -> None:
        """Raise :class:`DeadlineExceeded` if no time is left."""
        if self.expired:
            raise self.exceeded()

    def exceeded(self) -> DeadlineExceeded:
        """The :class:`DeadlineExceeded` error for this deadline (not raised)."""
        return DeadlineExceeded(self.operation, self.timeout)

    def child(self, seconds: float | None, operation: str | None = None) -> Deadline:
        """A deadline for a step: ``seconds`` from now, but never past this one."""
        if seconds is None:
            return Deadline.at(self.when, operation or self.operation, self.timeout)
        when = min(self.when, now() + seconds)
        return Deadline.at(when, operation or self.operation, seconds)

    @contextmanager
    def scope(self) -> Iterator[anyio.CancelScope]:
        """Run the block under a cancel scope at this deadline; raise ``DeadlineExceeded`` if
        the scope had to cancel it."""
        with anyio.CancelScope(deadline=self.when) as cs:
            yield cs
        if cs.cancelled_caught:
            raise self.exceeded()

    def bound(self) -> Bound:
        """An async context manager bounding its block by this deadline; see :class:`Bound`."""
        return Bound(self.when)

    def __repr__(self) -> str:
        rem = self.remaining()
        return (
            f"Deadline({self.operation!r}, remaining={'inf' if rem == math.inf else f'{rem:.3f}'})"
        )


class Bound:
    """``async with Bound(when) as b:`` runs the block until loop time ``when`` at most: past it
    the block is cancelled, the cancellation is absorbed and ``b.expired`` is true (the caller
    raises its own error). Unbounded (``when`` infinite): no scope at all.

    Why not an anyio ``CancelScope`` everywhere: every API call runs under one, and under
    asyncio anyio's scope costs about 20 µs of CPU per call once the block awaits (its own task
    bookkeeping and cancel delivery) against about 4 µs for the standard library's
    ``asyncio.timeout_at``, which does the same job with one timer handle. Under other event
    loops (trio) the anyio scope is the native one and stays.
    """

    __slots__ = ("_scope", "_timeout", "_when", "expired")

    def __init__(self, when: float) -> None:
        self._when = when
        self._timeout: asyncio.Timeout | None = None
        self._scope: anyio.CancelScope | None = None
        self.expired = False

    async def __aenter__(self) -> Bound:
        if self._when == math.inf:
            return self
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio): anyio's scope is trio's own
            scope = self._scope = anyio.CancelScope(deadline=self._when)
            scope.__enter__()
            return self
        timeout = self._timeout = asyncio.timeout_at(self._when)
        await timeout.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        timeout = self._timeout
        if timeout is not None:
            try:
                await timeout.__aexit__(exc_type, exc, tb)
            except TimeoutError:
                if not timeout.expired():
                    raise
                self.expired = True
                return True
            return False
        scope = self._scope
        if scope is None:
            return False
        swallowed = bool(scope.__exit__(exc_type, exc, tb))
        self.expired = scope.cancelled_caught
        return swallowed
