"""The one module that reads private attributes of httpx and httpcore.

Each read is small, falls back to "unknown" when an attribute is gone, and is pinned by
``tests/client/test_internals.py`` against the installed versions (a release that renames one
fails that test, not a user's call):

- httpx's multipart request body class (``httpx._multipart.MultipartStream``), which
  re-renders its parts on every iteration and so may be sent again;
- what ``content=`` an httpx request body was built from (``AsyncIteratorByteStream._stream``:
  httpx wraps every async iterable, a :class:`~daytona_async._bodies.ReplayableStream` too);
- an ``httpx.AsyncClient``'s transport (``_transport``);
- pool statistics: httpx's transport's httpcore pool (``_pool``);
- the TCP transport under an asyncio TLS transport (``_ssl_protocol._transport``): the bytes
  still to send are in its buffer, which the TLS transport's ``get_write_buffer_size()`` leaves
  out (:func:`tls_inner_transport`);
- the content of an ``httpx.Response`` (``_content``), set by the transports that read a small
  body whole (:func:`preset_content`).
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "body_source",
    "client_transport",
    "httpx_pool_stats",
    "is_multipart",
    "preset_content",
    "tls_inner_transport",
]

# httpx is pinned below 0.29 in pyproject.toml; a rename fails at import and in the pin test
from httpx._content import AsyncIteratorByteStream
from httpx._multipart import MultipartStream as _MultipartStream


def is_multipart(stream: object) -> bool:
    """Is ``stream`` httpx's multipart body (re-rendered from its fields on each iteration)?"""
    return isinstance(stream, _MultipartStream)


def body_source(stream: object) -> object:
    """The object an httpx request body streams from: what was passed as ``content=`` when
    httpx wrapped it, else the stream itself."""
    if isinstance(stream, AsyncIteratorByteStream):
        return getattr(stream, "_stream", stream)
    return stream


def client_transport(client: httpx.AsyncClient) -> httpx.AsyncBaseTransport | None:
    """The transport an ``httpx.AsyncClient`` sends through (``None`` if it cannot be read)."""
    transport = getattr(client, "_transport", None)
    return transport if isinstance(transport, httpx.AsyncBaseTransport) else None


def httpx_pool_stats(transport: httpx.AsyncHTTPTransport) -> dict[str, int]:
    """``{"in_use", "idle"}`` connections of httpx's transport (httpcore's pool)."""
    pool: Any = getattr(transport, "_pool", None)
    connections = getattr(pool, "connections", None)
    if connections is None:
        return {"in_use": -1, "idle": -1}
    conns = list(connections)
    idle = sum(1 for c in conns if c.is_idle())
    return {"in_use": len(conns) - idle, "idle": idle}


def preset_content(response: httpx.Response, body: bytes) -> None:
    """Give ``response`` its already-read body as ``.content``, as ``read()`` would, without
    running it through httpx's decoder and chunker machinery (a tenth of a typed GET's CPU).
    Only for a body without ``Content-Encoding`` (the bytes are the content). The stream is
    left unconsumed, so ``aiter_raw()`` still works."""
    response._content = body


def tls_inner_transport(transport: object) -> Any:
    """The transport an asyncio TLS transport writes its records to (``None`` for a plain one,
    or if it cannot be read): what it holds is part of what is still to send."""
    protocol = getattr(transport, "_ssl_protocol", None)
    inner = getattr(protocol, "_transport", None)
    return inner if callable(getattr(inner, "get_write_buffer_size", None)) else None
