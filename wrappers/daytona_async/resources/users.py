"""``daytona.users``."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from .._validation import validate_id
from ._base import Resource, unset_none

if TYPE_CHECKING:
    from daytona_api.models import AccountProvider, User


class Users(Resource):
    """Users and their linked accounts: ``daytona.users``."""

    async def me(self, *, timeout: float | None = None) -> User:
        """The authenticated user (an API key's user is ``"API Key User"``)."""
        from daytona_api.api.users import get_authenticated_user
        from daytona_api.models import User

        return await self._ctx.call_parsed(get_authenticated_user, expect=User, timeout=timeout)

    async def list(self, *, timeout: float | None = None) -> builtins.list[User]:
        """All users (system admin)."""
        from daytona_api.api.users import list_users

        items: builtins.list[User] = await self._ctx.call_parsed(
            list_users, expect=builtins.list, timeout=timeout
        )
        return items

    async def get(self, user_id: str, *, timeout: float | None = None) -> User:
        """One user by id (system admin)."""
        from daytona_api.api.users import get_user
        from daytona_api.models import User

        return await self._ctx.call_parsed(
            get_user, validate_id(user_id, "user id"), expect=User, timeout=timeout
        )

    async def create(
        self,
        user_id: str,
        name: str,
        *,
        email: str | None = None,
        role: str | None = None,
        email_verified: bool | None = None,
        timeout: float | None = None,
    ) -> None:
        """Create a user (system admin)."""
        from daytona_api.api.users import create_user
        from daytona_api.models import CreateUser, SystemRole

        body = CreateUser(
            id=user_id,
            name=name,
            **unset_none(
                email=email,
                role=SystemRole(role) if role is not None else None,
                email_verified=email_verified,
            ),
        )
        await self._ctx.call(create_user, body=body, timeout=timeout)

    async def regenerate_key_pair(self, user_id: str, *, timeout: float | None = None) -> None:
        """Regenerate a user's SSH key pair (system admin)."""
        from daytona_api.api.users import regenerate_key_pair

        await self._ctx.call(regenerate_key_pair, validate_id(user_id, "user id"), timeout=timeout)

    async def account_providers(
        self, *, timeout: float | None = None
    ) -> builtins.list[AccountProvider]:
        """The identity providers an account can be linked with."""
        from daytona_api.api.users import get_available_account_providers

        items: builtins.list[AccountProvider] = await self._ctx.call_parsed(
            get_available_account_providers, expect=builtins.list, timeout=timeout
        )
        return items

    async def link_account(
        self, provider: str, provider_user_id: str, *, timeout: float | None = None
    ) -> None:
        """Link the authenticated user's account with ``provider``'s user ``provider_user_id``."""
        from daytona_api.api.users import link_account
        from daytona_api.models import CreateLinkedAccount

        body: Any = CreateLinkedAccount(provider=provider, user_id=provider_user_id)
        await self._ctx.call(link_account, body=body, timeout=timeout)

    async def unlink_account(
        self, provider: str, provider_user_id: str, *, timeout: float | None = None
    ) -> None:
        """Undo :meth:`link_account`."""
        from daytona_api.api.users import unlink_account

        await self._ctx.call(
            unlink_account,
            validate_id(provider, "provider"),
            validate_id(provider_user_id, "provider user id"),
            timeout=timeout,
        )
