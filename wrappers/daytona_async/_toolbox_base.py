"""What every toolbox module (``fs``, ``process``, ``git``, ``lsp``) shares: the sandbox's id and
client context, toolbox URLs, and relative-path resolution against the project dir."""

from __future__ import annotations

import posixpath
import weakref
from typing import TYPE_CHECKING, Any

import anyio

from .errors import InvalidArgumentError

if TYPE_CHECKING:
    from ._context import ClientContext
    from ._deadline import Deadline
    from ._sandbox import AsyncSandbox

__all__ = ["ToolboxBase", "check_path"]

# project dir per (client context, sandbox id): it is fixed for a sandbox's lifetime
_PROJECT_DIRS: weakref.WeakKeyDictionary[ClientContext, dict[str, str]] = (
    weakref.WeakKeyDictionary()
)
_PROJECT_DIR_LOCKS: weakref.WeakKeyDictionary[ClientContext, dict[str, anyio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def check_path(path: object, what: str = "path") -> str:
    """A non-empty string without NUL (refused before anything is sent)."""
    if not isinstance(path, str):
        raise InvalidArgumentError(f"{what} must be a string, not {type(path).__name__}")
    if not path:
        raise InvalidArgumentError(f"{what} must not be empty")
    if "\x00" in path:
        raise InvalidArgumentError(f"{what} must not contain NUL")
    return path


class ToolboxBase:
    """Base of the toolbox helpers bound to one sandbox."""

    def __init__(self, sandbox: AsyncSandbox) -> None:
        self._sandbox = sandbox
        self._ctx: ClientContext = sandbox.context

    @property
    def sandbox_id(self) -> str:
        return self._sandbox.id

    def _url(self, rest: str, **params: str) -> str:
        """``/toolbox/{sandbox id}/toolbox`` + ``rest`` (``{name}`` placeholders filled with
        validated, percent-encoded ``params``)."""
        return self._ctx.path("/toolbox/{_sid}/toolbox" + rest, _sid=self.sandbox_id, **params)

    async def project_dir(self, *, deadline: Deadline | None = None) -> str:
        """The sandbox's project dir (``GET project-dir``, cached per sandbox)."""
        cache = _PROJECT_DIRS.setdefault(self._ctx, {})
        found = cache.get(self.sandbox_id)
        if found is not None:
            return found
        # one request per sandbox: a burst of calls on a fresh sandbox waits for the first
        lock = _PROJECT_DIR_LOCKS.setdefault(self._ctx, {}).setdefault(
            self.sandbox_id, anyio.Lock()
        )
        async with lock:
            found = cache.get(self.sandbox_id)
            if found is not None:
                return found
            return await self._fetch_project_dir(cache, deadline)

    async def _fetch_project_dir(self, cache: dict[str, str], deadline: Deadline | None) -> str:
        from daytona_api.api.toolbox import get_project_dir
        from daytona_api.models import ProjectDirResponse
        from daytona_api.types import Unset

        parsed = await self._ctx.call_parsed(
            get_project_dir, self.sandbox_id, expect=ProjectDirResponse, deadline=deadline
        )
        value: Any = parsed.dir_
        if isinstance(value, Unset) or not isinstance(value, str) or not value:
            value = "/"
        cache[self.sandbox_id] = value
        return str(value)

    async def resolve(self, path: str, *, deadline: Deadline | None = None) -> str:
        """``path`` if absolute, else joined to the project dir (as the official SDK does)."""
        check_path(path)
        if path.startswith("/"):
            return path
        return posixpath.join(await self.project_dir(deadline=deadline), path)
