"""The machinery under the synchronous face (:mod:`daytona_async.sync`).

The sync classes are generated (``generator/make_sync.py``) as thin delegates: each sync method
calls the async method of the object it wraps through the client's :class:`Portal` — an
asyncio event loop running in a daemon thread owned by one sync ``Daytona`` (started on the
first call, stopped and joined by ``close()``). There is one implementation: the async one.

- A call blocks the calling thread (any thread: many may share one client, and a thread that
  runs its own event loop works too — the portal's loop is another one) until the coroutine
  finishes in the portal's loop, then returns its result or raises its exception (the same
  object: same class, same cause chain; the traceback starts at the caller's line and the
  portal's own frames are trimmed from it).
- ``KeyboardInterrupt`` while waiting (Ctrl-C in the main thread) cancels the coroutine's
  cancel scope, waits for its cleanup (shielded cleanups such as a ``sandbox()`` block's delete
  run to the end), then is re-raised. A second Ctrl-C stops the wait.
- Streams (:class:`SyncIterator`) pull one item per call; :meth:`Portal.close` closes the ones
  still open, then the client, then stops the loop and joins its thread.

Callbacks the SDK calls (``progress=``, ``on_output=``, ...) run in the portal's thread: they
must not call the sync client themselves (that would wait for the loop they block) — such a
call raises :class:`SyncUsageError` instead of hanging.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import Any, TypeVar

from .errors import ClientClosedError, DaytonaError

__all__ = ["Portal", "SyncContextManager", "SyncIterator", "SyncUsageError"]

T = TypeVar("T")
A = TypeVar("A")

_THIS_FILE = __file__


class SyncUsageError(DaytonaError, RuntimeError):
    """The sync client was called from its own event loop thread — from inside a callback
    (``progress=``, ``on_output=``, ...) that the SDK runs there. Such a call could never
    finish; do the work after the call returns instead."""


def _trimmed(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` without its leading frames of this module (the portal's task wrapper)."""
    while tb is not None and tb.tb_frame.f_code.co_filename == _THIS_FILE:
        tb = tb.tb_next
    return tb


class _Op:
    """One call running in the portal's loop, cancellable from the calling thread."""

    __slots__ = ("cancelled", "scope")

    def __init__(self) -> None:
        self.scope: Any = None
        self.cancelled = False

    async def run(
        self, fn: Callable[..., Awaitable[Any]], args: tuple[Any, ...]
    ) -> tuple[bool, Any]:
        """``(True, result)``, ``(False, exception)``, or ``(False, None)`` once cancelled.
        Never raises an exception into the loop: asyncio re-raises a task's
        ``KeyboardInterrupt``/``SystemExit`` out of ``run_forever``, which would kill the
        portal's thread."""
        from anyio import CancelScope

        with CancelScope() as scope:
            self.scope = scope
            if self.cancelled:
                scope.cancel()
            try:
                return True, await fn(*args)
            except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit) as exc:
                return False, exc
        return False, None

    def cancel(self) -> None:  # in the loop's thread
        self.cancelled = True
        if self.scope is not None:
            self.scope.cancel()


class Portal:
    """An asyncio event loop in a daemon thread, shared by every thread using one sync client.

    Started on the first :meth:`call`; :meth:`close` ends it (and its thread) for good."""

    def __init__(self, name: str = "daytona-sync") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._thread_id: int | None = None
        self._closed = False
        self._streams: weakref.WeakSet[SyncIterator[Any]] = weakref.WeakSet()
        # calls in flight (any thread), cancelled by close()
        self._inflight: dict[_Op, concurrent.futures.Future[tuple[bool, Any]]] = {}

    def __repr__(self) -> str:
        state = "closed" if self._closed else "running" if self._loop is not None else "idle"
        return f"<Portal {self._name} {state}>"

    @property
    def running(self) -> bool:
        """Is its loop thread alive?"""
        return self._thread is not None and self._thread.is_alive()

    def _start(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise ClientClosedError("the client was closed; create a new one")
            if self._loop is None:
                loop = asyncio.new_event_loop()
                ready = threading.Event()
                thread = threading.Thread(
                    target=self._serve, args=(loop, ready), name=self._name, daemon=True
                )
                thread.start()
                ready.wait()
                self._thread = thread
                self._loop = loop
            return self._loop

    def _serve(self, loop: asyncio.AbstractEventLoop, ready: threading.Event) -> None:
        asyncio.set_event_loop(loop)
        self._thread_id = threading.get_ident()
        loop.call_soon(ready.set)
        try:
            loop.run_forever()
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await fn(*args)`` in the portal's loop; its result, or its exception re-raised
        here. Ctrl-C while waiting cancels it (and waits for its cleanup)."""
        loop = self._loop
        if loop is None or self._closed:
            loop = self._start()
        if threading.get_ident() == self._thread_id:
            raise SyncUsageError(
                "the sync client was called from its own event loop thread (from a callback "
                "such as progress= or on_output=?): that call could never finish"
            )
        op = _Op()
        future = asyncio.run_coroutine_threadsafe(op.run(fn, args), loop)
        inflight = self._inflight
        inflight[op] = future
        try:
            ok, value = future.result()
        except BaseException:
            # Ctrl-C (or another asynchronous exception) while waiting: cancel the work and
            # let its cleanup finish before the interrupt goes on
            loop.call_soon_threadsafe(op.cancel)
            future.result()
            raise
        finally:
            del inflight[op]
        if ok:
            return value  # type: ignore[no-any-return]
        if value is None:  # cancelled without being asked to: the loop is going down
            raise ClientClosedError("the client was closed while this call ran")
        try:
            raise value.with_traceback(_trimmed(value.__traceback__))
        finally:
            del value

    def call_soon_sync(self, fn: Callable[[], T]) -> T:
        """``fn()`` run in the portal's loop thread (for objects that must be built there,
        e.g. ones reading the loop's clock)."""

        async def run() -> T:
            return fn()

        return self.call(run)

    def track(self, stream: SyncIterator[Any]) -> None:
        self._streams.add(stream)

    def close(self, aclose: Callable[[], Awaitable[None]] | None = None) -> None:
        """Close the open streams, then ``await aclose()``, then stop the loop and join its
        thread. Idempotent; later calls raise :class:`ClientClosedError`."""
        with self._lock:
            if self._closed:
                return
            started = self._loop is not None
        try:
            if started:
                loop = self._loop
                assert loop is not None
                # calls still running in other threads end (ClientClosedError there) ...
                pending = list(self._inflight.items())
                for op, _ in pending:
                    loop.call_soon_threadsafe(op.cancel)
                concurrent.futures.wait([future for _, future in pending])
                # ... then the streams left open are closed, then the client
                for stream in list(self._streams):
                    stream.close()
            if aclose is not None:
                self.call(aclose)
        finally:
            with self._lock:
                self._closed = True
                loop, thread = self._loop, self._thread
            if loop is not None and thread is not None:
                loop.call_soon_threadsafe(loop.stop)
                if threading.get_ident() != self._thread_id:
                    thread.join()


_DONE: Any = object()


class SyncIterator(Iterator[T]):
    """A plain iterator over an async iterator of the SDK: each ``next()`` awaits one item in
    the client's portal. ``close()`` (or the end of a ``with`` block) closes the async iterator
    at once — its stream is released; closing the client closes it too."""

    def __init__(
        self,
        portal: Portal,
        make: Callable[[], AsyncIterator[Any]],
        convert: Callable[[Any], T] | None = None,
    ) -> None:
        self._portal = portal
        self._make: Callable[[], AsyncIterator[Any]] | None = make
        self._convert = convert
        self._it: AsyncIterator[Any] | None = None
        self._done = False
        portal.track(self)

    def __repr__(self) -> str:
        state = "closed" if self._done else "open"
        return f"<SyncIterator {state}>"

    def __iter__(self) -> SyncIterator[T]:
        return self

    async def _anext(self) -> Any:
        it = self._it
        if it is None:
            assert self._make is not None
            it = self._it = self._make()  # built in the loop (deadlines read its clock)
            self._make = None
        try:
            return await it.__anext__()
        except StopAsyncIteration:
            return _DONE

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        try:
            item = self._portal.call(self._anext)
        except BaseException:
            self.close()
            raise
        if item is _DONE:
            self._done = True
            raise StopIteration
        return item if self._convert is None else self._convert(item)

    def close(self) -> None:
        """Close the underlying async iterator (idempotent)."""
        if self._done and self._it is None:
            return
        self._done = True
        it, self._it = self._it, None
        self._make = None
        aclose = getattr(it, "aclose", None)
        if aclose is not None and not self._portal._closed:
            try:
                self._portal.call(aclose)
            except ClientClosedError:
                pass

    def __enter__(self) -> SyncIterator[T]:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SyncContextManager(AbstractContextManager[T]):
    """A ``with`` block over an async context manager of the SDK: enter and exit run in the
    client's portal, exit with the block's exception (a Ctrl-C in the block included), so the
    async cleanup runs as it would under ``async with``."""

    def __init__(
        self,
        portal: Portal,
        make: Callable[[], AbstractAsyncContextManager[Any]],
        convert: Callable[[Any], T] | None = None,
    ) -> None:
        self._portal = portal
        self._make = make
        self._convert = convert
        self._cm: AbstractAsyncContextManager[Any] | None = None

    async def _aenter(self) -> Any:
        cm = self._cm = self._make()
        return await cm.__aenter__()

    def __enter__(self) -> T:
        value = self._portal.call(self._aenter)
        return value if self._convert is None else self._convert(value)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        cm, self._cm = self._cm, None
        if cm is None:
            return None
        return self._portal.call(cm.__aexit__, exc_type, exc, tb)


def thread_fn(fn: Callable[[A], T]) -> Callable[[A], Awaitable[T]]:
    """An async function running the sync ``fn`` in a worker thread (for the sync face of
    an async API taking coroutine functions, e.g. ``gather``)."""

    async def run(item: A) -> T:
        import anyio.to_thread

        return await anyio.to_thread.run_sync(fn, item)

    return run


class SyncBase:
    """What every generated sync class has: the async object it wraps (each subclass
    declares its type) and the portal."""

    __slots__ = ("__weakref__", "_async", "_cache", "_portal")
    _async: Any
    _async_name = ""

    def __init__(self, obj: Any, portal: Portal) -> None:
        self._async = obj
        self._portal = portal
        self._cache: dict[str, Any] = {}

    def __repr__(self) -> str:
        text = repr(self._async)
        name = self._async_name
        if name and text.startswith(name):
            return type(self).__name__ + text[len(name) :]
        return text

    def _same(self, name: str, value: Any, wrap: Callable[[Any, Portal], T]) -> T:
        """The sync twin of ``value`` (an attribute's async object), the same one each time
        the attribute returns the same object."""
        cached = self._cache.get(name)
        if cached is not None and cached._async is value:
            return cached  # type: ignore[no-any-return]
        twin = wrap(value, self._portal)
        self._cache[name] = twin
        return twin

    def _self_or(self, value: Any, wrap: Callable[[Any, Portal], T]) -> T:
        """``self`` if ``value`` is the wrapped object (``refresh()`` returns ``self``)."""
        if value is self._async:
            return self  # type: ignore[return-value]
        return wrap(value, self._portal)
