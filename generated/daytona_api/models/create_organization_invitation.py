from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.organization_member_role import OrganizationMemberRole
from ..types import UNSET, Unset, missing_field

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
        _pop_ = d.pop
        try:
            email = _pop_("email")

            _role = _pop_("role", OrganizationMemberRole.MEMBER)
            role: OrganizationMemberRole
            try:
                role = _OrganizationMemberRole_BY_VALUE[_role]
            except (KeyError, TypeError):
                role = OrganizationMemberRole._parse(_role)

            assigned_role_ids = cast(list[str], _pop_("assignedRoleIds"))

            _expires_at = _pop_("expiresAt", UNSET)
            expires_at: datetime.datetime | Unset
            if isinstance(_expires_at, Unset):
                expires_at = UNSET
            else:
                expires_at = datetime.datetime.fromisoformat(_expires_at)

        except KeyError as _error_:
            raise missing_field(
                "CreateOrganizationInvitation", _error_, src_dict
            ) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_organization_invitation = object.__new__(cls)
        _create_organization_invitation.email = email
        _create_organization_invitation.role = role
        _create_organization_invitation.assigned_role_ids = assigned_role_ids
        _create_organization_invitation.expires_at = expires_at

        _create_organization_invitation.additional_properties = d
        return _create_organization_invitation

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


from ..models.organization_member_role import (
    _BY_VALUE as _OrganizationMemberRole_BY_VALUE,
)
