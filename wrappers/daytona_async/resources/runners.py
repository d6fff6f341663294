"""``daytona.runners`` (system admin, JWT)."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from .._validation import validate_id
from ._base import Resource

if TYPE_CHECKING:
    from daytona_api.models import Runner


class Runners(Resource):
    """The runners that host sandboxes (system admin, JWT): ``daytona.runners``."""

    async def list(self, *, timeout: float | None = None) -> builtins.list[Runner]:
        """All runners."""
        from daytona_api.api.runners import list_runners

        items: builtins.list[Runner] = await self._ctx.call_parsed(
            list_runners, expect=builtins.list, timeout=timeout
        )
        return items

    async def create(
        self,
        *,
        domain: str,
        api_url: str,
        api_key: str,
        cpu: float,
        memory: float,
        disk: float,
        gpu: float = 0,
        gpu_type: str = "",
        sandbox_class: str = "small",
        capacity: float = 1000,
        region: str = "us",
        timeout: float | None = None,
    ) -> Runner:
        """Register a runner (its ``api_key`` is a credential: never logged)."""
        from daytona_api.api.runners import create_runner
        from daytona_api.models import CreateRunner, Region, Runner, SandboxClass

        body = CreateRunner(
            domain=domain,
            api_url=api_url,
            api_key=api_key,
            cpu=cpu,
            memory=memory,
            disk=disk,
            gpu=gpu,
            gpu_type=gpu_type,
            class_=SandboxClass(sandbox_class),
            capacity=capacity,
            region=Region(region),
        )
        return await self._ctx.call_parsed(create_runner, body=body, expect=Runner, timeout=timeout)

    async def set_scheduling(
        self, runner_id: str, unschedulable: bool, *, timeout: float | None = None
    ) -> Runner:
        """Mark a runner unschedulable (no new sandboxes) or schedulable again."""
        from daytona_api.api.runners import update_runner_scheduling
        from daytona_api.models import Runner, RunnerScheduling

        body: Any = RunnerScheduling(unschedulable=unschedulable)
        return await self._ctx.call_parsed(
            update_runner_scheduling,
            validate_id(runner_id, "runner id"),
            body=body,
            expect=Runner,
            timeout=timeout,
        )
