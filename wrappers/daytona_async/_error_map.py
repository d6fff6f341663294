"""httpx's transport errors as the SDK's connection errors: the one exception map.

The decision is made on the exception's type and on the fact the network adapter recorded on
it (:func:`~daytona_async._wire.request_sent`), never on its message:

==========================================================  ===============================
failure                                                     SDK error
==========================================================  ===============================
the answer went past a cap (``ResponseCapExceeded``)        :class:`ResponseTooLargeError`
the server's certificate was refused (``ssl`` in the chain)  :class:`TLSCertificateError`
POST/PATCH (non-idempotent), some of it may have been sent  :class:`OutcomeUnknownError`
... and it was a timeout                                    :class:`OutcomeUnknownTimeoutError`
any other timeout                                           :class:`APITimeoutError`
any other transport/stream error                            :class:`APIConnectionError`
==========================================================  ===============================

Connect failures name their cause from the exception types in the chain: a certificate
refused (OpenSSL's verify message), a host name that does not resolve (``socket.gaierror``:
"could not resolve host …"), a connection refused or reset.
"""

from __future__ import annotations

import os
import socket
from typing import TypeVar

import httpx

from ._logging import redact
from ._wire import (
    IDEMPOTENT_METHODS,
    cap_exceeded,
    causes,
    certificate_failure,
    request_sent,
)
from .errors import (
    APIConnectionError,
    APITimeoutError,
    OutcomeUnknownError,
    OutcomeUnknownTimeoutError,
    ResponseTooLargeError,
    TLSCertificateError,
)

__all__ = ["connection_error", "outcome_unknown"]

_E = TypeVar("_E", bound=BaseException)


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
    capped = cap_exceeded(exc)
    if capped is not None:
        if capped is not exc:
            detail = redact(str(capped))
        return ResponseTooLargeError(
            detail, cap=capped.cap, limit=capped.limit, method=method, url=safe_url, retries=retries
        )
    refused = certificate_failure(exc)
    if refused is not None:
        reason = refused.verify_message or refused.reason or str(refused)
        where = f" of {_origin(url)}" if url else ""
        cert_error = TLSCertificateError(
            f"the TLS certificate{where} was refused: {refused.reason or 'CERTIFICATE_VERIFY_FAILED'}"
            f": {reason}",
            method=method,
            url=safe_url,
            retries=retries,
        )
        cert_error.reason = reason
        return cert_error
    if not isinstance(exc, httpx.ConnectError) and _first(exc, ConnectionResetError) is not None:
        detail = f"connection reset by the server ({detail})"
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
        return APIConnectionError(
            f"could not connect to {_origin(url)}: {_connect_cause(exc, url) or detail}",
            method=method,
            url=safe_url,
            retries=retries,
        )
    return APIConnectionError(
        f"{type(exc).__name__}: {detail}", method=method, url=safe_url, retries=retries
    )


def _first(exc: BaseException, kind: type[_E]) -> _E | None:
    for cause in causes(exc):
        if isinstance(cause, kind):
            return cause
    return None


def _connect_cause(exc: BaseException, url: str) -> str | None:
    """Why a connection could not be made, from the exception types in the chain."""
    unresolved = _first(exc, socket.gaierror)
    if unresolved is not None:
        try:
            host = httpx.URL(url).host
        except httpx.InvalidURL:
            host = _origin(url)
        return f"could not resolve host {host} ({unresolved.strerror or unresolved})"
    if _first(exc, ConnectionRefusedError) is not None:
        return "connection refused"
    if _first(exc, ConnectionResetError) is not None:
        return "connection reset by the server"
    os_error = _first(exc, OSError)
    if os_error is None:
        return None
    if os_error.errno and os_error.errno > 0:
        return os.strerror(os_error.errno)
    return os_error.strerror or str(os_error) or None


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}"
