from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SessionExecuteResponse")


@_attrs_define
class SessionExecuteResponse:
    """The answer to a session command: output and exit code when run synchronously (200), only `cmdId` when run in the
    background (202).

        Attributes:
            cmd_id (None | str | Unset):
            exit_code (float | None | Unset):
            output (None | str | Unset):
    """

    cmd_id: None | str | Unset = UNSET
    exit_code: float | None | Unset = UNSET
    output: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        cmd_id: None | str | Unset
        if isinstance(self.cmd_id, Unset):
            cmd_id = UNSET
        else:
            cmd_id = self.cmd_id

        exit_code: float | None | Unset
        if isinstance(self.exit_code, Unset):
            exit_code = UNSET
        else:
            exit_code = self.exit_code

        output: None | str | Unset
        if isinstance(self.output, Unset):
            output = UNSET
        else:
            output = self.output

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if cmd_id is not UNSET:
            field_dict["cmdId"] = cmd_id
        if exit_code is not UNSET:
            field_dict["exitCode"] = exit_code
        if output is not UNSET:
            field_dict["output"] = output

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        cmd_id = _pop_("cmdId", UNSET)

        exit_code = _pop_("exitCode", UNSET)

        output = _pop_("output", UNSET)

        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _session_execute_response = object.__new__(cls)
        _session_execute_response.cmd_id = cmd_id
        _session_execute_response.exit_code = exit_code
        _session_execute_response.output = output

        _session_execute_response.additional_properties = d
        return _session_execute_response

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
