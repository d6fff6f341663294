from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.docker_registry_type import DockerRegistryType

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
    password: str
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
        name = d.pop("name")

        url = d.pop("url")

        username = d.pop("username")

        password = d.pop("password")

        project = d.pop("project")

        registry_type = DockerRegistryType._parse(d.pop("registryType"))

        is_default = d.pop("isDefault")

        create_docker_registry = cls(
            name=name,
            url=url,
            username=username,
            password=password,
            project=project,
            registry_type=registry_type,
            is_default=is_default,
        )

        create_docker_registry.additional_properties = d
        return create_docker_registry

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
