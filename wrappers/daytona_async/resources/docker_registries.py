"""``daytona.docker_registries``."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING

from .._validation import validate_id
from ._base import Resource, unset_none

if TYPE_CHECKING:
    from daytona_api.models import DockerRegistry, RegistryPushAccessDto


class DockerRegistries(Resource):
    """Container registries the service pulls images from: ``daytona.docker_registries``.

    Passwords are sent only on create/update and never appear in a ``repr``."""

    async def list(self, *, timeout: float | None = None) -> builtins.list[DockerRegistry]:
        """The organization's registries."""
        from daytona_api.api.docker_registry import list_registries

        items: builtins.list[DockerRegistry] = await self._ctx.call_parsed(
            list_registries, expect=builtins.list, timeout=timeout
        )
        return items

    async def create(
        self,
        *,
        name: str,
        url: str,
        username: str,
        password: str,
        project: str = "",
        registry_type: str = "organization",
        is_default: bool = False,
        timeout: float | None = None,
    ) -> DockerRegistry:
        """Register a registry (``registry_type``: ``"organization"``, ``"internal"``,
        ``"public"`` or ``"transient"``)."""
        from daytona_api.api.docker_registry import create_registry
        from daytona_api.models import CreateDockerRegistry, DockerRegistry, DockerRegistryType

        body = CreateDockerRegistry(
            name=name,
            url=url,
            username=username,
            password=password,
            project=project,
            registry_type=DockerRegistryType(registry_type),
            is_default=is_default,
        )
        return await self._ctx.call_parsed(
            create_registry, body=body, expect=DockerRegistry, timeout=timeout
        )

    async def get(self, registry_id: str, *, timeout: float | None = None) -> DockerRegistry:
        """One registry by id."""
        from daytona_api.api.docker_registry import get_registry
        from daytona_api.models import DockerRegistry

        return await self._ctx.call_parsed(
            get_registry,
            validate_id(registry_id, "registry id"),
            expect=DockerRegistry,
            timeout=timeout,
        )

    async def update(
        self,
        registry_id: str,
        *,
        name: str,
        username: str,
        password: str | None = None,
        timeout: float | None = None,
    ) -> DockerRegistry:
        """Change a registry's name and username (and password when given)."""
        from daytona_api.api.docker_registry import update_registry
        from daytona_api.models import DockerRegistry, UpdateDockerRegistry

        body = UpdateDockerRegistry(name=name, username=username, **unset_none(password=password))
        return await self._ctx.call_parsed(
            update_registry,
            validate_id(registry_id, "registry id"),
            body=body,
            expect=DockerRegistry,
            timeout=timeout,
        )

    async def delete(self, registry_id: str, *, timeout: float | None = None) -> None:
        """Remove a registry."""
        from daytona_api.api.docker_registry import delete_registry

        await self._ctx.call(
            delete_registry, validate_id(registry_id, "registry id"), timeout=timeout
        )

    async def set_default(
        self, registry_id: str, *, timeout: float | None = None
    ) -> DockerRegistry:
        """Make this registry the organization's default."""
        from daytona_api.api.docker_registry import set_default_registry
        from daytona_api.models import DockerRegistry

        return await self._ctx.call_parsed(
            set_default_registry,
            validate_id(registry_id, "registry id"),
            expect=DockerRegistry,
            timeout=timeout,
        )

    async def push_access(self, *, timeout: float | None = None) -> RegistryPushAccessDto:
        """Temporary credentials for the transient push registry."""
        from daytona_api.api.docker_registry import get_transient_push_access
        from daytona_api.models import RegistryPushAccessDto

        return await self._ctx.call_parsed(
            get_transient_push_access, expect=RegistryPushAccessDto, timeout=timeout
        )
