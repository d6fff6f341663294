from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.organization_member_role import OrganizationMemberRole
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateOrganizationInvitation")


@_attrs_define
class CreateOrganizationInvitation:
    """
    Attributes:
        email (str):
        role (OrganizationMemberRole):  Default: OrganizationMemberRole.MEMBER.
        assigned_role_ids (list[str]):
        expires_at (datetime.datetime | Unset):
    """

    email: str
    assigned_role_ids: list[str]
    role: OrganizationMemberRole = OrganizationMemberRole.MEMBER
    expires_at: datetime.datetime | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        role = self.role.value

        assigned_role_ids = self.assigned_role_ids

        expires_at: str | Unset = UNSET
        if not isinstance(self.expires_at, Unset):
            expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "email": email,
                "role": role,
                "assignedRoleIds": assigned_role_ids,
            }
        )
        if expires_at is not UNSET:
            field_dict["expiresAt"] = expires_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        role = OrganizationMemberRole._parse(d.pop("role"))

        assigned_role_ids = cast(list[str], d.pop("assignedRoleIds"))

        _expires_at = d.pop("expiresAt", UNSET)
        expires_at: datetime.datetime | Unset
        if isinstance(_expires_at, Unset):
            expires_at = UNSET
        else:
            expires_at = datetime.datetime.fromisoformat(_expires_at)

        create_organization_invitation = cls(
            email=email,
            role=role,
            assigned_role_ids=assigned_role_ids,
            expires_at=expires_at,
        )

        create_organization_invitation.additional_properties = d
        return create_organization_invitation

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
