"""What the HTTP adapters and the retry policy agree on, in a leaf module both import.

- Which requests are idempotent (:func:`is_idempotent`: by method, or declared so by the
  caller with the request extension :data:`IDEMPOTENT_EXTENSION`), and the pool defaults of
  httpx's network transport.
- The one fact a transport error carries for the retry policy: **was any byte of the request
  sent?** An adapter knows it (it saw the connection being opened, or the first write) and
  records it with :func:`mark_sent`; the policy reads it with :func:`request_sent`. A request
  that failed with nothing sent may go out again whatever its method; after that only an
  idempotent one may (a POST the server may have read gets an "outcome unknown" error).

The contract for a network adapter (the SDK's own, httpx's own, any other under
``RetryTransport``): raise httpx exception types — ``ConnectError``/``ConnectTimeout``/
``PoolTimeout`` when no connection was obtained (nothing sent), ``ReadError``,
``RemoteProtocolError``, ``ReadTimeout``... after — and call :func:`mark_sent` when it knows
better than the type. An unmarked error of another type counts as sent.
"""

from __future__ import annotations

import ssl
import sys

import httpx

__all__ = [
    "ALPN_PROTOCOLS",
    "HTTPX_DEFAULT_LIMITS",
    "IDEMPOTENT_EXTENSION",
    "IDEMPOTENT_METHODS",
    "KEEPALIVE_EXPIRY",
    "READ_WHOLE_MAX",
    "RECEIVE_EXTENSION",
    "STREAM_CLOSED_BY_CLIENT",
    "ResponseCapExceeded",
    "cap_exceeded",
    "causes",
    "certificate_failure",
    "is_idempotent",
    "mark_sent",
    "may_retry_failure",
    "request_sent",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})

#: the request extension (``request.extensions[IDEMPOTENT_EXTENSION] = True``) by which the SDK
#: declares a request of a non-idempotent method idempotent in effect, e.g. the bulk upload: the
#: same bytes to the same paths leave the same files however often they arrive. The retry
#: policy reads it through :func:`is_idempotent` only.
IDEMPOTENT_EXTENSION = "daytona_idempotent"


def is_idempotent(request: httpx.Request) -> bool:
    """May ``request`` run more than once with the same effect: an idempotent method, or
    declared so with the request extension :data:`IDEMPOTENT_EXTENSION`?"""
    return (
        request.method in IDEMPOTENT_METHODS or request.extensions.get(IDEMPOTENT_EXTENSION) is True
    )


#: idle pooled connections are closed after this many seconds, well below the server's own
#: keep-alive timeout (5 s in Node and uvicorn), so the client does not send on a connection
#: the server is closing (a POST sent then may have been read, and cannot be sent again). The
#: client's idle clock starts when it releases the connection, which under load can be a
#: second or more after the server sent the response and started its own clock: hence 2 s,
#: not 4 (4 s lost one session POST in 200 under trio on a loaded machine).
KEEPALIVE_EXPIRY = 2.0

#: httpx's own defaults: httpcore's pool scans every connection for every queued request, so
#: many keep-alive connections cost far more CPU than they save (measured: 200 keep-alive
#: connections at concurrency 100 → 13 ms CPU per call, 20 → 2.5 ms; bench/transports.py)
HTTPX_DEFAULT_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_EXPIRY
)

#: the response extension under which a network transport may offer a cancel-safe read of a
#: streamed body (``async () -> bytes``: what has arrived, waiting for some when nothing has;
#: ``b""`` at the end; cancelled while it waits, it loses nothing). The log follower then reads
#: with a timeout per read instead of a task per read (``_streams.body_receiver``).
RECEIVE_EXTENSION = "daytona_async.receive"

#: a response body of known length up to this size is read whole by the network transport
#: before the response is returned (every JSON answer of the API): one step instead of httpx's
#: chunked stream machinery
READ_WHOLE_MAX = 256 * 1024

#: the message of the ``ReadError`` that ends a response still streaming when its transport is
#: closed
STREAM_CLOSED_BY_CLIENT = "the client was closed while this response was streaming"

_SENT_ATTR = "daytona_request_sent"

#: httpx errors raised before a connection was ready: nothing of the request went out
_NOTHING_SENT_TYPES: tuple[type[httpx.TransportError], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
)


def mark_sent(exc: BaseException, sent: bool) -> None:
    """Record on a transport error whether any byte of its request may have been sent."""
    setattr(exc, _SENT_ATTR, sent)


def request_sent(exc: BaseException) -> bool:
    """Whether any byte of the failed request may have reached the server.

    The adapter's record when it made one; otherwise decided by the httpx exception type
    (connect and pool failures: no); anything unknown counts as sent.
    """
    recorded = getattr(exc, _SENT_ATTR, None)
    if isinstance(recorded, bool):
        return recorded
    return not isinstance(exc, _NOTHING_SENT_TYPES)


#: what the SDK's own transports offer in the TLS handshake (they speak HTTP/1.1 only). Set on
#: every SSL context they use, a caller's too, as httpcore does on each connect: offering
#: ``h2`` on a context handed to an HTTP/1.1 client would let the server pick a protocol the
#: client does not speak.
ALPN_PROTOCOLS = ["http/1.1"]


class ResponseCapExceeded(httpx.RemoteProtocolError):
    """The response went past one of the SDK's caps (:mod:`._caps`, :mod:`._h1_wire`): ``cap``
    names which (``"head"``, ``"trailers"``, ``"body"``, ``"decoded"``, ``"expansion"``) and
    ``limit`` its value (bytes; for ``"expansion"`` the decoded/received ratio). Raised by the
    transports and the decoding layer; never retried (the same request gets the same answer);
    the SDK maps it to :class:`~daytona_async.ResponseTooLargeError`."""

    def __init__(self, cap: str, limit: float, detail: str) -> None:
        super().__init__(f"the response went past the {cap} cap of {limit:g}: {detail}")
        self.cap = cap
        self.limit = limit


def causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception behind it: its ``__cause__``/``__context__`` chain and the
    members of exception groups on it (trio reports each failed connect attempt in one), in
    that order, each once."""
    out: list[BaseException] = []
    seen: set[int] = set()
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        out.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        following = current.__cause__ or current.__context__
        if following is not None:
            todo.append(following)
    return out


def certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate verification failure behind ``exc`` (decided on the exception type the
    ``ssl`` module raises, in the chain), if any."""
    for cause in causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return cause
    return None


#: h11's own bound on a head or trailer section (``max_incomplete_event_size``, its default),
#: met under httpx's transport (``backend="httpx"``, proxied hosts)
H11_MAX_EVENT = 16 * 1024


def cap_exceeded(exc: BaseException) -> ResponseCapExceeded | None:
    """The cap an answer went past, behind ``exc``: one of the SDK's
    (:class:`ResponseCapExceeded`), or h11's bound on a head or trailers, which it raises as a
    ``RemoteProtocolError`` with ``error_status_hint`` 431 (decided on that type and attribute)."""
    if isinstance(exc, ResponseCapExceeded):
        return exc
    h11 = sys.modules.get("h11")  # not imported: the error cannot be h11's
    if h11 is None:
        return None
    for cause in causes(exc):
        if isinstance(cause, h11.RemoteProtocolError) and cause.error_status_hint == 431:
            return ResponseCapExceeded("head", H11_MAX_EVENT, "h11's bound on a head or trailers")
    return None


def may_retry_failure(exc: BaseException) -> bool:
    """Could sending again ever help? Not for a deterministic failure: a refused certificate,
    an answer past a cap."""
    if cap_exceeded(exc) is not None:
        return False
    return certificate_failure(exc) is None
