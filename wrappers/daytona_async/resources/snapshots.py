"""``daytona.snapshots``: paginated listing, create (with build logs), get, delete, toggle,
wait until active."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

import anyio

from .._deadline import Deadline
from .._logging import logger
from .._transport import RetryPolicy
from .._util import LogCallback, backoff_intervals
from .._validation import validate_id
from ..errors import (
    APIConnectionError,
    APIStatusError,
    DeadlineExceeded,
    InvalidArgumentError,
    NotFoundError,
    SnapshotStateError,
)
from ._base import Resource, unset_none

if TYPE_CHECKING:
    from daytona_api.models import CreateBuildInfo, PaginatedSnapshotsDto, SnapshotDto

    from .._image import Image

BUILDING = frozenset({"build_pending", "building"})
FAILED = frozenset({"error", "build_failed"})


def _state(snapshot: SnapshotDto) -> str:
    return str(getattr(snapshot.state, "value", snapshot.state))


class Snapshots(Resource):
    async def page(
        self, page: int = 1, limit: int = 100, *, timeout: float | None = None
    ) -> PaginatedSnapshotsDto:
        """One page: ``{items, total, page, totalPages}``."""
        from daytona_api.api.snapshots import get_all_snapshots
        from daytona_api.models import PaginatedSnapshotsDto

        return await self._ctx.call_parsed(
            get_all_snapshots, page=page, limit=limit, expect=PaginatedSnapshotsDto, timeout=timeout
        )

    async def list(
        self, *, page_size: int = 100, timeout: float | None = None
    ) -> AsyncIterator[SnapshotDto]:
        """Every snapshot (the organization's, then general ones), fetched page by page:
        ``async for snap in daytona.snapshots.list(): ...``. ``timeout`` bounds each page."""
        if page_size < 1:
            raise InvalidArgumentError("page_size must be >= 1")
        page = 1
        while True:
            result = await self.page(page, page_size, timeout=timeout)
            for item in result.items:
                yield item
            if page >= int(result.total_pages) or not result.items:
                return
            page += 1

    async def get(self, id_or_name: str, *, timeout: float | None = None) -> SnapshotDto:
        """By id or name (names may contain ``/``)."""
        from daytona_api.api.snapshots import get_snapshot
        from daytona_api.models import SnapshotDto

        validate_id(id_or_name, "snapshot id or name", allow_slash=True)
        return await self._ctx.call_parsed(
            get_snapshot, id_or_name, expect=SnapshotDto, timeout=timeout
        )

    async def create(
        self,
        name: str,
        image: str | Image | None = None,
        *,
        build: str | CreateBuildInfo | None = None,
        entrypoint: Sequence[str] | None = None,
        cpu: int | None = None,
        gpu: int | None = None,
        memory: int | None = None,
        disk: int | None = None,
        on_build_logs: LogCallback | None = None,
        wait: bool = True,
        timeout: float | None = 600.0,
    ) -> SnapshotDto:
        """Create a snapshot from ``image`` (tagged, not ``:latest``; or an :class:`Image`,
        whose local files are uploaded first) or ``build`` (Dockerfile content); with
        ``wait``, until ``active`` (build logs go to ``on_build_logs``).

        Not duplicated: names are unique per organization, so when the POST's outcome is
        unknown the snapshot is looked up by name before re-sending.
        """
        from daytona_api.api.snapshots import create_snapshot
        from daytona_api.models import CreateBuildInfo, CreateSnapshot, SnapshotDto

        if (image is None) == (build is None):
            raise InvalidArgumentError("pass exactly one of image= or build=")
        if not isinstance(image, str | None):
            from .._build_context import resolve_image

            build, timeout = await resolve_image(self._ctx, image, None, timeout)
            image = None
        validate_id(name, "snapshot name", allow_slash=True)
        build_info: Any = None
        if isinstance(build, str):
            build_info = CreateBuildInfo(dockerfile_content=build)
        elif build is not None:
            build_info = build
        body = CreateSnapshot(
            name=name,
            **unset_none(
                image_name=image,
                entrypoint=builtins.list(entrypoint) if entrypoint is not None else None,
                cpu=cpu,
                gpu=gpu,
                memory=memory,
                disk=disk,
                build_info=build_info,
            ),
        )
        dl = Deadline(timeout, f"create snapshot {name}")
        policy = RetryPolicy(
            max_retries=self._ctx.max_retries,
            statuses_any_method=frozenset({429}),
            statuses_idempotent=frozenset(),
            retry_after_send=False,
        )
        resends = 0
        while True:
            try:
                snapshot = await self._ctx.call_parsed(
                    create_snapshot, body=body, expect=SnapshotDto, deadline=dl, policy=policy
                )
                break
            except DeadlineExceeded:
                raise
            except (APIConnectionError, APIStatusError) as err:
                if isinstance(err, APIStatusError) and err.status_code < 500:
                    raise
                try:
                    snapshot = await self.get(name, timeout=min(30.0, dl.remaining()))
                    break
                except NotFoundError:
                    pass
                if resends >= self._ctx.max_retries:
                    raise
                resends += 1
                logger.info("create snapshot %s: outcome unknown (%s); re-sending", name, err)
                await anyio.sleep(min(0.5 * resends, dl.remaining()))
        if not wait:
            return snapshot
        if on_build_logs is not None and build is not None:
            from .._logs import follow_build_logs

            snap_id = snapshot.id

            async def build_over() -> bool:
                current = await self.get(snap_id, timeout=min(30.0, dl.remaining() or 0.001))
                return _state(current) not in BUILDING

            url = self._ctx.path("/snapshots/{id}/build-logs", id=snap_id)
            await follow_build_logs(self._ctx, url, on_build_logs, dl, build_over)
        return await self.wait_until_active(snapshot.id, deadline=dl)

    async def wait_until_active(
        self,
        snapshot_id: str,
        *,
        timeout: float | None = 600.0,
        deadline: Deadline | None = None,
    ) -> SnapshotDto:
        """Poll (0.1 s → 1 s) until ``active``; :class:`SnapshotStateError` on
        ``error``/``build_failed``."""
        dl = deadline or Deadline(timeout, f"wait for snapshot {snapshot_id}")
        intervals = backoff_intervals()
        while True:
            snapshot = await self.get(
                snapshot_id, timeout=dl.request_timeout(self._ctx.read_timeout)
            )
            state = _state(snapshot)
            if state == "active":
                return snapshot
            if state in FAILED:
                reason = snapshot.error_reason if isinstance(snapshot.error_reason, str) else None
                raise SnapshotStateError(snapshot.id, state, reason)
            delay = next(intervals)
            if dl.remaining() <= delay:
                raise dl.exceeded()
            await anyio.sleep(delay)

    async def delete(self, snapshot_id: str, *, timeout: float | None = None) -> None:
        """Delete by id (the service looks up ids only here)."""
        from daytona_api.api.snapshots import remove_snapshot

        await self._ctx.call(
            remove_snapshot, validate_id(snapshot_id, "snapshot id"), timeout=timeout
        )

    async def toggle(
        self, snapshot_id: str, enabled: bool, *, timeout: float | None = None
    ) -> SnapshotDto:
        """Enable or disable a snapshot."""
        from daytona_api.api.snapshots import toggle_snapshot_state
        from daytona_api.models import SnapshotDto, ToggleState

        return await self._ctx.call_parsed(
            toggle_snapshot_state,
            validate_id(snapshot_id, "snapshot id"),
            body=ToggleState(enabled=enabled),
            expect=SnapshotDto,
            timeout=timeout,
        )

    async def set_general(
        self, snapshot_id: str, general: bool, *, timeout: float | None = None
    ) -> SnapshotDto:
        """Make a snapshot general (visible to all organizations; system admin)."""
        from daytona_api.api.snapshots import set_snapshot_general_status
        from daytona_api.models import SetSnapshotGeneralStatusDto, SnapshotDto

        return await self._ctx.call_parsed(
            set_snapshot_general_status,
            validate_id(snapshot_id, "snapshot id"),
            body=SetSnapshotGeneralStatusDto(general=general),
            expect=SnapshotDto,
            timeout=timeout,
        )

    def follow_build_logs(
        self, snapshot_id: str, *, lines: bool = True, timeout: float | None = None
    ) -> AsyncIterator[str]:
        """``async for line in daytona.snapshots.follow_build_logs(id):`` the build log, live,
        until the snapshot left its build states (the service's stream never ends by itself)."""
        from .._toolbox_logs import snapshot_build_logs

        return snapshot_build_logs(self._ctx, snapshot_id, lines=lines, timeout=timeout)

    async def build_logs(self, snapshot_id: str, *, timeout: float | None = None) -> str:
        """The build log so far (not followed); :meth:`follow_build_logs` streams it."""
        response = await self._ctx.request(
            "GET",
            self._ctx.path("/snapshots/{id}/build-logs", id=snapshot_id),
            params={"follow": "false"},
            timeout=timeout,
        )
        return response.text


__all__ = ["Snapshots"]
