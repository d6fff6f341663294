"""What every API group of the toolbox shares: the settings, the process tracker, the log
watcher and one :class:`Sandbox` per sandbox (its root, its jail, its share of threads).

The API groups (``files``, ``uploads``, ``execute``, ``sessions``, ``git``, ``lsp``) import this
module; it imports none of them. What a group keeps per sandbox (sessions, language servers)
stays in the group, which the runtime tells when a sandbox stops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from daytona_emulator.settings import EmulatorSettings

from .jail import Jail
from .procs import ProcessTracker
from .watch import LogWatcher

__all__ = ["Sandbox", "Toolbox", "valid_sandbox_id"]

T = TypeVar("T")


def valid_sandbox_id(sandbox_id: str) -> bool:
    """A name that is one directory under ``sandboxes_dir``."""
    return bool(sandbox_id) and "/" not in sandbox_id and sandbox_id not in (".", "..")


class Sandbox:
    """One sandbox as the toolbox sees it: a root directory and a share of worker threads."""

    def __init__(self, toolbox: Toolbox, sandbox_id: str) -> None:
        self.toolbox = toolbox
        self.id = sandbox_id
        self.dir = toolbox.settings.sandboxes_dir / sandbox_id
        root = self.dir / "root"
        (root / "home" / "daytona").mkdir(parents=True, exist_ok=True)
        (root / "tmp").mkdir(exist_ok=True)
        self.jail = Jail(root)
        # every blocking call of this sandbox takes a token: one sandbox cannot take all the
        # worker threads (a stuck open() would otherwise stall every sandbox)
        self.limiter = anyio.CapacityLimiter(toolbox.settings.worker_threads_per_sandbox)

    async def run_sync(self, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in a worker thread, within this sandbox's share of threads."""
        return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)


class Toolbox:
    """The state shared by the API groups."""

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.tracker = ProcessTracker(settings)
        self.watcher = LogWatcher()
        self.sandboxes: dict[str, Sandbox] = {}

    def sandbox(self, sandbox_id: str) -> Sandbox:
        """The sandbox, created (with its root) on first use."""
        sb = self.sandboxes.get(sandbox_id)
        if sb is None:
            if not valid_sandbox_id(sandbox_id):
                raise ValueError(f"invalid sandbox id {sandbox_id!r}")
            sb = self.sandboxes[sandbox_id] = Sandbox(self, sandbox_id)
        return sb

    def sandbox_of(self, request: Request) -> Sandbox:
        """The sandbox a toolbox request is for (its ``sandboxId`` path parameter)."""
        return self.sandbox(request.path_params["sandboxId"])
