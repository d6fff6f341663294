"""The toolbox runtime: per-sandbox state (root, sessions, language servers), lifecycle hooks
called by the control plane, and the routes mounted under ``/api/toolbox/{sandboxId}/toolbox``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from daytona_emulator.settings import EmulatorSettings

from . import files, git, lsp, procs, sessions
from .common import json_response
from .jail import HOME, Jail
from .procs import ProcessTracker
from .watch import LogWatcher

if TYPE_CHECKING:
    from .lsp import LspServer
    from .sessions import Session

__all__ = ["SandboxState", "ToolboxRuntime"]

log = logging.getLogger("daytona_emulator.toolbox")

T = TypeVar("T")


class SandboxState:
    """What the toolbox holds for one sandbox while it runs."""

    def __init__(self, runtime: ToolboxRuntime, sandbox_id: str) -> None:
        self.runtime = runtime
        self.id = sandbox_id
        self.dir = runtime.settings.sandboxes_dir / sandbox_id
        root = self.dir / "root"
        (root / "home" / "daytona").mkdir(parents=True, exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        self.jail = Jail(root)
        self.sessions: dict[str, Session] = {}
        self.lsp: dict[tuple[str, str], LspServer] = {}
        self.lsp_lock = asyncio.Lock()
        # every blocking call of this sandbox takes a token: one sandbox cannot take all the
        # worker threads (a stuck open() would otherwise stall every sandbox)
        self.limiter = anyio.CapacityLimiter(runtime.settings.worker_threads_per_sandbox)

    async def run_sync(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in a worker thread, within this sandbox's share of threads."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)

    async def stop(self) -> None:
        """Kill the sessions, the language servers and every process; files remain."""
        sessions_, self.sessions = list(self.sessions.values()), {}
        for session in sessions_:
            with contextlib.suppress(Exception):
                await session.close(remove_logs=False)
        servers, self.lsp = list(self.lsp.values()), {}
        for server in servers:
            with contextlib.suppress(Exception):
                await server.aclose()
        await self.runtime.tracker.kill_sandbox(self.id)


class ToolboxRuntime:
    """The emulator's toolbox: files on disk, real processes, shells, git and an LSP server.

    The control plane calls :meth:`sandbox_created` / :meth:`sandbox_stopped` /
    :meth:`sandbox_destroyed` as sandboxes change state and mounts :meth:`routes` behind its
    guard (auth, sandbox access, ``started``).
    """

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.tracker = ProcessTracker(settings)
        self.watcher = LogWatcher()
        self.sandboxes: dict[str, SandboxState] = {}
        self._closed = False

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        await anyio.to_thread.run_sync(
            lambda: self.settings.sandboxes_dir.mkdir(parents=True, exist_ok=True)
        )
        await anyio.to_thread.run_sync(self.tracker.kill_leftovers)
        self._closed = False

    async def aclose(self) -> None:
        """Kill every process and language server started; idempotent."""
        self._closed = True
        states, self.sandboxes = list(self.sandboxes.values()), {}
        for state in states:
            with contextlib.suppress(Exception):
                await state.stop()
        await self.tracker.aclose()
        self.watcher.close()
        self.watcher = LogWatcher()  # usable again after a restart (start())

    def sandbox(self, sandbox_id: str) -> SandboxState:
        """The sandbox's state, created (with its root) on first use."""
        state = self.sandboxes.get(sandbox_id)
        if state is None:
            if not sandbox_id or "/" in sandbox_id or sandbox_id in (".", ".."):
                raise ValueError(f"invalid sandbox id {sandbox_id!r}")
            state = SandboxState(self, sandbox_id)
            self.sandboxes[sandbox_id] = state
        return state

    async def sandbox_created(self, sandbox_id: str) -> None:
        self.sandbox(sandbox_id)

    async def sandbox_stopped(self, sandbox_id: str) -> None:
        state = self.sandboxes.pop(sandbox_id, None)
        if state is not None:
            await state.stop()
        else:
            await self.tracker.kill_sandbox(sandbox_id)

    async def sandbox_destroyed(self, sandbox_id: str) -> None:
        await self.sandbox_stopped(sandbox_id)
        if not sandbox_id or "/" in sandbox_id or sandbox_id in (".", ".."):
            return
        target = self.settings.sandboxes_dir / sandbox_id
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(target, ignore_errors=True))

    # -- routes -----------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        async def project_dir(request: Request) -> Response:
            self.sandbox(request.path_params["sandboxId"])
            return json_response({"dir": HOME})

        return [
            Route("/project-dir", project_dir, methods=["GET"]),
            *files.routes(self),
            *procs.routes(self),
            *sessions.routes(self),
            *git.routes(self),
            *lsp.routes(self),
        ]
