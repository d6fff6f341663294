"""The one interface between the control plane and the toolbox.

The control plane (``daytona_emulator.control``) holds a :class:`SandboxToolbox` (or ``None``),
starts and closes it with the app, tells it when sandboxes are created, stopped and destroyed,
and mounts its routes under ``/api/toolbox/{sandboxId}/toolbox`` behind its own guard (auth,
sandbox access, ``started``). ``daytona_emulator.toolbox.ToolboxRuntime`` implements it.
"""

from __future__ import annotations

from typing import Protocol

from starlette.routing import BaseRoute

__all__ = ["SandboxToolbox"]


class SandboxToolbox(Protocol):
    async def start(self) -> None:
        """Called once when the app starts, before any hook or route is used."""

    async def aclose(self) -> None:
        """Called once when the app stops: end every process the toolbox started."""

    def routes(self) -> list[BaseRoute]:
        """Routes relative to the toolbox mount; the sandbox id is ``request.state.sandbox_id``."""

    async def sandbox_created(
        self, sandbox_id: str, disk_gib: float = 0, cpu: float = 0, memory_gib: float = 0
    ) -> None:
        """A sandbox was created (its filesystem root should exist from now on; its resources
        are limited where the toolbox can enforce them)."""

    async def sandbox_stopped(self, sandbox_id: str) -> None:
        """A sandbox stopped: its processes end, its files remain."""

    async def sandbox_destroyed(self, sandbox_id: str) -> None:
        """A sandbox was destroyed: its processes end and its files go."""
