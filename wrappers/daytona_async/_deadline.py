"""Deadlines: one time budget for a whole operation, shared by every HTTP call inside it."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import anyio

from .errors import DeadlineExceeded

__all__ = ["Deadline"]


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
    - :meth:`child` — a deadline that is the earlier of this one and ``now + seconds``.
    """

    __slots__ = ("operation", "timeout", "when")

    def __init__(self, timeout: float | None, operation: str = "operation") -> None:
        self.timeout = timeout
        self.operation = operation
        self.when = math.inf if timeout is None else anyio.current_time() + max(0.0, timeout)

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
        if self.when == math.inf:
            return math.inf
        return max(0.0, self.when - anyio.current_time())

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0.0

    def request_timeout(self, default: float | None) -> float | None:
        """``min(default, remaining)``; ``None`` only if both are unbounded."""
        rem = self.remaining()
        if default is None:
            return None if rem == math.inf else rem
        return min(default, rem)

    def check(self) -> None:
        if self.expired:
            raise self.exceeded()

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(self.operation, self.timeout)

    def child(self, seconds: float | None, operation: str | None = None) -> Deadline:
        if seconds is None:
            return Deadline.at(self.when, operation or self.operation, self.timeout)
        when = min(self.when, anyio.current_time() + seconds)
        return Deadline.at(when, operation or self.operation, seconds)

    @contextmanager
    def scope(self) -> Iterator[anyio.CancelScope]:
        """Run the block under a cancel scope at this deadline; raise ``DeadlineExceeded`` if
        the scope had to cancel it."""
        with anyio.CancelScope(deadline=self.when) as cs:
            yield cs
        if cs.cancelled_caught:
            raise self.exceeded()

    def __repr__(self) -> str:
        rem = self.remaining()
        return (
            f"Deadline({self.operation!r}, remaining={'inf' if rem == math.inf else f'{rem:.3f}'})"
        )
