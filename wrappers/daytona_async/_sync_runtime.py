"""The machinery under the synchronous face (:mod:`daytona_async.sync`).

The sync classes are generated (``generator/make_sync.py``) as thin delegates: each sync method
calls the async method of the object it wraps through the client's :class:`Portal` — the
asyncio event loop of one sync ``Daytona``. There is one implementation: the async one.

- Who runs the loop: the calling thread itself when the loop is idle and the thread runs no
  loop of its own (a script: no thread hop, measured in bench/sync_face.py); otherwise (another
  thread is in a call, or this thread runs its own loop, as a notebook's does) the call is
  handed to the loop and the caller blocks, while a helper thread (started on first need)
  drives the loop until no call is in flight. Many threads may share one client.
- A call returns the coroutine's result or raises its exception (the same object: same class,
  same cause chain; the traceback starts at the caller's line, the portal's frames trimmed).
- Ctrl-C (``KeyboardInterrupt`` in the main thread) during a call cancels the coroutine's
  cancel scope, lets its cleanup finish (shielded cleanups such as a ``sandbox()`` block's
  delete run to the end), then is raised. While the main thread drives the loop, a SIGINT
  handler does this (installed for the call only, when Python's default one is in place).
- Streams (:class:`SyncIterator`) pull one item per call. :meth:`Portal.close` ends the calls
  still running in other threads, closes the open streams, then the client, then shuts the
  loop down and joins the helper thread: no thread or connection outlives it.

Callbacks the SDK calls (``progress=``, ``on_output=``, ...) run inside the loop: they must
not call the sync client themselves (that call could never finish) — such a call raises
:class:`SyncUsageError` instead of hanging.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # CPython's C module under `signal`
import asyncio
import contextlib
import signal
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
_MAIN_THREAD = threading.main_thread()
_SIGINT = int(signal.SIGINT)
_default_int_handler = signal.default_int_handler


class SyncUsageError(DaytonaError, RuntimeError):
    """The sync client was called from inside the event loop it runs — from inside a callback
    (``progress=``, ``on_output=``, ...) that the SDK runs there. Such a call could never
    finish; do the work after the call returns instead."""


def _trimmed(tb: TracebackType | None) -> TracebackType | None:
    """``tb`` without its leading frames of this module (the portal's task wrapper)."""
    while tb is not None and tb.tb_frame.f_code.co_filename == _THIS_FILE:
        tb = tb.tb_next
    return tb


class _Op:
    """One call of the portal: its coroutine function and arguments, then its outcome.

    A caller that drives the loop itself runs :meth:`run` there; one that cannot (another
    thread is driving) hands it to the loop with :meth:`spawn` and blocks on ``done`` (a lock
    taken at creation, released when the call is over)."""

    __slots__ = (
        "args",
        "cancelled",
        "done",
        "fn",
        "interrupted",
        "ok",
        "portal",
        "scope",
        "stops",
        "task",
        "value",
    )

    def __init__(self, portal: Portal, fn: Callable[..., Awaitable[Any]], args: tuple[Any, ...]):
        self.portal = portal
        self.fn = fn
        self.args = args
        self.scope: Any = None
        self.task: asyncio.Task[None] | None = None
        self.cancelled = False
        self.interrupted = False
        self.stops: asyncio.AbstractEventLoop | None = None  # the loop its caller drives
        self.ok = False
        self.value: Any = None
        self.done = threading.Lock()
        self.done.acquire()

    def spawn(self, loop: asyncio.AbstractEventLoop) -> None:  # in the loop
        self.task = loop.create_task(self.run())

    async def run(self) -> None:
        """Sets ``ok``/``value``: the result, the exception, or ``None`` once cancelled.
        Never raises into the loop: asyncio re-raises a task's ``KeyboardInterrupt`` or
        ``SystemExit`` out of the loop, which would break the portal."""
        from anyio import CancelScope

        try:
            with CancelScope() as scope:
                self.scope = scope
                if self.cancelled:
                    scope.cancel()
                try:
                    self.value = await self.fn(*self.args)
                    self.ok = True
                except (Exception, KeyboardInterrupt, SystemExit, GeneratorExit) as exc:
                    self.value = exc
        finally:
            self.fn = self.args = None  # type: ignore[assignment]
            self.portal._finished(self)
            self.done.release()
            if self.stops is not None:
                self.stops.stop()  # at the end of this iteration: none spent on a callback

    def cancel(self) -> None:  # in the loop
        self.cancelled = True
        if self.scope is not None:
            self.scope.cancel()


def _loop_running_here() -> bool:
    return asyncio.events._get_running_loop() is not None


class Portal:
    """The event loop of one sync client, shared by every thread using it.

    Whoever calls drives the loop: a thread with no loop of its own, finding the loop idle,
    runs it itself for the length of its call (no thread hop: the common case of a script);
    otherwise (another thread is driving, or this thread runs an event loop of its own, as a
    notebook's does) the call is handed to the loop and the caller blocks until it is over,
    while a helper thread drives the loop as long as calls are in flight. :meth:`close` ends
    it all, the helper thread included."""

    def __init__(self, name: str = "daytona-sync") -> None:
        self._name = name
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._driver = threading.Lock()  # held by the thread running the loop
        self._driving: int | None = None  # that thread's ident
        self._kick = threading.Event()  # wakes the helper
        self._helper: threading.Thread | None = None
        self._closed = False
        self._stopping = False
        # calls submitted and not over (any thread); removed by the loop when they end
        self._inflight: dict[_Op, None] = {}
        self._idle: asyncio.Future[None] | None = None
        self._streams: weakref.WeakSet[SyncIterator[Any]] = weakref.WeakSet()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._loop is not None else "idle"
        return f"<Portal {self._name} {state}>"

    @property
    def running(self) -> bool:
        """Is its helper thread alive?"""
        return self._helper is not None and self._helper.is_alive()

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._closed:
                raise ClientClosedError("the client was closed; create a new one")
            if self._loop is None:
                self._loop = asyncio.new_event_loop()
            return self._loop

    # -- driving -----------------------------------------------------------------------

    def _finished(self, op: _Op) -> None:  # in the loop, when a call is over
        inflight = self._inflight
        inflight.pop(op, None)
        idle = self._idle
        if not inflight and idle is not None and not idle.done():
            idle.set_result(None)

    def _drive(self, loop: asyncio.AbstractEventLoop, op: _Op) -> None:
        """Run the loop in this thread until ``op`` is over (the driver lock is held). In the
        main thread a Ctrl-C cancels the call (its cleanup runs) and is raised afterwards."""
        self._driving = threading.get_ident()
        previous: Any = None
        # the C-level signal functions: the signal module's enum conversions cost more than
        # the rest of a call (measured)
        if (
            threading.current_thread() is _MAIN_THREAD
            and _signal.getsignal(_SIGINT) is _default_int_handler
        ):

            def on_sigint(signum: int, frame: object) -> None:
                op.interrupted = True
                loop.call_soon_threadsafe(op.cancel)

            previous = _signal.signal(_SIGINT, on_sigint)
        try:
            op.stops = loop
            op.task = loop.create_task(op.run())
            try:
                loop.run_forever()
            except BaseException:
                # an exception out of the loop itself (a SIGINT handler of the user's that
                # raises): cancel the call, let its cleanup finish, then let it go on
                if not op.task.done():
                    loop.call_soon(op.cancel)
                    loop.run_until_complete(op.task)
                raise
        finally:
            if previous is not None:
                _signal.signal(_SIGINT, previous)
            self._driving = None
            self._driver.release()
            if self._inflight:  # calls handed over meanwhile: the helper takes them on
                self._wake_helper()

    def _wake_helper(self) -> None:
        if self._helper is None:
            with self._lock:
                if self._helper is None and not self._closed:
                    self._helper = threading.Thread(target=self._help, name=self._name, daemon=True)
                    self._helper.start()
        self._kick.set()

    def _help(self) -> None:
        """The helper thread: drives the loop while calls are in flight; at close, shuts the
        loop down."""
        loop = self._loop
        assert loop is not None
        while True:
            self._kick.wait()
            self._kick.clear()
            while self._inflight:
                with self._driver:
                    self._driving = threading.get_ident()
                    try:
                        loop.run_until_complete(self._until_idle(loop))
                    finally:
                        self._driving = None
            if self._stopping:
                return

    async def _until_idle(self, loop: asyncio.AbstractEventLoop) -> None:
        while self._inflight:
            self._idle = loop.create_future()
            await self._idle
        self._idle = None

    # -- calls ---------------------------------------------------------------------------

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await fn(*args)`` in the portal's loop; its result, or its exception re-raised
        here. Ctrl-C while waiting cancels it (and waits for its cleanup)."""
        loop = self._loop
        if loop is None or self._closed:
            loop = self._get_loop()
        if self._driving == threading.get_ident():
            raise SyncUsageError(
                "the sync client was called from inside the event loop it runs (from a "
                "callback such as progress= or on_output=?): that call could never finish"
            )
        op = _Op(self, fn, args)
        self._inflight[op] = None
        if not _loop_running_here() and self._driver.acquire(blocking=False):
            if loop.is_closed():  # lost a race with close()
                self._driver.release()
                raise ClientClosedError("the client was closed; create a new one")
            self._drive(loop, op)
            if op.interrupted:
                raise KeyboardInterrupt
        else:
            try:
                loop.call_soon_threadsafe(op.spawn, loop)
            except RuntimeError:  # closed meanwhile
                raise ClientClosedError("the client was closed; create a new one") from None
            self._wake_helper()
            try:
                op.done.acquire()
            except BaseException:
                # Ctrl-C (or another asynchronous exception) while waiting: cancel the work
                # and let its cleanup finish before the interrupt goes on
                loop.call_soon_threadsafe(op.cancel)
                op.done.acquire()
                raise
        if op.ok:
            return op.value  # type: ignore[no-any-return]
        value = op.value
        op.value = None
        if value is None:  # cancelled without being asked to: the client is closing
            raise ClientClosedError("the client was closed while this call ran")
        try:
            raise value.with_traceback(_trimmed(value.__traceback__))
        finally:
            del value

    def call_soon_sync(self, fn: Callable[[], T]) -> T:
        """``fn()`` run in the portal's loop (for objects that must be built there, e.g. ones
        reading the loop's clock)."""

        async def run() -> T:
            return fn()

        return self.call(run)

    def track(self, stream: SyncIterator[Any]) -> None:
        self._streams.add(stream)

    def close(self, aclose: Callable[[], Awaitable[None]] | None = None) -> None:
        """End the calls still running in other threads (``ClientClosedError`` there), close
        the open streams, ``await aclose()``, then shut the loop down and stop the helper
        thread. Idempotent; later calls raise :class:`ClientClosedError`."""
        with self._lock:
            if self._closed or self._stopping:
                return
            self._stopping = True
            loop = self._loop
        try:
            if loop is not None:
                pending = list(self._inflight)
                for op in pending:
                    loop.call_soon_threadsafe(op.cancel)
                if pending:
                    self.call(_finished, pending)
                for stream in list(self._streams):
                    stream.close()
            if aclose is not None:
                self.call(aclose)
        finally:
            self._shutdown()

    def _shutdown(self) -> None:
        with self._lock:
            self._closed = True
            loop, helper = self._loop, self._helper
        if loop is None:
            return
        if helper is not None:
            self._kick.set()
            if threading.get_ident() != helper.ident:
                helper.join()
        with self._driver:
            if _loop_running_here():
                # this thread runs a loop of its own: a short-lived thread shuts this one down
                t = threading.Thread(target=_shutdown_loop, args=(loop,), name=self._name)
                t.start()
                t.join()
            else:
                _shutdown_loop(loop)
        # calls that slipped in as it closed never ran: their callers get ClientClosedError
        for op in list(self._inflight):
            self._inflight.pop(op, None)
            with contextlib.suppress(RuntimeError):
                op.done.release()


def _shutdown_loop(loop: asyncio.AbstractEventLoop) -> None:
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        loop.close()


async def _finished(ops: list[_Op]) -> None:
    """Wait until ``ops`` are over (each was spawned before this runs: FIFO callbacks)."""
    tasks = [op.task for op in ops if op.task is not None]
    if tasks:
        await asyncio.wait(tasks)


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
