from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="FileInfo")


@_attrs_define
class FileInfo:
    """A file's metadata as the in-sandbox daemon reports it: `mode` in Go's FileMode notation (`-rw-r--r--`), `modTime` in
    Go's time format, `owner`/`group` as numeric ids.

        Attributes:
            name (str):
            is_dir (bool):
            size (float):
            mod_time (str):
            mode (str):
            permissions (str):
            owner (str):
            group (str):
    """

    name: str
    is_dir: bool
    size: float
    mod_time: str
    mode: str
    permissions: str
    owner: str
    group: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        is_dir = self.is_dir

        size = self.size

        mod_time = self.mod_time

        mode = self.mode

        permissions = self.permissions

        owner = self.owner

        group = self.group

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "isDir": is_dir,
                "size": size,
                "modTime": mod_time,
                "mode": mode,
                "permissions": permissions,
                "owner": owner,
                "group": group,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        is_dir = d.pop("isDir")

        size = d.pop("size")

        mod_time = d.pop("modTime")

        mode = d.pop("mode")

        permissions = d.pop("permissions")

        owner = d.pop("owner")

        group = d.pop("group")

        file_info = cls(
            name=name,
            is_dir=is_dir,
            size=size,
            mod_time=mod_time,
            mode=mode,
            permissions=permissions,
            owner=owner,
            group=group,
        )

        file_info.additional_properties = d
        return file_info

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
