"""``daytona.api_keys``."""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .._logging import register_secret
from .._validation import validate_id
from ._base import Resource

if TYPE_CHECKING:
    from daytona_api.models import ApiKeyList, ApiKeyResponse


class ApiKeys(Resource):
    """API keys of the organization: ``daytona.api_keys``."""

    async def list(self, *, timeout: float | None = None) -> builtins.list[ApiKeyList]:
        """The organization's keys (values masked)."""
        from daytona_api.api.api_keys import list_api_keys

        items: builtins.list[ApiKeyList] = await self._ctx.call_parsed(
            list_api_keys, expect=builtins.list, timeout=timeout
        )
        return items

    async def create(
        self,
        name: str,
        permissions: Iterable[str] = (),
        *,
        expires_at: datetime.datetime | None = None,
        timeout: float | None = None,
    ) -> ApiKeyResponse:
        """Create a key. Its ``value`` is returned only here (and redacted from SDK logs)."""
        from daytona_api.api.api_keys import create_api_key
        from daytona_api.models import (
            ApiKeyResponse,
            CreateApiKey,
            OrganizationResourcePermission,
        )
        from daytona_api.types import UNSET

        body = CreateApiKey(
            name=name,
            permissions=[OrganizationResourcePermission(p) for p in permissions],
            expires_at=expires_at if expires_at is not None else UNSET,
        )
        result = await self._ctx.call_parsed(
            create_api_key, body=body, expect=ApiKeyResponse, timeout=timeout
        )
        register_secret(getattr(result, "value", None))
        return result

    async def get(self, name: str, *, timeout: float | None = None) -> ApiKeyList:
        """One key by name (value masked)."""
        from daytona_api.api.api_keys import get_api_key
        from daytona_api.models import ApiKeyList

        return await self._ctx.call_parsed(
            get_api_key, validate_id(name, "API key name"), expect=ApiKeyList, timeout=timeout
        )

    async def current(self, *, timeout: float | None = None) -> ApiKeyList:
        """The key this client authenticates with (API-key auth only)."""
        from daytona_api.api.api_keys import get_current_api_key
        from daytona_api.models import ApiKeyList

        return await self._ctx.call_parsed(get_current_api_key, expect=ApiKeyList, timeout=timeout)

    async def delete(self, name: str, *, timeout: float | None = None) -> None:
        """Delete (revoke) the key named ``name``."""
        from daytona_api.api.api_keys import delete_api_key

        await self._ctx.call(delete_api_key, validate_id(name, "API key name"), timeout=timeout)
