from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.organization_resource_permission import OrganizationResourcePermission
from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="CreateApiKey")


@_attrs_define
class CreateApiKey:
    """
    Attributes:
        name (str):
        permissions (list[OrganizationResourcePermission]):
        expires_at (datetime.datetime | None | Unset):
    """

    name: str
    permissions: list[OrganizationResourcePermission]
    expires_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        permissions = []
        for permissions_item_data in self.permissions:
            permissions_item = permissions_item_data.value
            permissions.append(permissions_item)

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "permissions": permissions,
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
            name = _pop_("name")

            permissions = []
            _permissions = _pop_("permissions")
            for permissions_item_data in _permissions:
                _permissions_item = permissions_item_data
                permissions_item: OrganizationResourcePermission
                try:
                    permissions_item = _OrganizationResourcePermission_BY_VALUE[
                        _permissions_item
                    ]
                except (KeyError, TypeError):
                    permissions_item = OrganizationResourcePermission._parse(
                        _permissions_item
                    )

                permissions.append(permissions_item)

            expires_at = _parse_expires_at(_pop_("expiresAt", UNSET))

        except KeyError as _error_:
            raise missing_field("CreateApiKey", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_api_key = object.__new__(cls)
        _create_api_key.name = name
        _create_api_key.permissions = permissions
        _create_api_key.expires_at = expires_at

        _create_api_key.additional_properties = d
        return _create_api_key

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


from ..models.organization_resource_permission import (
    _BY_VALUE as _OrganizationResourcePermission_BY_VALUE,
)


# the parser of expires_at, defined once instead of on every from_dict() call
def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
    if data is None:
        return data
    if isinstance(data, Unset):
        return data
    try:
        if not isinstance(data, str):
            raise TypeError()
        expires_at_type_0 = datetime.datetime.fromisoformat(data)

        return expires_at_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(datetime.datetime | None | Unset, data)
