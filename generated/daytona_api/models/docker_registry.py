from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.docker_registry_type import DockerRegistryType

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
    """

    id: str
    name: str
    url: str
    username: str
    project: str
    registry_type: DockerRegistryType
    created_at: datetime.datetime
    updated_at: datetime.datetime
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

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        url = d.pop("url")

        username = d.pop("username")

        project = d.pop("project")

        registry_type = DockerRegistryType(d.pop("registryType"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))

        docker_registry = cls(
            id=id,
            name=name,
            url=url,
            username=username,
            project=project,
            registry_type=registry_type,
            created_at=created_at,
            updated_at=updated_at,
        )

        docker_registry.additional_properties = d
        return docker_registry

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
