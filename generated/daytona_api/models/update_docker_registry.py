from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field, redacted_repr

T = TypeVar("T", bound="UpdateDockerRegistry")


@_attrs_define
class UpdateDockerRegistry:
    """
    Attributes:
        name (str):
        username (str):
        password (str | Unset):
    """

    name: str
    username: str
    password: str | Unset = _attrs_field(default=UNSET, repr=redacted_repr)
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        username = self.username

        password = self.password

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "username": username,
            }
        )
        if password is not UNSET:
            field_dict["password"] = password

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            name = _pop_("name")

            username = _pop_("username")

            password = _pop_("password", UNSET)

        except KeyError as _error_:
            raise missing_field("UpdateDockerRegistry", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _update_docker_registry = object.__new__(cls)
        _update_docker_registry.name = name
        _update_docker_registry.username = username
        _update_docker_registry.password = password

        _update_docker_registry.additional_properties = d
        return _update_docker_registry

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
