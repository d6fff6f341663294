from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

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
        _pop_ = d.pop
        try:
            name = _pop_("name")

            is_dir = _pop_("isDir")

            size = _pop_("size")

            mod_time = _pop_("modTime")

            mode = _pop_("mode")

            permissions = _pop_("permissions")

            owner = _pop_("owner")

            group = _pop_("group")

        except KeyError as _error_:
            raise missing_field("FileInfo", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _file_info = object.__new__(cls)
        _file_info.name = name
        _file_info.is_dir = is_dir
        _file_info.size = size
        _file_info.mod_time = mod_time
        _file_info.mode = mode
        _file_info.permissions = permissions
        _file_info.owner = owner
        _file_info.group = group

        _file_info.additional_properties = d
        return _file_info

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
