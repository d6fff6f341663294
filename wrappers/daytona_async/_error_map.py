"""httpx's transport errors as the SDK's connection errors: the one exception map.

The decision is made on the exception's type and on the fact the network adapter recorded on
it (:func:`~daytona_async._wire.request_sent`), never on its message:

==========================================================  ===============================
failure                                                     SDK error
==========================================================  ===============================
POST/PATCH (non-idempotent), some of it may have been sent  :class:`OutcomeUnknownError`
... and it was a timeout                                    :class:`OutcomeUnknownTimeoutError`
any other timeout                                           :class:`APITimeoutError`
any other transport/stream error                            :class:`APIConnectionError`
==========================================================  ===============================
"""

from __future__ import annotations

import os

import httpx

from ._logging import redact
from ._wire import IDEMPOTENT_METHODS, request_sent
from .errors import (
    APIConnectionError,
    APITimeoutError,
    OutcomeUnknownError,
    OutcomeUnknownTimeoutError,
)

__all__ = ["connection_error", "outcome_unknown"]


def outcome_unknown(exc: BaseException, method: str | None) -> bool:
    """Did a non-idempotent request fail after some of it may have reached the server?"""
    if method is None or method.upper() in IDEMPOTENT_METHODS:
        return False
    if not isinstance(exc, httpx.TransportError):
        # a response that could not be decoded, a body refused on our side: not a lost answer
        return False
    return request_sent(exc)


def connection_error(
    exc: httpx.HTTPError | httpx.StreamError,
    *,
    method: str | None,
    url: str | None,
    retries: int,
) -> APIConnectionError:
    """The typed SDK error for a failed request (``url`` is redacted here)."""
    safe_url = redact(url) if url else url
    detail = redact(str(exc)) or type(exc).__name__
    timeout = isinstance(exc, httpx.TimeoutException)
    if outcome_unknown(exc, method):
        cls: type[APIConnectionError] = (
            OutcomeUnknownTimeoutError if timeout else OutcomeUnknownError
        )
        message = (
            f"{type(exc).__name__}: {detail}; the request may have reached the server and run "
            "— not sent again"
        )
        return cls(message, method=method, url=safe_url, retries=retries)
    if timeout:
        return APITimeoutError(
            f"request timed out ({type(exc).__name__})",
            method=method,
            url=safe_url,
            retries=retries,
        )
    if isinstance(exc, httpx.ConnectError) and url:
        # say it plainly: the libraries' texts mention details such as "ssl:default" even for
        # http:// URLs
        os_error = _os_error_in_chain(exc)
        reason = None
        if os_error is not None:
            reason = os.strerror(os_error.errno) if os_error.errno else os_error.strerror
        return APIConnectionError(
            f"could not connect to {_origin(url)}: {reason or detail}",
            method=method,
            url=safe_url,
            retries=retries,
        )
    return APIConnectionError(
        f"{type(exc).__name__}: {detail}", method=method, url=safe_url, retries=retries
    )


def _os_error_in_chain(exc: BaseException) -> OSError | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}"
