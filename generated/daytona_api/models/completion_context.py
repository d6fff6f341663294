from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

T = TypeVar("T", bound="CompletionContext")


@_attrs_define
class CompletionContext:
    """
    Attributes:
        trigger_kind (float):
        trigger_character (str | Unset):
    """

    trigger_kind: float
    trigger_character: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        trigger_kind = self.trigger_kind

        trigger_character = self.trigger_character

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "triggerKind": trigger_kind,
            }
        )
        if trigger_character is not UNSET:
            field_dict["triggerCharacter"] = trigger_character

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            trigger_kind = _pop_("triggerKind")

            trigger_character = _pop_("triggerCharacter", UNSET)

        except KeyError as _error_:
            raise missing_field("CompletionContext", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _completion_context = object.__new__(cls)
        _completion_context.trigger_kind = trigger_kind
        _completion_context.trigger_character = trigger_character

        _completion_context.additional_properties = d
        return _completion_context

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
