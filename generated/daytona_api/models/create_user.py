from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.system_role import SystemRole
from ..types import UNSET, Unset, missing_field

if TYPE_CHECKING:
    from ..models.create_organization_quota import CreateOrganizationQuota


T = TypeVar("T", bound="CreateUser")


@_attrs_define
class CreateUser:
    """
    Attributes:
        id (str):
        name (str):
        email (str | Unset):
        personal_organization_quota (CreateOrganizationQuota | Unset):
        role (SystemRole | Unset):
        email_verified (bool | Unset):
    """

    id: str
    name: str
    email: str | Unset = UNSET
    personal_organization_quota: CreateOrganizationQuota | Unset = UNSET
    role: SystemRole | Unset = UNSET
    email_verified: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        email = self.email

        personal_organization_quota: dict[str, Any] | Unset = UNSET
        if not isinstance(self.personal_organization_quota, Unset):
            personal_organization_quota = self.personal_organization_quota.to_dict()

        role: str | Unset = UNSET
        if not isinstance(self.role, Unset):
            role = self.role.value

        email_verified = self.email_verified

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
            }
        )
        if email is not UNSET:
            field_dict["email"] = email
        if personal_organization_quota is not UNSET:
            field_dict["personalOrganizationQuota"] = personal_organization_quota
        if role is not UNSET:
            field_dict["role"] = role
        if email_verified is not UNSET:
            field_dict["emailVerified"] = email_verified

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            name = _pop_("name")

            email = _pop_("email", UNSET)

            _personal_organization_quota = _pop_("personalOrganizationQuota", UNSET)
            personal_organization_quota: CreateOrganizationQuota | Unset
            if isinstance(_personal_organization_quota, Unset):
                personal_organization_quota = UNSET
            else:
                personal_organization_quota = CreateOrganizationQuota.from_dict(
                    _personal_organization_quota
                )

            _role = _pop_("role", UNSET)
            role: SystemRole | Unset
            if isinstance(_role, Unset):
                role = UNSET
            else:
                try:
                    role = _SystemRole_BY_VALUE[_role]
                except (KeyError, TypeError):
                    role = SystemRole._parse(_role)

            email_verified = _pop_("emailVerified", UNSET)

        except KeyError as _error_:
            raise missing_field("CreateUser", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_user = object.__new__(cls)
        _create_user.id = id
        _create_user.name = name
        _create_user.email = email
        _create_user.personal_organization_quota = personal_organization_quota
        _create_user.role = role
        _create_user.email_verified = email_verified

        _create_user.additional_properties = d
        return _create_user

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
from ..models.create_organization_quota import CreateOrganizationQuota
from ..models.system_role import _BY_VALUE as _SystemRole_BY_VALUE
