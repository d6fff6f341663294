from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.docker_registry_type import DockerRegistryType
from ..types import UNSET, Unset, missing_field, redacted_repr

T = TypeVar("T", bound="DockerRegistry")


@_attrs_define
class DockerRegistry:
    """
    Attributes:
        id (str):
        name (str):
        url (str):
        username (str):
        project (str):
        registry_type (DockerRegistryType):
        created_at (datetime.datetime):
        updated_at (datetime.datetime):
        is_default (bool | Unset): Sent by the service although its own description leaves it out.
        organization_id (None | str | Unset): Sent by the service although its own description leaves it out.
        password (None | str | Unset): The service echoes the stored password back; treat the model as a secret.
    """

    id: str
    name: str
    url: str
    username: str
    project: str
    registry_type: DockerRegistryType
    created_at: datetime.datetime
    updated_at: datetime.datetime
    is_default: bool | Unset = UNSET
    organization_id: None | str | Unset = UNSET
    password: None | str | Unset = _attrs_field(default=UNSET, repr=redacted_repr)
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        url = self.url

        username = self.username

        project = self.project

        registry_type = self.registry_type.value

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

        is_default = self.is_default

        organization_id: None | str | Unset
        if isinstance(self.organization_id, Unset):
            organization_id = UNSET
        else:
            organization_id = self.organization_id

        password: None | str | Unset
        if isinstance(self.password, Unset):
            password = UNSET
        else:
            password = self.password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "url": url,
                "username": username,
                "project": project,
                "registryType": registry_type,
                "createdAt": created_at,
                "updatedAt": updated_at,
            }
        )
        if is_default is not UNSET:
            field_dict["isDefault"] = is_default
        if organization_id is not UNSET:
            field_dict["organizationId"] = organization_id
        if password is not UNSET:
            field_dict["password"] = password

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            id = _pop_("id")

            name = _pop_("name")

            url = _pop_("url")

            username = _pop_("username")

            project = _pop_("project")

            _registry_type = _pop_("registryType")
            registry_type: DockerRegistryType
            try:
                registry_type = _DockerRegistryType_BY_VALUE[_registry_type]
            except (KeyError, TypeError):
                registry_type = DockerRegistryType._parse(_registry_type)

            created_at = datetime.datetime.fromisoformat(_pop_("createdAt"))

            updated_at = datetime.datetime.fromisoformat(_pop_("updatedAt"))

            is_default = _pop_("isDefault", UNSET)

            organization_id = _pop_("organizationId", UNSET)

            password = _pop_("password", UNSET)

        except KeyError as _error_:
            raise missing_field("DockerRegistry", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _docker_registry = object.__new__(cls)
        _docker_registry.id = id
        _docker_registry.name = name
        _docker_registry.url = url
        _docker_registry.username = username
        _docker_registry.project = project
        _docker_registry.registry_type = registry_type
        _docker_registry.created_at = created_at
        _docker_registry.updated_at = updated_at
        _docker_registry.is_default = is_default
        _docker_registry.organization_id = organization_id
        _docker_registry.password = password

        _docker_registry.additional_properties = d
        return _docker_registry

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


from ..models.docker_registry_type import _BY_VALUE as _DockerRegistryType_BY_VALUE
