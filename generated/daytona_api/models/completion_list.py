from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

if TYPE_CHECKING:
    from ..models.completion_item import CompletionItem


T = TypeVar("T", bound="CompletionList")


@_attrs_define
class CompletionList:
    """
    Attributes:
        is_incomplete (bool):
        items (list[CompletionItem]):
    """

    is_incomplete: bool
    items: list[CompletionItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        is_incomplete = self.is_incomplete

        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "isIncomplete": is_incomplete,
                "items": items,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            is_incomplete = _pop_("isIncomplete")

            items = []
            _items = _pop_("items")
            for items_item_data in _items:
                items_item = CompletionItem.from_dict(items_item_data)

                items.append(items_item)

        except KeyError as _error_:
            raise missing_field("CompletionList", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _completion_list = object.__new__(cls)
        _completion_list.is_incomplete = is_incomplete
        _completion_list.items = items

        _completion_list.additional_properties = d
        return _completion_list

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


# Imported at the end, once this module's class exists, so that models referring to each
# other still import; from_dict()/to_dict() then pay no import machinery per call.
from ..models.completion_item import CompletionItem
