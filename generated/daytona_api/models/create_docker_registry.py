from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.docker_registry_type import DockerRegistryType
from ..types import missing_field, redacted_repr

T = TypeVar("T", bound="CreateDockerRegistry")


@_attrs_define
class CreateDockerRegistry:
    """
    Attributes:
        name (str):
        url (str):
        username (str):
        password (str):
        project (str):
        registry_type (DockerRegistryType):  Default: DockerRegistryType.INTERNAL.
        is_default (bool):  Default: False.
    """

    name: str
    url: str
    username: str
    password: str = _attrs_field(repr=redacted_repr)
    project: str
    registry_type: DockerRegistryType = DockerRegistryType.INTERNAL
    is_default: bool = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        url = self.url

        username = self.username

        password = self.password

        project = self.project

        registry_type = self.registry_type.value

        is_default = self.is_default

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "url": url,
                "username": username,
                "password": password,
                "project": project,
                "registryType": registry_type,
                "isDefault": is_default,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            name = _pop_("name")

            url = _pop_("url")

            username = _pop_("username")

            password = _pop_("password")

            project = _pop_("project")

            _registry_type = _pop_("registryType", DockerRegistryType.INTERNAL)
            registry_type: DockerRegistryType
            try:
                registry_type = _DockerRegistryType_BY_VALUE[_registry_type]
            except (KeyError, TypeError):
                registry_type = DockerRegistryType._parse(_registry_type)

            is_default = _pop_("isDefault", False)

        except KeyError as _error_:
            raise missing_field("CreateDockerRegistry", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _create_docker_registry = object.__new__(cls)
        _create_docker_registry.name = name
        _create_docker_registry.url = url
        _create_docker_registry.username = username
        _create_docker_registry.password = password
        _create_docker_registry.project = project
        _create_docker_registry.registry_type = registry_type
        _create_docker_registry.is_default = is_default

        _create_docker_registry.additional_properties = d
        return _create_docker_registry

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
