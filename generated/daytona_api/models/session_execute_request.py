from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="SessionExecuteRequest")


@_attrs_define
class SessionExecuteRequest:
    """
    Attributes:
        command (str):
        run_async (bool | Unset):
        async_ (bool | Unset):
    """

    command: str
    run_async: bool | Unset = UNSET
    async_: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        command = self.command

        run_async = self.run_async

        async_ = self.async_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "command": command,
            }
        )
        if run_async is not UNSET:
            field_dict["runAsync"] = run_async
        if async_ is not UNSET:
            field_dict["async"] = async_

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            command = _pop_("command")

            run_async = _pop_("runAsync", UNSET)

            async_ = _pop_("async", UNSET)

        except KeyError as _error_:
            raise missing_field("SessionExecuteRequest", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _session_execute_request = object.__new__(cls)
        _session_execute_request.command = command
        _session_execute_request.run_async = run_async
        _session_execute_request.async_ = async_

        _session_execute_request.additional_properties = d
        return _session_execute_request

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
