"""Unit tests of the streaming machinery (_streams): decoding, NUL stripping, line splitting,
and follow_bytes (resume by offset, end detection) over fake streams."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import anyio
import anyio.lowlevel
import httpx
import pytest
from daytona_async._streams import (
    DECODE_PIECE,
    RECEIVE_EXTENSION,
    FollowOptions,
    FollowStats,
    LineSplitter,
    Utf8Decoder,
    body_receiver,
    decode_text,
    follow_bytes,
    strip_nul,
)
from daytona_async.errors import APIConnectionError

pytestmark = pytest.mark.anyio

#: read the fake body through its iterator, or through the transport's cancel-safe receive
RECEIVABLE = pytest.mark.parametrize("receivable", [False, True], ids=["iterator", "receive"])

TEXT = "héllo wörld — 你好，世界 🙂🚀 ok\nline two ✓\n\nlast 𝄞 no newline"
DATA = TEXT.encode()


def test_strip_nul() -> None:
    assert strip_nul(b"abc") == b"abc"
    assert strip_nul(b"a\x00b\x00\x00") == b"ab"
    assert strip_nul(b"\x00" * 1024) == b""


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13, 1024])
def test_decoder_split_multibyte(size: int) -> None:
    dec = Utf8Decoder()
    out = "".join(dec.decode(DATA[i : i + size]) for i in range(0, len(DATA), size))
    assert out + dec.flush() == TEXT


def test_decoder_random_splits_with_nul_padding() -> None:
    rng = random.Random(7)
    for _ in range(200):
        # the daemon's framing: each message padded with NULs to 1024 bytes, cut anywhere
        pieces: list[bytes] = []
        i = 0
        while i < len(DATA):
            n = rng.randint(1, 9)
            pieces.append(DATA[i : i + n] + b"\x00" * rng.randint(0, 5))
            i += n
        dec = Utf8Decoder()
        out = "".join(dec.decode(strip_nul(p)) for p in pieces) + dec.flush()
        assert out == TEXT


def test_decoder_invalid_bytes_replaced() -> None:
    dec = Utf8Decoder()
    assert dec.decode(b"a\xffb") == "a\ufffdb"
    assert dec.decode(b"\xe4\xbd") == ""  # incomplete: kept
    assert dec.flush() == "\ufffd"


def test_line_splitter() -> None:
    s = LineSplitter()
    assert s.feed("ab") == []
    assert s.feed("c\r\nde\nf") == ["abc", "de"]
    assert s.feed("\n\n") == ["f", ""]
    assert s.feed("tail") == []
    assert s.flush() == ["tail"]
    assert s.flush() == []


async def _chunks(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


@pytest.mark.parametrize("size", [1, 3, 7])
async def test_decode_text_pieces_and_lines(size: int) -> None:
    text = "".join([t async for t in decode_text(_chunks(DATA, size))])
    assert text == TEXT
    lines = [t async for t in decode_text(_chunks(DATA, size), lines=True)]
    assert lines == TEXT.split("\n")


def test_line_splitter_cr_and_long_line_across_pieces() -> None:
    s = LineSplitter()
    assert s.feed("a\r") == []
    assert s.feed("\nb") == ["a"]
    for _ in range(1000):
        assert s.feed("x") == []
    assert s.feed("\r\n") == ["b" + "x" * 1000]
    assert s.flush() == []


async def _one(data: bytes) -> AsyncIterator[bytes]:
    yield data


@pytest.mark.parametrize("shift", [0, 1, 2, 3])
async def test_decode_text_big_chunk_split_inside_characters(shift: int) -> None:
    # one chunk several decode pieces long, whose piece boundaries fall inside 2-, 3- and
    # 4-byte characters: the text comes out whole, in pieces, none empty
    text = "a" * shift + "é你🙂\n" * (3 * DECODE_PIECE // 10)
    pieces = [t async for t in decode_text(_one(text.encode()))]
    assert "".join(pieces) == text
    assert len(pieces) > 2 and all(pieces)
    lines = [t async for t in decode_text(_one(text.encode()), lines=True)]
    assert lines == text.split("\n")[:-1]


# -- follow_bytes over fake streams ----------------------------------------------------------


class FakeLog:
    """A growing log served like the daemon: every connection replays it from the start,
    in NUL-padded messages, and never ends by itself (unless ``end_on_exit``)."""

    def __init__(self, *, end_on_exit: bool = False, msg: int = 16, batch: int = 1) -> None:
        self.data = bytearray()
        self.exited = False
        self.end_on_exit = end_on_exit
        self.msg = msg
        self.batch = batch  # messages per chunk (a transport that hands over all it buffered)
        self.cut_after: list[int] = []  # per connection: cut after this many raw bytes
        self.connections = 0
        self.changed = anyio.Event()

    def write(self, data: bytes) -> None:
        self.data += data
        self.changed.set()
        self.changed = anyio.Event()

    def exit(self) -> None:
        self.exited = True
        self.changed.set()
        self.changed = anyio.Event()

    async def body(self, cut: int | None) -> AsyncIterator[bytes]:
        pos = 0
        sent = 0
        while True:
            if pos < len(self.data):
                raw = b""
                for _ in range(self.batch):
                    piece = bytes(self.data[pos : pos + self.msg])
                    if not piece:
                        break
                    pos += len(piece)
                    raw += piece + b"\x00" * (self.msg - len(piece))
                if cut is not None and sent + len(raw) > cut:
                    yield raw[: cut - sent]
                    raise httpx.RemoteProtocolError("peer closed connection")
                sent += len(raw)
                yield raw
                await anyio.lowlevel.checkpoint()
                continue
            if self.exited and self.end_on_exit:
                return
            await self.changed.wait()

    async def open(self) -> httpx.Response:
        cut = self.cut_after[self.connections] if self.connections < len(self.cut_after) else None
        self.connections += 1
        return httpx.Response(200, content=self.body(cut))

    async def open_receivable(self) -> httpx.Response:
        """The same log from a transport that offers a cancel-safe receive (the response's own
        iterator fails if used)."""
        cut = self.cut_after[self.connections] if self.connections < len(self.cut_after) else None
        self.connections += 1
        pos = sent = 0
        broken = False

        async def receive() -> bytes:
            nonlocal pos, sent, broken
            while True:
                if broken:
                    raise httpx.RemoteProtocolError("peer closed connection")
                if pos < len(self.data):
                    raw = b""
                    for _ in range(self.batch):
                        piece = bytes(self.data[pos : pos + self.msg])
                        if not piece:
                            break
                        pos += len(piece)
                        raw += piece + b"\x00" * (self.msg - len(piece))
                    if cut is not None and sent + len(raw) > cut:
                        broken = True
                        if cut > sent:
                            return raw[: cut - sent]
                        continue
                    sent += len(raw)
                    return raw
                if self.exited and self.end_on_exit:
                    return b""
                await self.changed.wait()  # nothing taken yet: cancelling here loses nothing

        async def unused() -> AsyncIterator[bytes]:
            raise AssertionError("the body iterator was used")
            yield b""  # pragma: no cover

        return httpx.Response(200, content=unused(), extensions={RECEIVE_EXTENSION: receive})

    # the probe
    async def finished(self) -> bool:
        return self.exited

    async def total_bytes(self, delivered: int) -> int | None:
        return len(self.data)


def test_body_receiver_only_for_an_undecoded_body() -> None:
    async def receive() -> bytes:
        return b""

    ext = {RECEIVE_EXTENSION: receive}
    assert body_receiver(httpx.Response(200, extensions=ext)) is receive
    plain = httpx.Response(200, headers={"content-encoding": "identity"}, extensions=ext)
    assert body_receiver(plain) is receive
    gzipped = httpx.Response(200, headers={"content-encoding": "gzip"}, extensions=ext)
    assert body_receiver(gzipped) is None  # its bytes need httpx's decoder
    assert body_receiver(httpx.Response(200)) is None


async def _collect(
    log: FakeLog, stats: FollowStats, receivable: bool = False, **opts: object
) -> bytes:
    out = bytearray()
    async for chunk in follow_bytes(
        log.open_receivable if receivable else log.open,
        log,
        options=FollowOptions(**opts),
        stats=stats,  # type: ignore[arg-type]
    ):
        out += chunk
    return bytes(out)


async def _produce(log: FakeLog, data: bytes, pieces: int, delay: float = 0.001) -> None:
    step = max(1, len(data) // pieces)
    for i in range(0, len(data), step):
        log.write(data[i : i + step])
        await anyio.sleep(delay)
    log.exit()


@RECEIVABLE
async def test_follow_ends_promptly_after_exit(receivable: bool) -> None:
    log = FakeLog()
    stats = FollowStats()
    result: list[bytes] = []
    async with anyio.create_task_group() as tg:

        async def consume() -> None:
            result.append(await _collect(log, stats, receivable))

        tg.start_soon(consume)
        await _produce(log, DATA * 20, 50)
    assert result[0] == DATA * 20
    assert stats.finished_at is not None and stats.ended_at is not None
    assert stats.ended_at - stats.finished_at < 0.2
    assert stats.connections == 1


@RECEIVABLE
async def test_follow_resumes_without_loss_or_repeat(receivable: bool) -> None:
    log = FakeLog()
    data = bytes(random.Random(3).randbytes(5000)).replace(b"\x00", b"x")
    log.write(data)
    log.exit()
    log.cut_after = [100, 1000, 1001, 3000]
    stats = FollowStats()
    out = await _collect(log, stats, receivable, reconnect_backoff=0.001)
    assert out == data
    assert stats.reconnects == 4
    assert stats.connections == 5


@RECEIVABLE
async def test_follow_resumes_big_coalesced_chunks_without_loss_or_repeat(
    receivable: bool,
) -> None:
    # 1 KiB daemon messages handed over 40 at a time, cut inside chunks, inside characters
    # and inside padding; decoded as text across the resumes
    log = FakeLog(msg=1024, batch=40)
    text = "".join(f"{i:05d} é你🙂 {'x' * (i % 37)}\n" for i in range(6000))
    log.write(text.encode())
    log.exit()
    log.cut_after = [5000, 70_001, 70_002, 150_003]
    stats = FollowStats()
    source = follow_bytes(
        log.open_receivable if receivable else log.open,
        log,
        options=FollowOptions(reconnect_backoff=0.001),
        stats=stats,
    )
    out = "".join([t async for t in decode_text(source)])
    assert out == text
    assert stats.reconnects == 4 and stats.delivered == len(text.encode())


@RECEIVABLE
async def test_follow_gives_up_after_max_reconnects(receivable: bool) -> None:
    log = FakeLog()
    log.write(b"x" * 1000)
    log.exit()
    log.cut_after = [50] * 10
    with pytest.raises(APIConnectionError, match="gave up"):
        await _collect(log, FollowStats(), receivable, max_reconnects=3, reconnect_backoff=0.001)


@RECEIVABLE
async def test_follow_stream_that_ends_by_itself(receivable: bool) -> None:
    log = FakeLog(end_on_exit=True)
    stats = FollowStats()
    async with anyio.create_task_group() as tg:
        tg.start_soon(_produce, log, DATA, 10)
        out = await _collect(log, stats, receivable)
    assert out == DATA
    assert stats.connections == 1


async def test_follow_stalled_stream_is_reopened() -> None:
    # the first connection silently stops delivering (a dead connection): once the producer
    # is done and the count is short, the stream is re-opened and completed
    log = FakeLog()
    log.write(b"a" * 100)
    real_body = log.body

    async def stalled(cut: int | None) -> AsyncIterator[bytes]:
        if log.connections == 1:
            yield b"a" * 10
            await anyio.sleep_forever()
        async for chunk in real_body(cut):
            yield chunk

    log.body = stalled  # type: ignore[method-assign]
    log.exit()
    stats = FollowStats()
    with anyio.fail_after(5):
        out = await _collect(log, stats, idle_grace=0.1)
    assert out == b"a" * 100
    assert stats.reconnects == 1


async def test_follow_cancelled_consumer_closes_response() -> None:
    closed: list[bool] = []
    log = FakeLog()

    async def open_() -> httpx.Response:
        response = await log.open()
        original = response.aclose

        async def aclose() -> None:
            closed.append(True)
            await original()

        response.aclose = aclose  # type: ignore[method-assign]
        return response

    log.write(b"x" * 10)
    with anyio.move_on_after(0.2):
        async for _ in follow_bytes(open_, log):
            pass
    assert closed == [True]


async def test_follow_abandoned_iterator_closes_response() -> None:
    # `break` without aclosing: the generator is finalised by the event loop's asyncgen
    # hooks in another task; no cancel scope is held across a yield, so that works
    import gc

    closed: list[bool] = []
    log = FakeLog()

    async def open_() -> httpx.Response:
        response = await log.open()
        original = response.aclose

        async def aclose() -> None:
            closed.append(True)
            await original()

        response.aclose = aclose  # type: ignore[method-assign]
        return response

    log.write(b"x" * 100)

    async def consume() -> None:
        async for _ in decode_text(follow_bytes(open_, log)):
            break

    await consume()
    gc.collect()
    for _ in range(50):
        if closed:
            break
        await anyio.sleep(0.01)
    assert closed == [True]
