"""The sans-IO core of the SDK's HTTP/1.1 client: bytes in, bytes out, no sockets, no event loop.

Shared by the asyncio driver (:mod:`._h1_asyncio`) and any other one (trio): each owns its
sockets, timeouts and pool, and asks this module only what to write and what the bytes it read
mean.

- :func:`request_head` renders the request line and headers of an ``httpx.Request`` as httpx
  built them (``Host``, ``Content-Length`` / ``Transfer-Encoding`` are already there);
  :func:`body_framing` says how its body goes on the wire; :func:`encode_chunk` and
  :data:`LAST_CHUNK` frame a chunked one.
- :class:`ResponseParser` parses one response with llhttp (through ``httptools``, the binding
  uvicorn uses): status, headers, body bytes as they arrive, the end of the message, and
  whether the connection may carry another request.

Errors are httpx's: a malformed response, or a connection closed before the response ended,
is ``httpx.RemoteProtocolError``; a request that cannot be written is
``httpx.LocalProtocolError``.
"""

from __future__ import annotations

from typing import Literal

import httptools
import httpx

from ._wire import ResponseCapExceeded

__all__ = [
    "LAST_CHUNK",
    "MAX_HEAD_SIZE",
    "MAX_TRAILER_SIZE",
    "ResponseParser",
    "body_framing",
    "encode_chunk",
    "request_head",
]

#: the end of a chunked request body (no trailers)
LAST_CHUNK = b"0\r\n\r\n"
#: a response whose head (status line and headers) is longer than this is refused: llhttp sets
#: no limit, and a server streaming headers forever would otherwise grow memory without bound
MAX_HEAD_SIZE = 1024 * 1024
#: after the head, this many bytes in a row that carry no body byte (the trailers of a chunked
#: body, an endless chunk extension) are refused: llhttp buffers a trailer's value whole, and
#: trailers could otherwise stream forever
MAX_TRAILER_SIZE = 64 * 1024

Framing = Literal["none", "length", "chunked"]


def request_head(request: httpx.Request) -> bytes:
    """The request line (method, raw path and query) and headers of ``request``, ending with
    the blank line. ``httpx.LocalProtocolError`` if a header name or value holds a line break
    (it would split the head: header injection)."""
    raw = request.headers.raw
    try:
        method = request.method.encode("ascii")
    except UnicodeEncodeError:
        raise httpx.LocalProtocolError(
            f"the request method {request.method!r} is not ASCII", request=request
        ) from None
    head = b"".join(
        [
            method,
            b" ",
            request.url.raw_path,
            b" HTTP/1.1\r\n",
            *[b"%s: %s\r\n" % (name, value) for name, value in raw],
            b"\r\n",
        ]
    )
    # one line per header plus the request line and the blank line: any other CR or LF came
    # from the method, the target or a header (one C-level count instead of a scan per header)
    lines = len(raw) + 2
    if head.count(b"\n") != lines or head.count(b"\r") != lines or b"\0" in head:
        raise httpx.LocalProtocolError(
            "a request header name or value contains a line break or NUL", request=request
        )
    return head


def body_framing(request: httpx.Request) -> Framing:
    """How the request body goes on the wire: ``"chunked"`` (``Transfer-Encoding: chunked``:
    each piece through :func:`encode_chunk`, then :data:`LAST_CHUNK`), ``"length"`` (a
    ``Content-Length``: the bytes as they are) or ``"none"`` (no body)."""
    headers = request.headers
    encoding = headers.get("transfer-encoding")
    if encoding is not None and "chunked" in encoding.lower():
        return "chunked"
    if "content-length" in headers:
        return "length"
    return "none"


def encode_chunk(data: bytes) -> bytes:
    """One HTTP chunk holding ``data``; ``b""`` for empty data (an empty chunk would end the
    body)."""
    if not data:
        return b""
    return b"%x\r\n%s\r\n" % (len(data), data)


class _Stop(Exception):
    """Raised from a parser callback to stop llhttp at bytes past the end of the response."""


class ResponseParser:
    """One HTTP/1.1 response, fed the bytes read from the connection.

    Attributes, valid once ``head_complete``: ``status``, ``headers`` (raw ``(name, value)``
    pairs as received), ``content_length`` (``None`` if absent), ``keep_alive`` (may the
    connection carry another request once the response is ``complete``). Body bytes pile up
    until :meth:`take_body`; ``buffered`` counts them.

    A response to ``HEAD``, and 204 and 304 responses, have no body; 1xx informational
    responses (``100 Continue``) are skipped. Bytes received after the end of the response
    (nothing may follow it: the client sends one request at a time) are dropped and make the
    connection non-reusable. The ``on_*`` methods are llhttp's callbacks, not API.
    """

    __slots__ = (
        "_body",
        "_chunked",
        "_head_only",
        "_head_size",
        "_parser",
        "_received",
        "_stopped",
        "_without_body",
        "buffered",
        "complete",
        "content_length",
        "head_complete",
        "headers",
        "keep_alive",
        "status",
    )

    def __init__(self, method: str) -> None:
        self._head_only = method == "HEAD"
        self._parser = httptools.HttpResponseParser(self)
        self._body: list[bytes] = []
        self._chunked = False
        self._head_size = 0
        self._stopped = False
        self._received = 0  # body bytes, ever
        self._without_body = 0  # bytes fed in a row after the head without a body byte
        self.buffered = 0
        self.complete = False
        self.content_length: int | None = None
        self.head_complete = False
        self.headers: list[tuple[bytes, bytes]] = []
        self.keep_alive = False
        self.status = 0

    # -- driver API ----------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Parse ``data``, the next bytes read from the connection.
        ``httpx.RemoteProtocolError`` if they are not a valid HTTP/1.1 response."""
        if self.complete:
            self._past_end()
            return
        body_before = -1
        if not self.head_complete:
            self._head_size += len(data)
            if self._head_size > MAX_HEAD_SIZE:
                raise ResponseCapExceeded(
                    "head", MAX_HEAD_SIZE, f"a response head longer than {MAX_HEAD_SIZE} bytes"
                )
        else:
            body_before = self._received
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade as exc:
            raise httpx.RemoteProtocolError(
                "the server switched protocols (upgrade): not supported"
            ) from exc
        except httptools.HttpParserError as exc:
            if self._stopped:  # bytes past the end: the response itself was fine
                return
            raise httpx.RemoteProtocolError(f"malformed HTTP response: {exc}") from exc
        if body_before >= 0 and not self.complete:
            if self._received != body_before:
                self._without_body = 0
            else:
                self._without_body += len(data)
                if self._without_body > MAX_TRAILER_SIZE:
                    raise ResponseCapExceeded(
                        "trailers",
                        MAX_TRAILER_SIZE,
                        f"more than {MAX_TRAILER_SIZE} bytes of trailers or chunk framing",
                    )

    def feed_eof(self) -> None:
        """The server closed the connection. Ends a body delimited by the close (no length,
        not chunked); ``httpx.RemoteProtocolError`` if the response was not complete."""
        self.keep_alive = False
        if self.complete:
            return
        if self.head_complete and self.content_length is None and not self._chunked:
            self.complete = True
            return
        if self.head_complete or self._head_size:
            raise httpx.RemoteProtocolError("connection closed mid-response")
        raise httpx.RemoteProtocolError("connection closed before any response")

    def take_body(self) -> bytes:
        """All body bytes parsed so far, joined; the buffer is emptied."""
        body = self._body
        if not body:
            return b""
        self._body = []
        self.buffered = 0
        return body[0] if len(body) == 1 else b"".join(body)

    # -- llhttp callbacks ----------------------------------------------------------------

    def _past_end(self) -> None:
        self.keep_alive = False
        self._stopped = True

    def on_message_begin(self) -> None:
        if self.complete:
            self._past_end()
            raise _Stop
        # a new message after a 1xx: forget the informational one
        self.headers = []
        self.content_length = None
        self._chunked = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if self.head_complete:
            return  # a trailer (counted in feed): not kept
        self.headers.append((name, value))
        size = len(name)
        if size == 14 and name.lower() == b"content-length":
            # llhttp has validated it (digits only, no conflicting duplicates)
            self.content_length = int(value)
        elif size == 17 and name.lower() == b"transfer-encoding":
            self._chunked = b"chunked" in value.lower()

    def on_headers_complete(self) -> None:
        parser = self._parser
        status = parser.get_status_code()
        self.status = status
        if status < 200:
            return  # 1xx: llhttp ends it here (no body), the real response follows
        self.head_complete = True
        self.keep_alive = parser.should_keep_alive()
        if self._head_only:
            # llhttp would wait for the Content-Length bytes a HEAD response never sends
            self.complete = True
        elif status == 204 or status == 304:
            self.content_length = None

    def on_body(self, body: bytes) -> None:
        if self.complete:  # HEAD: nothing may follow the head
            self._past_end()
            raise _Stop
        self._body.append(body)
        size = len(body)
        self.buffered += size
        self._received += size

    def on_message_complete(self) -> None:
        if not self.head_complete:
            return  # the end of a 1xx response
        self.complete = True
