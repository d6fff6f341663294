"""``ClientContext``: the internal API every part of the SDK builds on.

One :class:`ClientContext` per :class:`~daytona_async.AsyncDaytona`, shared by the client, its
sandboxes, its resources and the toolbox layer (``sandbox.fs``/``process``/``git``/``lsp``).
It holds:

- ``http`` — the one ``httpx.AsyncClient`` (base URL = the API URL, e.g.
  ``https://app.daytona.io/api``; auth headers set; transport = :class:`RetryTransport`);
- ``api`` — the generated ``daytona_api.AuthenticatedClient`` bound to ``http``;
- ``organization_id`` — sent as ``X-Daytona-Organization-ID`` in JWT mode (already a default
  header of ``http``: nothing to add per call);
- ``timeout`` — the default per-request ``httpx.Timeout``; ``read_timeout`` its read part;
- ``target`` — the default region.

How to make requests (all of these raise only :mod:`daytona_async.errors` types):

``await ctx.call(endpoint, *args, deadline=None, timeout=None, policy=None, **kwargs)``
    Run a generated endpoint's ``asyncio_detailed`` (pass the function, or the module) with
    ``client=ctx.api``; ``args`` are its path parameters, refused before sending when ``""``,
    ``"."`` or ``".."``. A closed client raises :class:`~daytona_async.ClientClosedError`.
    The whole call (retries and backoff included) is bounded by ``deadline`` (a
    :class:`Deadline`) or else ``timeout`` seconds, or else
    ``ctx.call_timeout``; each attempt's httpx timeouts are clamped to the budget left.
    Returns the generated ``Response`` (``.parsed`` is the model) for a 2xx; a non-2xx raises
    the matching :class:`~daytona_async.APIStatusError` subclass.

``await ctx.call_parsed(endpoint, *args, expect=Model, ...)``
    Same, returning ``.parsed`` checked to be an instance of ``expect`` (else
    :class:`~daytona_async.APIResponseValidationError`).

``await ctx.request(method, url, *, deadline=None, timeout=None, **httpx_kwargs)``
    A hand-written request on the shared client (``url`` relative to the API URL, e.g.
    ``"/toolbox/{id}/toolbox/files"`` — build it with :meth:`ClientContext.path`). The body is
    read; non-2xx raises.

Streamed requests (downloads, follow logs) are sent by the generated endpoints'
``asyncio_stream()`` through ``_streams.endpoint_stream`` on :meth:`send_bounded`, their status
checked before the body is read.

``ctx.raise_for_status(response)``
    Turn any non-2xx ``httpx.Response`` (already read) into a typed error. Understands the
    API (Nest) body ``{statusCode, message (str or list), error}``, the toolbox daemon body
    ``{statusCode, message, code}``, the toolbox proxy's odd 400
    ``{"response": {...}, "message": ...}``, bulk upload's ``{"errors": [...]}``, and plain
    text.

``ctx.map_exception(exc, deadline=None)``
    Any exception from httpx/the generated code → a :class:`~daytona_async.DaytonaError`.

``ctx.deadline(timeout, operation)`` — a new :class:`Deadline` (``timeout=None``: unbounded).
``ctx.path("/sandbox/{id}/start", id=value)`` — validates each value as an id (refuses
``""``, ``"."``, ``".."``) and percent-encodes it.

Retry policy for a single call: pass ``policy=RetryPolicy(...)`` (see
:mod:`daytona_async._transport`; creates use ``_create_once.lookup_first_policy``).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar, cast
from urllib.parse import quote

import httpx

from ._deadline import Deadline
from ._error_map import connection_error
from ._logging import redact
from ._transport import RequestState, RetryPolicy, RetryTransport, request_state
from ._validation import validate_id
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    ClientClosedError,
    DaytonaError,
    InvalidArgumentError,
    RateLimitError,
    status_error_class,
)

if TYPE_CHECKING:
    from daytona_api import AuthenticatedClient
    from daytona_api.types import Response

__all__ = ["ClientContext", "Deadline", "RetryPolicy", "error_from_body"]

T = TypeVar("T")


def error_from_body(
    status_code: int,
    content: bytes,
    *,
    content_type: str | None = None,
    reason: str | None = None,
    method: str | None = None,
    url: str | None = None,
    retries: int = 0,
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the typed error for a non-2xx answer from its raw body (any of the known shapes)."""
    body: Any = None
    message: str | None = None
    error: str | None = None
    text = content.decode("utf-8", errors="replace") if content else ""
    if text and (content_type is None or "json" in content_type or text[:1] in "{["):
        try:
            body = json.loads(text)
        except ValueError:
            body = None
    if isinstance(body, dict):
        errors = body.get("errors")
        raw_msg = body.get("message")
        inner = body.get("response")
        if isinstance(inner, dict) and inner.get("message") is not None:
            raw_msg = inner.get("message")  # the toolbox proxy's odd 400 shape
            error = _str_or_none(inner.get("error"))
        if raw_msg is None and isinstance(errors, list):
            raw_msg = errors
        if isinstance(raw_msg, list):
            message = "; ".join(str(m) for m in raw_msg)
        elif raw_msg is not None:
            message = str(raw_msg)
        error = error or _str_or_none(body.get("error")) or _str_or_none(body.get("code"))
        if not message:
            message = error
    elif isinstance(body, list):
        message = "; ".join(str(m) for m in body)
    elif isinstance(body, str):
        message = body
    if body is None and text:
        body = text  # the whole page stays on ``err.body``; the message gets its first line
        message = _first_line(text, content_type, reason)
    if not message:
        message = reason or f"HTTP {status_code}"
    cls = status_error_class(status_code)
    err = cls(
        redact(message),
        status_code=status_code,
        body=body,
        error=error,
        method=method,
        url=redact(url) if url else url,
        retries=retries,
    )
    if isinstance(err, RateLimitError):
        err.retry_after = retry_after
    return err


_FIRST_LINE_MAX = 200


def _first_line(text: str, content_type: str | None, reason: str | None) -> str:
    """A short message from a non-JSON error body (a proxy's HTML page, plain text): its first
    non-blank line of text, HTML tags stripped, at most 200 characters, after the reason
    phrase unless the line already says it (``Bad Gateway: upstream timed out``)."""
    if (content_type and "html" in content_type) or text.lstrip()[:1] == "<":
        text = _html_text(text)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) > _FIRST_LINE_MAX:
        line = line[: _FIRST_LINE_MAX - 1].rstrip() + "…"
    if reason and reason.lower() not in line.lower():
        return f"{reason}: {line}" if line else reason
    return line


def _html_text(page: str) -> str:
    """The text of an HTML page, one line per block, without tags, scripts or styles."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.hidden = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in ("script", "style"):
                self.hidden += 1
            self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style") and self.hidden:
                self.hidden -= 1
            self.parts.append("\n")

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(" ".join(data.split()))

    parser = _Text()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class ClientContext:
    """Shared state of one client: the HTTP pool, the generated client and the call helpers.

    See the module docstring for the API. Created by :class:`~daytona_async.AsyncDaytona`;
    not meant to be built by users.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        api: AuthenticatedClient,
        api_url: str,
        organization_id: str | None,
        target: str | None,
        timeout: httpx.Timeout,
        transport: RetryTransport | None,
        max_retries: int,
    ) -> None:
        self.http = http
        self.api = api
        self.api_url = api_url
        self.organization_id = organization_id
        self.target = target
        self.timeout = timeout
        self.transport = transport
        self.max_retries = max_retries
        # a 404 from a base URL that does not end in /api most likely means a wrong api_url
        self.url_hint: str | None = (
            None
            if api_url.rstrip("/").endswith("/api")
            else f"api_url is {api_url!r}: the Daytona API is served under /api "
            "(e.g. https://app.daytona.io/api); is the URL right?"
        )
        #: set by ``AsyncDaytona.aclose()``: every later call raises ClientClosedError
        self.closed = False
        self.read_timeout: float | None = timeout.read
        # overall budget of one call made without an explicit deadline/timeout: every
        # attempt's read timeout, plus room for backoff and Retry-After
        per_attempt = (timeout.read or 60.0) + (timeout.connect or 0.0)
        self.call_timeout: float = per_attempt * (max_retries + 1) + 30.0

    # -- helpers -----------------------------------------------------------------------

    def deadline(self, timeout: float | None, operation: str = "operation") -> Deadline:
        """A new :class:`Deadline` ``timeout`` seconds from now (``None``: unbounded)."""
        return Deadline(timeout, operation)

    @staticmethod
    def path(template: str, **params: str) -> str:
        """``template`` with each ``{name}`` replaced by the validated, percent-encoded value."""
        encoded = {
            k: quote(validate_id(v, k, allow_slash=True), safe="") for k, v in params.items()
        }
        return template.format(**encoded)

    @property
    def is_closed(self) -> bool:
        """Was the client (or a user's own httpx client under it) closed?"""
        return self.closed or self.http.is_closed

    def check_open(self) -> None:
        """Raise :class:`ClientClosedError` once the client is closed."""
        if self.is_closed:
            raise _client_closed()

    def _resolve_deadline(
        self, deadline: Deadline | None, timeout: float | None, operation: str
    ) -> Deadline:
        if deadline is not None:
            if timeout is not None:
                return deadline.child(timeout)
            return deadline
        return Deadline(self.call_timeout if timeout is None else timeout, operation)

    # -- generated endpoints -----------------------------------------------------------

    async def send_bounded(
        self,
        send: Callable[[], Awaitable[T]],
        dl: Deadline,
        *,
        policy: RetryPolicy | None = None,
        stream: bool = False,
        head_timeout: float | None = None,
    ) -> tuple[T, RequestState]:
        """Await ``send()`` (one request through the shared client) under ``dl``: the transport
        sees the deadline and ``policy`` through :data:`request_state`; failures become typed
        errors and a spent budget :class:`DeadlineExceeded`. ``head_timeout`` bounds each
        attempt's wait for the response head (``stream``: release the concurrency token then).
        Returns the response and the transport's report (retries, last method/URL,
        Retry-After)."""
        self.check_open()
        state = RequestState(deadline=dl, policy=policy, stream=stream, head_timeout=head_timeout)
        token = request_state.set(state)
        try:
            async with dl.bound() as bound:
                response = await send()
        except DaytonaError:
            raise
        except Exception as exc:
            raise_mapped(self.map_exception(exc, dl, state), exc)
        finally:
            request_state.reset(token)
        if bound.expired:
            raise dl.exceeded()
        return response, state

    async def call(
        self,
        endpoint: Any,
        *args: Any,
        deadline: Deadline | None = None,
        timeout: float | None = None,
        policy: RetryPolicy | None = None,
        **kwargs: Any,
    ) -> Response[Any]:
        """Run ``endpoint.asyncio_detailed(*args, client=self.api, **kwargs)`` under the
        deadline; return the generated ``Response`` of a 2xx, raise a typed error otherwise."""
        fn: Callable[..., Awaitable[Response[Any]]] = getattr(
            endpoint, "asyncio_detailed", endpoint
        )
        _check_path_args(args)
        name = getattr(fn, "__module__", "call").rsplit(".", 1)[-1]
        dl = self._resolve_deadline(deadline, timeout, name)
        response, state = await self.send_bounded(
            lambda: fn(*args, client=self.api, **kwargs), dl, policy=policy
        )
        status = int(response.status_code)
        if not 200 <= status < 300:
            headers = response.headers
            err = error_from_body(
                status,
                response.content,
                content_type=headers.get("content-type"),
                method=state.method,
                url=state.url,
                retries=state.retries,
                retry_after=state.retry_after,
            )
            if status == 404 and self.url_hint:
                err.add_note(redact(self.url_hint))
            raise err
        return response

    async def call_parsed(
        self,
        endpoint: Any,
        *args: Any,
        expect: type[T] | tuple[type[Any], ...],
        deadline: Deadline | None = None,
        timeout: float | None = None,
        policy: RetryPolicy | None = None,
        **kwargs: Any,
    ) -> T:
        """:meth:`call`, returning ``.parsed`` checked against ``expect`` (a class, or a tuple
        of classes — e.g. ``(list,)`` for list responses)."""
        response = await self.call(
            endpoint, *args, deadline=deadline, timeout=timeout, policy=policy, **kwargs
        )
        parsed = response.parsed
        if not isinstance(parsed, expect):
            raise APIResponseValidationError(
                f"unexpected response body for HTTP {int(response.status_code)}",
                status_code=int(response.status_code),
                body=_safe_json(response.content),
            )
        return cast(T, parsed)

    # -- hand-written requests ---------------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        deadline: Deadline | None = None,
        timeout: float | None = None,
        policy: RetryPolicy | None = None,
        **httpx_kwargs: Any,
    ) -> httpx.Response:
        """A request on the shared client, body read, status checked (non-2xx raises)."""
        dl = self._resolve_deadline(deadline, timeout, f"{method} {url}")
        response, state = await self.send_bounded(
            lambda: self.http.request(method, url, **httpx_kwargs), dl, policy=policy
        )
        self.raise_for_status(response, retries=state.retries, retry_after=state.retry_after)
        return response

    # -- errors ------------------------------------------------------------------------

    def raise_for_status(
        self,
        response: httpx.Response,
        *,
        retries: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Raise the typed error for a non-2xx (already read) ``httpx.Response``."""
        if response.is_success:
            return
        if retries is None:
            retries = int(response.extensions.get("daytona_retries", 0))
        raise error_from_body(
            response.status_code,
            response.content,
            content_type=response.headers.get("content-type"),
            reason=response.reason_phrase,
            method=response.request.method,
            url=str(response.request.url),
            retries=retries,
            retry_after=retry_after,
        )

    def map_exception(
        self,
        exc: BaseException,
        deadline: Deadline | None = None,
        state: RequestState | None = None,
    ) -> DaytonaError:
        """Map an exception from httpx or the generated code to a :class:`DaytonaError`."""
        if isinstance(exc, DaytonaError):
            return exc
        if isinstance(exc, RuntimeError) and self.is_closed:
            return _client_closed()
        method = state.method if state else None
        url = redact(state.url) if state and state.url else None
        retries = state.retries if state else 0
        if isinstance(exc, httpx.TimeoutException):
            if deadline is not None and deadline.remaining() <= 0.005:
                return deadline.exceeded()
        if isinstance(exc, (httpx.HTTPError, httpx.StreamError)):
            return connection_error(exc, method=method, url=url, retries=retries)
        if state is not None and state.method is None:
            # nothing was sent: the arguments were refused while building the request
            return InvalidArgumentError(f"{type(exc).__name__}: {redact(str(exc))}")
        from daytona_api.types import MissingFieldError  # (only on this error path)

        if isinstance(exc, MissingFieldError):  # a required field a later API no longer sends
            return APIResponseValidationError(
                f"could not parse the response: {exc}",
                method=method,
                url=url,
                retries=retries,
                model=exc.model,
                field=exc.field,
            )
        return APIResponseValidationError(
            f"could not parse the response: {type(exc).__name__}: {redact(str(exc))}",
            method=method,
            url=url,
            retries=retries,
        )


def raise_mapped(mapped: DaytonaError, exc: BaseException) -> NoReturn:
    """Raise ``mapped`` (the typed error for ``exc``). A connection failure is raised without its
    chain (the socket error wrapped by aiohttp wrapped by httpx: dozens of traceback lines saying
    nothing more than the message); the original stays on ``mapped.cause``."""
    if isinstance(mapped, (APIConnectionError, ClientClosedError)):
        if isinstance(mapped, APIConnectionError):
            mapped.cause = exc
        raise mapped from None
    raise mapped from exc


def _client_closed() -> ClientClosedError:
    return ClientClosedError(
        "this AsyncDaytona client is closed (aclose() or the end of its 'async with'); "
        "create a new client"
    )


def _check_path_args(args: tuple[object, ...]) -> None:
    # the generated endpoints take their path parameters positionally: refuse "", "." and ".."
    # (httpx would drop them as dot segments and hit another endpoint) before anything is sent
    for value in args:
        if isinstance(value, str):
            validate_id(value, "path parameter", allow_slash=True)


def _safe_json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")
