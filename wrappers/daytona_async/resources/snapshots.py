"""``daytona.snapshots``: paginated listing, create (with build logs), get, delete, toggle,
wait until active."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any

from .._build_logs import deliver_lines, follow_build_logs, snapshot_build_over
from .._create_once import create_once, lookup_first_policy
from .._deadline import Deadline
from .._util import LogCallback, poll_until
from .._validation import validate_id
from ..errors import InvalidArgumentError, NotFoundError, SnapshotStateError
from ._base import Resource, unset_none

if TYPE_CHECKING:
    from daytona_api.models import CreateBuildInfo, PaginatedSnapshotsDto, SnapshotDto

    from .._image import Image

FAILED = frozenset({"error", "build_failed"})


def _state(snapshot: SnapshotDto) -> str:
    return str(getattr(snapshot.state, "value", snapshot.state))


class Snapshots(Resource):
    """Snapshots (named images that sandboxes start from): ``daytona.snapshots``."""

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
        policy = lookup_first_policy(self._ctx.max_retries)

        async def send() -> SnapshotDto:
            return await self._ctx.call_parsed(
                create_snapshot, body=body, expect=SnapshotDto, deadline=dl, policy=policy
            )

        async def lookup() -> SnapshotDto | None:
            # names are unique per organization: the name is the create's key
            try:
                return await self.get(name, timeout=min(30.0, dl.remaining()))
            except NotFoundError:
                return None

        snapshot = await create_once(
            send,
            lookup,
            deadline=dl,
            max_resends=self._ctx.max_retries,
            what=f"create snapshot {name}",
        )
        if not wait:
            return snapshot
        if on_build_logs is not None and build is not None:
            await deliver_lines(self._follow(snapshot.id, True, dl), on_build_logs)
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

        async def active() -> SnapshotDto | None:
            snapshot = await self.get(
                snapshot_id, timeout=dl.request_timeout(self._ctx.read_timeout)
            )
            state = _state(snapshot)
            if state == "active":
                return snapshot
            if state in FAILED:
                reason = snapshot.error_reason if isinstance(snapshot.error_reason, str) else None
                raise SnapshotStateError(snapshot.id, state, reason)
            return None

        return await poll_until(active, dl)

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
        until the build is over (the service's stream never ends by itself)."""
        validate_id(snapshot_id, "snapshot id")
        return self._follow(snapshot_id, lines, Deadline(timeout, f"build logs of {snapshot_id}"))

    def _follow(self, snapshot_id: str, lines: bool, dl: Deadline) -> AsyncIterator[str]:
        from daytona_api.api.snapshots import get_snapshot_build_logs

        async def build_over() -> bool:
            current = await self.get(snapshot_id, timeout=30.0)
            return snapshot_build_over(_state(current))

        return follow_build_logs(
            self._ctx,
            get_snapshot_build_logs.asyncio_stream,
            snapshot_id,
            build_over,
            lines=lines,
            deadline=dl,
        )

    async def build_logs(self, snapshot_id: str, *, timeout: float | None = None) -> str:
        """The build log so far (not followed); :meth:`follow_build_logs` streams it."""
        from daytona_api.api.snapshots import get_snapshot_build_logs

        response = await self._ctx.call(
            get_snapshot_build_logs,
            validate_id(snapshot_id, "snapshot id"),
            follow=False,
            timeout=timeout,
        )
        return response.content.decode("utf-8", errors="replace")


__all__ = ["Snapshots"]
