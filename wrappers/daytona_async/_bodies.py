"""Request bodies the transport may send more than once.

A body is *replayable* when every attempt can produce the same bytes again from the start:
bytes in memory (``httpx.ByteStream``), httpx's multipart bodies, and :class:`ReplayableStream`
(a body re-opened from its source — a local path, bytes, a seekable file — for each attempt).
A one-shot async iterator is not: once a byte of it went out, it cannot be sent again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx

__all__ = ["ReplayableStream"]


class ReplayableStream(httpx.AsyncByteStream):
    """A streamed request body whose every iteration starts over from its source.

    ``open_chunks`` is called once per attempt and yields that attempt's chunks; ``length`` is
    the total size when known (it becomes ``Content-Length``).
    """

    __slots__ = ("_open", "length")

    def __init__(
        self, open_chunks: Callable[[], AsyncIterator[bytes]], length: int | None = None
    ) -> None:
        self._open = open_chunks
        self.length = length

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._open():
            yield chunk
