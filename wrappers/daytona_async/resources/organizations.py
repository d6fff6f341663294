"""``daytona.organizations``: organizations, members, roles, invitations, quota, usage.

Most of these endpoints accept only a JWT (an API key gets 401). ``organization_id`` defaults
to the client's (JWT mode)."""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._validation import validate_id
from ._base import Resource, unset_none

if TYPE_CHECKING:
    from daytona_api.models import (
        Organization,
        OrganizationInvitation,
        OrganizationRole,
        OrganizationUser,
        UsageOverview,
    )


def _perms(permissions: Iterable[str]) -> builtins.list[Any]:
    from daytona_api.models import OrganizationResourcePermission

    return [OrganizationResourcePermission(p) for p in permissions]


class Organizations(Resource):
    # -- organizations -----------------------------------------------------------------

    """Organizations, their members, roles and invitations, quota and usage:
    ``daytona.organizations``.

    Most of these calls accept only a JWT (an API key gets 401). ``organization_id`` defaults to
    the client's own (``organization_id=`` / ``DAYTONA_ORGANIZATION_ID``)."""

    async def list(self, *, timeout: float | None = None) -> builtins.list[Organization]:
        """The organizations the authenticated user belongs to."""
        from daytona_api.api.organizations import list_organizations

        items: builtins.list[Organization] = await self._ctx.call_parsed(
            list_organizations, expect=builtins.list, timeout=timeout
        )
        return items

    async def create(self, name: str, *, timeout: float | None = None) -> Organization:
        """Create an organization owned by the authenticated user."""
        from daytona_api.api.organizations import create_organization
        from daytona_api.models import CreateOrganization, Organization

        return await self._ctx.call_parsed(
            create_organization,
            body=CreateOrganization(name=name),
            expect=Organization,
            timeout=timeout,
        )

    async def get(
        self, organization_id: str | None = None, *, timeout: float | None = None
    ) -> Organization:
        """One organization (default: the client's)."""
        from daytona_api.api.organizations import get_organization
        from daytona_api.models import Organization

        return await self._ctx.call_parsed(
            get_organization, self._org(organization_id), expect=Organization, timeout=timeout
        )

    async def delete(self, organization_id: str, *, timeout: float | None = None) -> None:
        """Delete an organization (its owner only)."""
        from daytona_api.api.organizations import delete_organization

        await self._ctx.call(delete_organization, self._org(organization_id), timeout=timeout)

    async def leave(self, organization_id: str, *, timeout: float | None = None) -> None:
        """Leave an organization as the authenticated user."""
        from daytona_api.api.organizations import leave_organization

        await self._ctx.call(leave_organization, self._org(organization_id), timeout=timeout)

    async def usage(
        self, organization_id: str | None = None, *, timeout: float | None = None
    ) -> UsageOverview:
        """Current resource usage of an organization against its quotas."""
        from daytona_api.api.organizations import get_organization_usage_overview
        from daytona_api.models import UsageOverview

        return await self._ctx.call_parsed(
            get_organization_usage_overview,
            self._org(organization_id),
            expect=UsageOverview,
            timeout=timeout,
        )

    async def update_quota(
        self,
        organization_id: str | None = None,
        *,
        total_cpu_quota: float | None = None,
        total_memory_quota: float | None = None,
        total_disk_quota: float | None = None,
        max_cpu_per_sandbox: float | None = None,
        max_memory_per_sandbox: float | None = None,
        max_disk_per_sandbox: float | None = None,
        snapshot_quota: float | None = None,
        max_snapshot_size: float | None = None,
        volume_quota: float | None = None,
        timeout: float | None = None,
    ) -> Organization:
        """Change quotas (system admin); ``None`` leaves a value unchanged."""
        from daytona_api.api.organizations import update_organization_quota
        from daytona_api.models import Organization, UpdateOrganizationQuota

        body = UpdateOrganizationQuota(
            total_cpu_quota=total_cpu_quota,
            total_memory_quota=total_memory_quota,
            total_disk_quota=total_disk_quota,
            max_cpu_per_sandbox=max_cpu_per_sandbox,
            max_memory_per_sandbox=max_memory_per_sandbox,
            max_disk_per_sandbox=max_disk_per_sandbox,
            snapshot_quota=snapshot_quota,
            max_snapshot_size=max_snapshot_size,
            volume_quota=volume_quota,
        )
        return await self._ctx.call_parsed(
            update_organization_quota,
            self._org(organization_id),
            body=body,
            expect=Organization,
            timeout=timeout,
        )

    async def suspend(
        self,
        organization_id: str,
        *,
        reason: str,
        until: datetime.datetime,
        timeout: float | None = None,
    ) -> None:
        """Suspend (system admin): blocks sandbox create/start."""
        from daytona_api.api.organizations import suspend_organization
        from daytona_api.models import OrganizationSuspension

        body = OrganizationSuspension(reason=reason, until=until)
        await self._ctx.call(
            suspend_organization, self._org(organization_id), body=body, timeout=timeout
        )

    async def unsuspend(self, organization_id: str, *, timeout: float | None = None) -> None:
        """Lift a suspension (system admin)."""
        from daytona_api.api.organizations import unsuspend_organization

        await self._ctx.call(unsuspend_organization, self._org(organization_id), timeout=timeout)

    # -- members -----------------------------------------------------------------------

    async def members(
        self, organization_id: str | None = None, *, timeout: float | None = None
    ) -> builtins.list[OrganizationUser]:
        """The members of an organization, with their roles."""
        from daytona_api.api.organizations import list_organization_members

        items: builtins.list[OrganizationUser] = await self._ctx.call_parsed(
            list_organization_members,
            self._org(organization_id),
            expect=builtins.list,
            timeout=timeout,
        )
        return items

    async def set_member_role(
        self,
        user_id: str,
        role: str,
        *,
        organization_id: str | None = None,
        timeout: float | None = None,
    ) -> OrganizationUser:
        """``role``: ``"owner"`` or ``"member"``."""
        from daytona_api.api.organizations import update_role_for_organization_member
        from daytona_api.models import (
            OrganizationMemberRole,
            OrganizationUser,
            UpdateOrganizationMemberRole,
        )

        body = UpdateOrganizationMemberRole(role=OrganizationMemberRole(role))
        return await self._ctx.call_parsed(
            update_role_for_organization_member,
            self._org(organization_id),
            validate_id(user_id, "user id"),
            body=body,
            expect=OrganizationUser,
            timeout=timeout,
        )

    async def set_member_assigned_roles(
        self,
        user_id: str,
        role_ids: Iterable[str],
        *,
        organization_id: str | None = None,
        timeout: float | None = None,
    ) -> OrganizationUser:
        """Replace the custom roles (by id) assigned to a member."""
        from daytona_api.api.organizations import update_assigned_organization_roles
        from daytona_api.models import OrganizationUser, UpdateAssignedOrganizationRoles

        body = UpdateAssignedOrganizationRoles(role_ids=builtins.list(role_ids))
        return await self._ctx.call_parsed(
            update_assigned_organization_roles,
            self._org(organization_id),
            validate_id(user_id, "user id"),
            body=body,
            expect=OrganizationUser,
            timeout=timeout,
        )

    async def remove_member(
        self, user_id: str, *, organization_id: str | None = None, timeout: float | None = None
    ) -> None:
        """Remove a member from an organization."""
        from daytona_api.api.organizations import delete_organization_member

        await self._ctx.call(
            delete_organization_member,
            self._org(organization_id),
            validate_id(user_id, "user id"),
            timeout=timeout,
        )

    # -- roles -------------------------------------------------------------------------

    async def roles(
        self, organization_id: str | None = None, *, timeout: float | None = None
    ) -> builtins.list[OrganizationRole]:
        """The custom roles of an organization."""
        from daytona_api.api.organizations import list_organization_roles

        items: builtins.list[OrganizationRole] = await self._ctx.call_parsed(
            list_organization_roles,
            self._org(organization_id),
            expect=builtins.list,
            timeout=timeout,
        )
        return items

    async def create_role(
        self,
        name: str,
        permissions: Iterable[str],
        *,
        description: str = "",
        organization_id: str | None = None,
        timeout: float | None = None,
    ) -> OrganizationRole:
        """Create a custom role granting ``permissions`` (e.g. ``"write:sandboxes"``)."""
        from daytona_api.api.organizations import create_organization_role
        from daytona_api.models import CreateOrganizationRole, OrganizationRole

        body = CreateOrganizationRole(
            name=name, description=description, permissions=_perms(permissions)
        )
        return await self._ctx.call_parsed(
            create_organization_role,
            self._org(organization_id),
            body=body,
            expect=OrganizationRole,
            timeout=timeout,
        )

    async def update_role(
        self,
        role_id: str,
        *,
        name: str,
        permissions: Iterable[str],
        description: str = "",
        organization_id: str | None = None,
        timeout: float | None = None,
    ) -> OrganizationRole:
        """Replace a custom role's name, description and permissions."""
        from daytona_api.api.organizations import update_organization_role
        from daytona_api.models import OrganizationRole, UpdateOrganizationRole

        body = UpdateOrganizationRole(
            name=name, description=description, permissions=_perms(permissions)
        )
        return await self._ctx.call_parsed(
            update_organization_role,
            self._org(organization_id),
            validate_id(role_id, "role id"),
            body=body,
            expect=OrganizationRole,
            timeout=timeout,
        )

    async def delete_role(
        self, role_id: str, *, organization_id: str | None = None, timeout: float | None = None
    ) -> None:
        """Delete a custom role."""
        from daytona_api.api.organizations import delete_organization_role

        await self._ctx.call(
            delete_organization_role,
            self._org(organization_id),
            validate_id(role_id, "role id"),
            timeout=timeout,
        )

    # -- invitations -------------------------------------------------------------------

    async def invitations(
        self, organization_id: str | None = None, *, timeout: float | None = None
    ) -> builtins.list[OrganizationInvitation]:
        """Pending invitations of an organization."""
        from daytona_api.api.organizations import list_organization_invitations

        items: builtins.list[OrganizationInvitation] = await self._ctx.call_parsed(
            list_organization_invitations,
            self._org(organization_id),
            expect=builtins.list,
            timeout=timeout,
        )
        return items

    async def invite(
        self,
        email: str,
        *,
        role: str = "member",
        assigned_role_ids: Iterable[str] = (),
        expires_at: datetime.datetime | None = None,
        organization_id: str | None = None,
        timeout: float | None = None,
    ) -> OrganizationInvitation:
        """Invite ``email`` to an organization as ``role`` (``"owner"`` or ``"member"``)."""
        from daytona_api.api.organizations import create_organization_invitation
        from daytona_api.models import (
            CreateOrganizationInvitation,
            OrganizationInvitation,
            OrganizationMemberRole,
        )

        body = CreateOrganizationInvitation(
            email=email,
            assigned_role_ids=builtins.list(assigned_role_ids),
            role=OrganizationMemberRole(role),
            **unset_none(expires_at=expires_at),
        )
        return await self._ctx.call_parsed(
            create_organization_invitation,
            self._org(organization_id),
            body=body,
            expect=OrganizationInvitation,
            timeout=timeout,
        )

    async def update_invitation(
        self,
        invitation_id: str,
        *,
        role: str,
        assigned_role_ids: Iterable[str],
        expires_at: datetime.datetime | None = None,
        organization_id: str | None = None,
        timeout: float | None = None,
    ) -> OrganizationInvitation:
        """Change a pending invitation's role, assigned roles or expiry."""
        from daytona_api.api.organizations import update_organization_invitation
        from daytona_api.models import (
            OrganizationInvitation,
            OrganizationMemberRole,
            UpdateOrganizationInvitation,
        )

        body = UpdateOrganizationInvitation(
            role=OrganizationMemberRole(role),
            assigned_role_ids=builtins.list(assigned_role_ids),
            **unset_none(expires_at=expires_at),
        )
        return await self._ctx.call_parsed(
            update_organization_invitation,
            self._org(organization_id),
            validate_id(invitation_id, "invitation id"),
            body=body,
            expect=OrganizationInvitation,
            timeout=timeout,
        )

    async def cancel_invitation(
        self,
        invitation_id: str,
        *,
        organization_id: str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Cancel a pending invitation."""
        from daytona_api.api.organizations import cancel_organization_invitation

        await self._ctx.call(
            cancel_organization_invitation,
            self._org(organization_id),
            validate_id(invitation_id, "invitation id"),
            timeout=timeout,
        )

    async def my_invitations(
        self, *, timeout: float | None = None
    ) -> builtins.list[OrganizationInvitation]:
        """Invitations addressed to the authenticated user."""
        from daytona_api.api.organizations import (
            list_organization_invitations_for_authenticated_user,
        )

        items: builtins.list[OrganizationInvitation] = await self._ctx.call_parsed(
            list_organization_invitations_for_authenticated_user,
            expect=builtins.list,
            timeout=timeout,
        )
        return items

    async def my_invitations_count(self, *, timeout: float | None = None) -> int:
        """How many invitations address the authenticated user."""
        from daytona_api.api.organizations import (
            get_organization_invitations_count_for_authenticated_user,
        )

        response = await self._ctx.call(
            get_organization_invitations_count_for_authenticated_user, timeout=timeout
        )
        if isinstance(response.parsed, int | float):
            return int(response.parsed)
        return int(response.content.decode().strip() or 0)

    async def accept_invitation(self, invitation_id: str, *, timeout: float | None = None) -> None:
        """Accept an invitation addressed to the authenticated user."""
        from daytona_api.api.organizations import accept_organization_invitation

        await self._ctx.call(
            accept_organization_invitation,
            validate_id(invitation_id, "invitation id"),
            timeout=timeout,
        )

    async def decline_invitation(self, invitation_id: str, *, timeout: float | None = None) -> None:
        """Decline an invitation addressed to the authenticated user."""
        from daytona_api.api.organizations import decline_organization_invitation

        await self._ctx.call(
            decline_organization_invitation,
            validate_id(invitation_id, "invitation id"),
            timeout=timeout,
        )
