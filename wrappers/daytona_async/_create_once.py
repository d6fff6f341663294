"""Create without duplicates: the one helper behind sandbox and snapshot creation.

A create is a POST: when its outcome is unknown (the connection broke after sending, a timeout,
a 5xx/408), the server may have created the resource. So before anything is re-sent, the
resource is looked up by a key the request carried (a sandbox's create-id label, a snapshot's
unique name) and returned if it exists. The transport never re-sends these requests itself
beyond what provably did not reach the server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import anyio

from ._logging import logger
from ._transport import RetryPolicy
from ._util import backoff_intervals
from ._wire import request_sent
from .errors import APIConnectionError, APIStatusError, DaytonaError, DeadlineExceeded

if TYPE_CHECKING:
    from ._deadline import Deadline

__all__ = ["CreateAttempt", "create_once", "lookup_first_policy", "outcome_unknown"]

T = TypeVar("T")


def lookup_first_policy(max_retries: int) -> RetryPolicy:
    """The transport's policy for a POST whose unknown outcome the caller resolves by a lookup
    (sandbox and snapshot creates): the transport re-sends it only on 429 (and, as every
    request, when nothing of it was sent); a 5xx, 408 or a connection lost after sending comes
    back to :func:`create_once`, which looks the resource up before anything is sent again.
    Other POSTs need no policy of their own: the transport's rule (:func:`may_send_again
    <daytona_async._transport.may_send_again>`) never re-sends them once sent."""
    return RetryPolicy(max_retries=max_retries, statuses_any_method=frozenset({429}))


def outcome_unknown(err: DaytonaError) -> bool:
    """Could the server have processed the request that failed with ``err``?"""
    if isinstance(err, APIStatusError):
        return err.status_code >= 500 or err.status_code == 408
    if isinstance(err, APIConnectionError):
        cause = err.cause if err.cause is not None else err.__cause__
        # the fact the network adapter recorded (or the error's type says): was anything sent?
        return cause is None or request_sent(cause)
    return False


@dataclass
class CreateAttempt:
    """What a caller needs to know after a create failed: ``maybe_created`` is False only when
    every request got a definite refusal (or none was sent), so nothing can exist to clean up."""

    maybe_created: bool = False


async def create_once(
    send: Callable[[], Awaitable[T]],
    lookup: Callable[[], Awaitable[T | None]],
    *,
    deadline: Deadline,
    max_resends: int,
    what: str,
    attempt: CreateAttempt | None = None,
) -> T:
    """``await send()``; when its outcome is unknown, ``await lookup()`` and return what it
    found, else send again (at most ``max_resends`` times, with backoff, within ``deadline``).
    A definite failure (4xx, nothing sent) is raised at once; so is the last unknown one."""
    tracker = attempt if attempt is not None else CreateAttempt()
    unknown_before = False
    resends = 0
    intervals = backoff_intervals(0.2, 2.0, 4.0)
    while True:
        tracker.maybe_created = True  # from here until the answer says otherwise
        try:
            return await send()
        except DeadlineExceeded:
            raise
        except DaytonaError as err:
            if not outcome_unknown(err):
                tracker.maybe_created = unknown_before
                raise
            unknown_before = True
            logger.info("%s: outcome unknown (%s); looking it up", what, err)
            try:
                found = await lookup()
            except DaytonaError as lookup_err:
                raise err from lookup_err
            if found is not None:
                logger.info("%s: found it after an unknown outcome", what)
                return found
            if resends >= max_resends:
                raise
            resends += 1
            delay = next(intervals)
            if deadline.remaining() <= delay:
                raise
            await anyio.sleep(delay)
