from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.organization_invitation_status import OrganizationInvitationStatus
from ..models.organization_member_role import OrganizationMemberRole

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
        id = d.pop("id")

        email = d.pop("email")

        invited_by = d.pop("invitedBy")

        organization_id = d.pop("organizationId")

        organization_name = d.pop("organizationName")

        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))

        status = OrganizationInvitationStatus._parse(d.pop("status"))

        role = OrganizationMemberRole._parse(d.pop("role"))

        assigned_roles = []
        _assigned_roles = d.pop("assignedRoles")
        for assigned_roles_item_data in _assigned_roles:
            assigned_roles_item = OrganizationRole.from_dict(assigned_roles_item_data)

            assigned_roles.append(assigned_roles_item)

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        organization_invitation = cls(
            id=id,
            email=email,
            invited_by=invited_by,
            organization_id=organization_id,
            organization_name=organization_name,
            expires_at=expires_at,
            status=status,
            role=role,
            assigned_roles=assigned_roles,
            created_at=created_at,
            updated_at=updated_at,
        )

        organization_invitation.additional_properties = d
        return organization_invitation

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
from ..models.organization_role import OrganizationRole
