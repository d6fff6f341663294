"""``daytona.object_storage``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._base import Resource

if TYPE_CHECKING:
    from daytona_api.models import StorageAccessDto


class ObjectStorage(Resource):
    """The service's object storage for build contexts: ``daytona.object_storage``."""

    async def push_access(self, *, timeout: float | None = None) -> StorageAccessDto:
        """Temporary S3 credentials to upload build contexts (``{orgId}/...`` in the bucket)."""
        from daytona_api.api.object_storage import get_push_access
        from daytona_api.models import StorageAccessDto

        return await self._ctx.call_parsed(
            get_push_access, expect=StorageAccessDto, timeout=timeout
        )
