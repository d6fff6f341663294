"""What every toolbox module (``fs``, ``process``, ``git``, ``lsp``) shares: the sandbox's id and
client context, toolbox URLs, and relative-path resolution against the project dir.

The toolbox modules see a sandbox only through :class:`SandboxHandle` (an id and the client
context), never ``AsyncSandbox`` itself: ``_sandbox`` imports them, so they must not import it.
"""

from __future__ import annotations

import posixpath
import weakref
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import anyio

from ._validation import check_unicode
from .errors import InvalidArgumentError

if TYPE_CHECKING:
    from ._context import ClientContext
    from ._deadline import Deadline

__all__ = ["LRUCache", "SandboxHandle", "ToolboxBase", "check_path"]

K = TypeVar("K")
V = TypeVar("V")

#: sandboxes whose project dir is remembered per client (oldest used forgotten first)
PROJECT_DIR_CACHE_SIZE = 1024


class SandboxHandle(Protocol):
    """What a toolbox helper needs of a sandbox (``AsyncSandbox`` satisfies it)."""

    @property
    def id(self) -> str: ...

    @property
    def context(self) -> ClientContext: ...


class LRUCache(Generic[K, V]):
    """A mapping bounded to ``maxsize`` entries; the least recently used one goes first."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)

    def setdefault(self, key: K, value: V) -> V:
        found = self.get(key)
        if found is not None:
            return found
        self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._data)


# project dir per (client context, sandbox id): fixed for a sandbox's lifetime, so cached;
# bounded so that a long-lived client touching many sandboxes does not grow forever
_PROJECT_DIRS: weakref.WeakKeyDictionary[ClientContext, LRUCache[str, str]] = (
    weakref.WeakKeyDictionary()
)
_PROJECT_DIR_LOCKS: weakref.WeakKeyDictionary[ClientContext, LRUCache[str, anyio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _cache_of(ctx: ClientContext) -> LRUCache[str, str]:
    return _PROJECT_DIRS.setdefault(ctx, LRUCache(PROJECT_DIR_CACHE_SIZE))


def check_path(path: object, what: str = "path") -> str:
    """A non-empty string without NUL (refused before anything is sent)."""
    if not isinstance(path, str):
        raise InvalidArgumentError(f"{what} must be a string, not {type(path).__name__}")
    if not path:
        raise InvalidArgumentError(f"{what} must not be empty")
    if "\x00" in path:
        raise InvalidArgumentError(f"{what} must not contain NUL")
    check_unicode(path, what)
    return path


class ToolboxBase:
    """Base of the toolbox helpers bound to one sandbox."""

    def __init__(self, sandbox: SandboxHandle) -> None:
        self._sandbox = sandbox
        self._ctx: ClientContext = sandbox.context

    @property
    def sandbox_id(self) -> str:
        """The id of the sandbox these calls go to."""
        return self._sandbox.id

    async def project_dir(self, *, deadline: Deadline | None = None) -> str:
        """The sandbox's project dir (``GET project-dir``, cached per sandbox)."""
        cache = _cache_of(self._ctx)
        found = cache.get(self.sandbox_id)
        if found is not None:
            return found
        # one request per sandbox: a burst of calls on a fresh sandbox waits for the first
        locks = _PROJECT_DIR_LOCKS.setdefault(self._ctx, LRUCache(PROJECT_DIR_CACHE_SIZE))
        lock = locks.setdefault(self.sandbox_id, anyio.Lock())
        async with lock:
            found = cache.get(self.sandbox_id)
            if found is not None:
                return found
            return await self._fetch_project_dir(cache, deadline)

    async def _fetch_project_dir(self, cache: LRUCache[str, str], deadline: Deadline | None) -> str:
        from daytona_api.api.toolbox import get_project_dir
        from daytona_api.models import ProjectDirResponse
        from daytona_api.types import Unset

        parsed = await self._ctx.call_parsed(
            get_project_dir, self.sandbox_id, expect=ProjectDirResponse, deadline=deadline
        )
        value: Any = parsed.dir_
        if isinstance(value, Unset) or not isinstance(value, str) or not value:
            value = "/"
        cache.put(self.sandbox_id, value)
        return str(value)

    async def resolve(self, path: str, *, deadline: Deadline | None = None) -> str:
        """``path`` if absolute, else joined to the project dir (as the official SDK does)."""
        check_path(path)
        if path.startswith("/"):
            return path
        return posixpath.join(await self.project_dir(deadline=deadline), path)
