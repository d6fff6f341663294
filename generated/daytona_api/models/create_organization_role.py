from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.organization_resource_permission import OrganizationResourcePermission
from ..types import missing_field

T = TypeVar("T", bound="CreateOrganizationRole")


@_attrs_define
class CreateOrganizationRole:
    """
    Attributes:
        name (str):
        description (str):
        permissions (list[OrganizationResourcePermission]):
    """

    name: str
    description: str
    permissions: list[OrganizationResourcePermission]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        permissions = []
        for permissions_item_data in self.permissions:
            permissions_item = permissions_item_data.value
            permissions.append(permissions_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "description": description,
                "permissions": permissions,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            name = _pop_("name")

            description = _pop_("description")

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

        except KeyError as _error_:
            raise missing_field("CreateOrganizationRole", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_organization_role = object.__new__(cls)
        _create_organization_role.name = name
        _create_organization_role.description = description
        _create_organization_role.permissions = permissions

        _create_organization_role.additional_properties = d
        return _create_organization_role

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
