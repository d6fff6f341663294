"""The toolbox runtime: the one object the control plane holds. It assembles the API groups'
routes (mounted under ``/api/toolbox/{sandboxId}/toolbox``) and passes the control plane's
lifecycle hooks on to the groups that keep something per sandbox.

Imports run one way: this module imports the API groups, the groups import ``state`` and the
helpers, and nothing imports this module but the package.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from daytona_emulator.isolation import Cgroups, DiskImages, probe
from daytona_emulator.settings import EmulatorSettings

from .common import json_response
from .execute import ExecuteApi
from .files import FilesApi
from .git import GitApi
from .jail import HOME
from .lsp import LspApi
from .procs import LIMITS_FILE
from .sessions import SessionsApi
from .state import Toolbox, valid_sandbox_id
from .uploads import UploadsApi
from .watch import LogWatcher

__all__ = ["ToolboxRuntime"]

log = logging.getLogger("daytona_emulator.toolbox")


class ToolboxRuntime:
    """The emulator's toolbox: files on disk, real processes, shells, git and an LSP server.

    The control plane calls :meth:`sandbox_created` / :meth:`sandbox_stopped` /
    :meth:`sandbox_destroyed` as sandboxes change state and mounts :meth:`routes` behind its
    guard (auth, sandbox access, ``started``).
    """

    def __init__(self, settings: EmulatorSettings) -> None:
        self.settings = settings
        self.state = Toolbox(settings)
        self.files = FilesApi(self.state)
        self.uploads = UploadsApi(self.state)
        self.execute = ExecuteApi(self.state)
        self.sessions = SessionsApi(self.state)
        self.git = GitApi(self.state)
        self.lsp = LspApi(self.state)
        self.disks = DiskImages(settings.sandboxes_dir, settings.disk_quota)

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        """Probe the isolation, create the data folders, kill what a killed previous run left
        behind and mount the sandboxes' disk images."""
        await anyio.to_thread.run_sync(
            lambda: self.settings.sandboxes_dir.mkdir(parents=True, exist_ok=True)
        )
        tracker = self.state.tracker
        tracker.status = await anyio.to_thread.run_sync(probe, not self.settings.isolation)
        if tracker.mode == "host":
            _say(
                "WARNING: --unsafe-run-commands-on-host: sandbox commands run unsandboxed on "
                "this host as this user"
            )
        elif tracker.mode == "refused":
            _say(f"commands refused: {tracker.refusal()}")
        await anyio.to_thread.run_sync(tracker.kill_leftovers)
        if tracker.mode == "isolated":
            tracker.cgroups = await anyio.to_thread.run_sync(Cgroups, self.settings.cgroup_limits)
        for sandbox_id in await anyio.to_thread.run_sync(self.disks.images):
            await anyio.to_thread.run_sync(self.disks.mount, sandbox_id)

    async def aclose(self) -> None:
        """Kill every process and language server started; idempotent."""
        for sandbox_id in list(self.state.sandboxes):
            await self.sandbox_stopped(sandbox_id)
        await self.state.tracker.aclose()
        for sandbox_id in await anyio.to_thread.run_sync(self.disks.mounted):
            await anyio.to_thread.run_sync(self.disks.unmount, sandbox_id)
        self.state.watcher.close()
        self.state.watcher = LogWatcher()  # usable again after a restart (start())

    async def sandbox_created(
        self, sandbox_id: str, disk_gib: float = 0, cpu: float = 0, memory_gib: float = 0
    ) -> None:
        """Make the sandbox's root: a disk image of ``disk_gib`` GiB mounted on it where the
        quota can be enforced; its cpu and memory limits are recorded beside it (applied to
        its processes through cgroups where the machine offers them)."""
        if valid_sandbox_id(sandbox_id):
            if disk_gib > 0:
                await anyio.to_thread.run_sync(self.disks.create, sandbox_id, disk_gib)
            limits = {"cpu": cpu, "memory": memory_gib, "disk": disk_gib}
            target = self.settings.sandboxes_dir / sandbox_id / LIMITS_FILE

            def record() -> None:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(limits))

            await anyio.to_thread.run_sync(record)
        self.state.sandbox(sandbox_id)

    async def sandbox_stopped(self, sandbox_id: str) -> None:
        """Kill the sessions, the language servers and every process; files remain."""
        self.state.sandboxes.pop(sandbox_id, None)
        await self.sessions.sandbox_stopped(sandbox_id)
        await self.lsp.sandbox_stopped(sandbox_id)
        await self.state.tracker.kill_sandbox(sandbox_id)

    async def sandbox_destroyed(self, sandbox_id: str) -> None:
        await self.sandbox_stopped(sandbox_id)
        if not valid_sandbox_id(sandbox_id):
            return
        target = self.settings.sandboxes_dir / sandbox_id
        await anyio.to_thread.run_sync(self.disks.unmount, sandbox_id)
        await anyio.to_thread.run_sync(lambda: shutil.rmtree(target, ignore_errors=True))

    # -- routes -----------------------------------------------------------------------------
    def routes(self) -> list[BaseRoute]:
        return [
            Route("/project-dir", self.project_dir, methods=["GET"]),
            *self.files.routes(),
            *self.uploads.routes(),
            *self.execute.routes(),
            *self.sessions.routes(),
            *self.git.routes(),
            *self.lsp.routes(),
        ]

    @property
    def mode(self) -> str:
        """How commands run: ``isolated``, ``host`` (unsafe flag) or ``refused``."""
        return self.state.tracker.mode

    async def project_dir(self, request: Request) -> Response:
        self.state.sandbox_of(request)
        return json_response({"dir": HOME})


def _say(line: str) -> None:
    """The one line the emulator prints at start about how it runs commands."""
    sys.stderr.write(f"daytona-emulator: {line}\n")
    sys.stderr.flush()
