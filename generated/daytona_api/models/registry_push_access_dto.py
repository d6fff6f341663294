from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field, redacted_repr

T = TypeVar("T", bound="RegistryPushAccessDto")


@_attrs_define
class RegistryPushAccessDto:
    """
    Attributes:
        username (str):
        secret (str):
        registry_url (str):
        registry_id (str):
        project (str):
        expires_at (str):
    """

    username: str
    secret: str = _attrs_field(repr=redacted_repr)
    registry_url: str
    registry_id: str
    project: str
    expires_at: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        username = self.username

        secret = self.secret

        registry_url = self.registry_url

        registry_id = self.registry_id

        project = self.project

        expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "username": username,
                "secret": secret,
                "registryUrl": registry_url,
                "registryId": registry_id,
                "project": project,
                "expiresAt": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            username = _pop_("username")

            secret = _pop_("secret")

            registry_url = _pop_("registryUrl")

            registry_id = _pop_("registryId")

            project = _pop_("project")

            expires_at = _pop_("expiresAt")

        except KeyError as _error_:
            raise missing_field("RegistryPushAccessDto", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _registry_push_access_dto = object.__new__(cls)
        _registry_push_access_dto.username = username
        _registry_push_access_dto.secret = secret
        _registry_push_access_dto.registry_url = registry_url
        _registry_push_access_dto.registry_id = registry_id
        _registry_push_access_dto.project = project
        _registry_push_access_dto.expires_at = expires_at

        _registry_push_access_dto.additional_properties = d
        return _registry_push_access_dto

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
