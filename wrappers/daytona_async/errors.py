"""The exceptions every wrapper method raises, and nothing else.

Hierarchy::

    DaytonaError
    ├── APIError                       something went wrong talking to the service
    │   ├── APIStatusError             the service answered with a non-2xx status
    │   │   ├── BadRequestError        400
    │   │   ├── AuthenticationError    401
    │   │   ├── PermissionDeniedError  403
    │   │   ├── NotFoundError          404
    │   │   ├── ConflictError          409
    │   │   ├── RateLimitError         429
    │   │   └── InternalServerError    5xx
    │   ├── APIConnectionError         no usable answer (connect failed, connection dropped, ...)
    │   │   ├── APITimeoutError        one HTTP request ran out of its timeout
    │   │   ├── TLSCertificateError    the server's TLS certificate was refused (not retried)
    │   │   ├── ResponseTooLargeError  the answer went past one of the SDK's caps (not retried)
    │   │   └── OutcomeUnknownError    a non-idempotent request may have run: not re-sent
    │   │       └── OutcomeUnknownTimeoutError   ... and it timed out (also APITimeoutError)
    │   └── APIResponseValidationError a 2xx whose body is not what the API documents
    ├── DeadlineExceeded               a whole operation ran out of its ``timeout=`` budget
    │                                  (also a ``TimeoutError``)
    ├── SandboxStateError              a sandbox reached ``error``/``build_failed`` (or another
    │                                  state it cannot leave) while we waited for it
    ├── SnapshotStateError             the same for a snapshot
    ├── ClientClosedError              a call on a client after ``aclose()``
    ├── InvalidArgumentError           refused before sending (also a ``ValueError``): empty,
    │                                  ``.`` or ``..`` ids, a ``/`` in a sandbox id, ...
    └── ConfigurationError             bad or missing credentials/settings (also a ``ValueError``)

Every error carries ``retries``: how many times the transport re-sent the request before
giving up (0 when it was not retried), also shown in the message.

This module is import-light on purpose (no httpx/anyio): ``except daytona_async.NotFoundError``
costs nothing.
"""

from __future__ import annotations

TYPE_CHECKING = False  # no ``import typing`` at runtime: keeps ``import daytona_async`` cheap
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ClientClosedError",
    "ConfigurationError",
    "ConflictError",
    "DaytonaError",
    "DeadlineExceeded",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "OutcomeUnknownError",
    "OutcomeUnknownTimeoutError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseTooLargeError",
    "SandboxStateError",
    "SnapshotStateError",
    "TLSCertificateError",
]


class DaytonaError(Exception):
    """Root of every exception raised by ``daytona_async``."""


class ConfigurationError(DaytonaError, ValueError):
    """Missing/contradictory credentials or settings, raised at construction."""


class InvalidArgumentError(DaytonaError, ValueError):
    """An argument refused before any request was sent (e.g. an id of ``""``, ``.`` or ``..``)."""


class ClientClosedError(DaytonaError, RuntimeError):
    """The client was closed (``aclose()`` or the end of its ``async with``); make a new one."""


class APIError(DaytonaError):
    """Something went wrong talking to the service.

    ``method``/``url`` are the request's (the URL with secrets redacted); ``retries`` is how
    many times it was re-sent before this error was raised.
    """

    def __init__(
        self, message: str, *, method: str | None = None, url: str | None = None, retries: int = 0
    ) -> None:
        self.message = message
        self.method = method
        self.url = url
        self.retries = retries
        super().__init__(message)

    def _where(self) -> str:
        parts = []
        if self.method and self.url:
            parts.append(f"{self.method} {self.url}")
        if self.retries:
            parts.append(f"after {self.retries} {'retry' if self.retries == 1 else 'retries'}")
        return f" ({', '.join(parts)})" if parts else ""

    def __str__(self) -> str:
        return f"{self.message}{self._where()}"


class APIConnectionError(APIError):
    """No usable answer: the connection could not be made, or it broke before a full response.

    ``cause`` is the underlying exception (httpx/OS), kept here rather than as the
    traceback's chain, which only repeats the message through three libraries.
    """

    cause: BaseException | None = None


class APITimeoutError(APIConnectionError):
    """One HTTP request exceeded its timeout (connect, read, write or pool)."""


class TLSCertificateError(APIConnectionError):
    """The server's TLS certificate was refused (untrusted issuer, self-signed, expired, wrong
    host name...): nothing was sent, and the SDK does not try again (the same certificate is
    refused the same way). ``reason`` is OpenSSL's verify message, e.g. ``"self-signed
    certificate"``. Pass ``verify=`` (a CA bundle path or an ``ssl.SSLContext``) for a private CA.
    """

    reason: str | None = None


class ResponseTooLargeError(APIConnectionError):
    """The server's answer went past one of the SDK's caps, so it was not read further: the
    connection is closed and the request is not sent again (the same request would get the
    same answer).

    ``cap`` names the cap, ``limit`` is its value:

    - ``"head"``: status line and headers, bytes; ``"trailers"``: the trailers of a chunked
      body (and any run of chunk framing without body bytes), bytes;
    - ``"body"``: a body read whole (not streamed), bytes as received;
    - ``"decoded"``: the same body after decompression (``Content-Encoding``), bytes;
    - ``"expansion"``: a streamed body's decompressed size over its received size (a
      decompression bomb; plain gzip/deflate never exceeds 1032).
    """

    def __init__(
        self,
        message: str,
        *,
        cap: str,
        limit: float,
        method: str | None = None,
        url: str | None = None,
        retries: int = 0,
    ) -> None:
        super().__init__(message, method=method, url=url, retries=retries)
        self.cap = cap
        self.limit = limit


class OutcomeUnknownError(APIConnectionError):
    """A non-idempotent request (POST/PATCH) failed after some of it may have reached the
    server: it may have run, or not. The SDK never sends such a request again by itself;
    check the state it would have changed (``method``/``url`` say which request it was)
    before repeating it.
    """


class OutcomeUnknownTimeoutError(OutcomeUnknownError, APITimeoutError):
    """An :class:`OutcomeUnknownError` whose request ran out of its timeout after sending."""


class APIResponseValidationError(APIError):
    """A 2xx response whose body does not match the documented schema. When it lacks a field
    this client requires (a later API version stopped sending it), ``model`` is the generated
    model's class name and ``field`` the field's JSON name (else both ``None``)."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: Any = None,
        method: str | None = None,
        url: str | None = None,
        retries: int = 0,
        model: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, method=method, url=url, retries=retries)
        self.status_code = status_code
        self.body = body
        self.model = model
        self.field = field


class APIStatusError(APIError):
    """The service answered with a non-2xx status.

    Attributes:
        status_code: the HTTP status.
        message: the service's message: the ``message`` of the API's (Nest) or the toolbox
            daemon's JSON error body (a list of validation messages is joined with ``"; "``),
            the inner message of the toolbox proxy's odd 400 shape, the bulk-upload
            ``errors`` list joined, or the plain-text body.
        body: the decoded JSON body (``dict``/``list``), else the text, else ``None``.
        error: the body's ``error`` (Nest) or ``code`` (daemon/runner) field, if any.
        method, url, retries: see :class:`APIError`.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: Any = None,
        error: str | None = None,
        method: str | None = None,
        url: str | None = None,
        retries: int = 0,
    ) -> None:
        super().__init__(message, method=method, url=url, retries=retries)
        self.status_code = status_code
        self.body = body
        self.error = error

    def __str__(self) -> str:
        return f"{self.status_code}: {self.message}{self._where()}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"


class BadRequestError(APIStatusError):
    """400."""


class AuthenticationError(APIStatusError):
    """401: the API key or JWT is missing, invalid or expired."""


class PermissionDeniedError(APIStatusError):
    """403: not allowed (missing permission, wrong organization, quota, suspended org...)."""


class NotFoundError(APIStatusError):
    """404."""


class ConflictError(APIStatusError):
    """409."""


class RateLimitError(APIStatusError):
    """429. ``retry_after`` is the server's ``Retry-After`` in seconds, if it sent one."""

    retry_after: float | None = None


class InternalServerError(APIStatusError):
    """Any 5xx."""


class DeadlineExceeded(DaytonaError, TimeoutError):
    """An operation ran out of the budget given by its ``timeout=``.

    ``operation`` names what was running; ``timeout`` is the budget in seconds.
    """

    def __init__(self, operation: str, timeout: float | None) -> None:
        self.operation = operation
        self.timeout = timeout
        budget = f"{timeout:g} s" if timeout is not None else "its"
        super().__init__(f"{operation} did not finish within {budget} deadline")


class SandboxStateError(DaytonaError):
    """A sandbox ended up in a state it cannot leave while we waited (``error``,
    ``build_failed``, or ``destroyed`` while waiting for something else).

    ``error_reason`` is the server's ``errorReason``.
    """

    def __init__(self, sandbox_id: str, state: str, error_reason: str | None) -> None:
        self.sandbox_id = sandbox_id
        self.state = state
        self.error_reason = error_reason
        reason = f": {error_reason}" if error_reason else ""
        super().__init__(f"sandbox {sandbox_id} is {state}{reason}")


class SnapshotStateError(DaytonaError):
    """A snapshot ended up in ``error``/``build_failed`` while we waited for it."""

    def __init__(self, snapshot_id: str, state: str, error_reason: str | None) -> None:
        self.snapshot_id = snapshot_id
        self.state = state
        self.error_reason = error_reason
        reason = f": {error_reason}" if error_reason else ""
        super().__init__(f"snapshot {snapshot_id} is {state}{reason}")


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The :class:`APIStatusError` subclass for a status code."""
    cls = _STATUS_CLASSES.get(status_code)
    if cls is not None:
        return cls
    if status_code >= 500:
        return InternalServerError
    return APIStatusError
