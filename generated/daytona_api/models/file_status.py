from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FileStatus")


@_attrs_define
class FileStatus:
    """
    Attributes:
        name (str):
        staging (str):
        worktree (str):
        extra (str):
    """

    name: str
    staging: str
    worktree: str
    extra: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        staging = self.staging

        worktree = self.worktree

        extra = self.extra

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "staging": staging,
                "worktree": worktree,
                "extra": extra,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        staging = d.pop("staging")

        worktree = d.pop("worktree")

        extra = d.pop("extra")

        file_status = cls(
            name=name,
            staging=staging,
            worktree=worktree,
            extra=extra,
        )

        file_status.additional_properties = d
        return file_status

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
