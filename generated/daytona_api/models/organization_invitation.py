from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.organization_invitation_status import OrganizationInvitationStatus
from ..models.organization_member_role import OrganizationMemberRole
from ..types import missing_field

if TYPE_CHECKING:
    from ..models.organization_role import OrganizationRole


T = TypeVar("T", bound="OrganizationInvitation")


@_attrs_define
class OrganizationInvitation:
    """
    Attributes:
        id (str):
        email (str):
        invited_by (str):
        organization_id (str):
        organization_name (str):
        expires_at (datetime.datetime):
        status (OrganizationInvitationStatus):
        role (OrganizationMemberRole):
        assigned_roles (list[OrganizationRole]):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
    """

    id: str
    email: str
    invited_by: str
    organization_id: str
    organization_name: str
    expires_at: datetime.datetime
    status: OrganizationInvitationStatus
    role: OrganizationMemberRole
    assigned_roles: list[OrganizationRole]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email = self.email

        invited_by = self.invited_by

        organization_id = self.organization_id

        organization_name = self.organization_name

        expires_at = self.expires_at.isoformat()

        status = self.status.value

        role = self.role.value

        assigned_roles = []
        for assigned_roles_item_data in self.assigned_roles:
            assigned_roles_item = assigned_roles_item_data.to_dict()
            assigned_roles.append(assigned_roles_item)

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "invitedBy": invited_by,
                "organizationId": organization_id,
                "organizationName": organization_name,
                "expiresAt": expires_at,
                "status": status,
                "role": role,
                "assignedRoles": assigned_roles,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            email = _pop_("email")

            invited_by = _pop_("invitedBy")

            organization_id = _pop_("organizationId")

            organization_name = _pop_("organizationName")

            expires_at = datetime.datetime.fromisoformat(_pop_("expiresAt"))

            _status = _pop_("status")
            status: OrganizationInvitationStatus
            try:
                status = _OrganizationInvitationStatus_BY_VALUE[_status]
            except (KeyError, TypeError):
                status = OrganizationInvitationStatus._parse(_status)

            _role = _pop_("role")
            role: OrganizationMemberRole
            try:
                role = _OrganizationMemberRole_BY_VALUE[_role]
            except (KeyError, TypeError):
                role = OrganizationMemberRole._parse(_role)

            assigned_roles = []
            _assigned_roles = _pop_("assignedRoles")
            for assigned_roles_item_data in _assigned_roles:
                assigned_roles_item = OrganizationRole.from_dict(
                    assigned_roles_item_data
                )

                assigned_roles.append(assigned_roles_item)

            created_at = datetime.datetime.fromisoformat(_pop_("createdAt"))

            updated_at = datetime.datetime.fromisoformat(_pop_("updatedAt"))

        except KeyError as _error_:
            raise missing_field("OrganizationInvitation", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _organization_invitation = object.__new__(cls)
        _organization_invitation.id = id
        _organization_invitation.email = email
        _organization_invitation.invited_by = invited_by
        _organization_invitation.organization_id = organization_id
        _organization_invitation.organization_name = organization_name
        _organization_invitation.expires_at = expires_at
        _organization_invitation.status = status
        _organization_invitation.role = role
        _organization_invitation.assigned_roles = assigned_roles
        _organization_invitation.created_at = created_at
        _organization_invitation.updated_at = updated_at

        _organization_invitation.additional_properties = d
        return _organization_invitation

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties


# Imported at the end, once this module's class exists, so that models referring to each
# other still import; from_dict()/to_dict() then pay no import machinery per call.
from ..models.organization_invitation_status import (
    _BY_VALUE as _OrganizationInvitationStatus_BY_VALUE,
)
from ..models.organization_member_role import (
    _BY_VALUE as _OrganizationMemberRole_BY_VALUE,
)
from ..models.organization_role import OrganizationRole
