"""``daytona.volumes``."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from .._deadline import Deadline
from .._util import poll_until
from .._validation import validate_id
from ..errors import BadRequestError, DaytonaError, NotFoundError
from ._base import Resource

if TYPE_CHECKING:
    from daytona_api.models import VolumeDto


def _state(volume: VolumeDto) -> str:
    return str(getattr(volume.state, "value", volume.state))


class Volumes(Resource):
    """Shared volumes that sandboxes mount: ``daytona.volumes``."""

    async def list(
        self, *, include_deleted: bool = False, timeout: float | None = None
    ) -> builtins.list[VolumeDto]:
        """The organization's volumes. (The parameter is sent only when true: the service
        treats any value, even ``false``, as true.)"""
        from daytona_api.api.volumes import list_volumes
        from daytona_api.types import UNSET

        items: builtins.list[VolumeDto] = await self._ctx.call_parsed(
            list_volumes,
            include_deleted=True if include_deleted else UNSET,
            expect=builtins.list,
            timeout=timeout,
        )
        return items

    async def create(self, name: str, *, timeout: float | None = None) -> VolumeDto:
        """Create a volume (``pending_create`` at first: see :meth:`wait_until_ready`)."""
        from daytona_api.api.volumes import create_volume
        from daytona_api.models import CreateVolume, VolumeDto

        validate_id(name, "volume name")
        return await self._ctx.call_parsed(
            create_volume, body=CreateVolume(name=name), expect=VolumeDto, timeout=timeout
        )

    async def get(
        self, name: str, *, create: bool = False, timeout: float | None = None
    ) -> VolumeDto:
        """The volume named ``name``; with ``create=True``, created when the service answers
        exactly ``Volume with name {name} not found`` (a race with another creator is
        resolved by reading it again)."""
        from daytona_api.api.volumes import get_volume_by_name
        from daytona_api.models import VolumeDto

        validate_id(name, "volume name")
        dl = Deadline(
            timeout if timeout is not None else self._ctx.call_timeout, f"get volume {name}"
        )
        try:
            return await self._ctx.call_parsed(
                get_volume_by_name, name, expect=VolumeDto, deadline=dl
            )
        except NotFoundError as err:
            if not create or err.message != f"Volume with name {name} not found":
                raise
        try:
            return await self.create(name, timeout=dl.remaining())
        except BadRequestError as err:
            if "already exists" not in err.message:
                raise
            return await self._ctx.call_parsed(
                get_volume_by_name, name, expect=VolumeDto, deadline=dl
            )

    async def get_by_id(self, volume_id: str, *, timeout: float | None = None) -> VolumeDto:
        """One volume by id."""
        from daytona_api.api.volumes import get_volume
        from daytona_api.models import VolumeDto

        return await self._ctx.call_parsed(
            get_volume, validate_id(volume_id, "volume id"), expect=VolumeDto, timeout=timeout
        )

    async def delete(self, volume_id: str, *, timeout: float | None = None) -> None:
        """Delete (the volume must be ``ready``)."""
        from daytona_api.api.volumes import delete_volume

        await self._ctx.call(delete_volume, validate_id(volume_id, "volume id"), timeout=timeout)

    async def wait_until_ready(self, volume_id: str, *, timeout: float | None = 60.0) -> VolumeDto:
        """Poll (0.1 s → 1 s) until ``ready``; ``DaytonaError`` if it goes to ``error``."""
        dl = Deadline(timeout, f"wait for volume {volume_id}")

        async def ready() -> VolumeDto | None:
            volume = await self.get_by_id(volume_id, timeout=dl.remaining())
            state = _state(volume)
            if state == "ready":
                return volume
            if state in ("error", "deleted"):
                raise DaytonaError(f"volume {volume_id} is {state}: {volume.error_reason}")
            return None

        return await poll_until(ready, dl)
