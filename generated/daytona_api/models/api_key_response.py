from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.organization_resource_permission import OrganizationResourcePermission
from ..types import missing_field, redacted_repr

T = TypeVar("T", bound="ApiKeyResponse")


@_attrs_define
class ApiKeyResponse:
    """A newly created API key, with its full value: the only time it is shown.

    Attributes:
        name (str):
        value (str):
        created_at (datetime.datetime):
        permissions (list[OrganizationResourcePermission]):
        expires_at (datetime.datetime | None):
    """

    name: str
    value: str = _attrs_field(repr=redacted_repr)
    created_at: datetime.datetime
    permissions: list[OrganizationResourcePermission]
    expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        value = self.value

        created_at = self.created_at.isoformat()

        permissions = []
        for permissions_item_data in self.permissions:
            permissions_item = permissions_item_data.value
            permissions.append(permissions_item)

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "value": value,
                "createdAt": created_at,
                "permissions": permissions,
                "expiresAt": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            name = _pop_("name")

            value = _pop_("value")

            created_at = datetime.datetime.fromisoformat(_pop_("createdAt"))

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

            expires_at = _parse_expires_at(_pop_("expiresAt", None))

        except KeyError as _error_:
            raise missing_field("ApiKeyResponse", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _api_key_response = object.__new__(cls)
        _api_key_response.name = name
        _api_key_response.value = value
        _api_key_response.created_at = created_at
        _api_key_response.permissions = permissions
        _api_key_response.expires_at = expires_at

        _api_key_response.additional_properties = d
        return _api_key_response

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
def _parse_expires_at(data: object) -> datetime.datetime | None:
    if data is None:
        return data
    try:
        if not isinstance(data, str):
            raise TypeError()
        expires_at_type_0 = datetime.datetime.fromisoformat(data)

        return expires_at_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(datetime.datetime | None, data)
