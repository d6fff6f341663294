from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

if TYPE_CHECKING:
    from ..models.completion_item_documentation_type_0 import (
        CompletionItemDocumentationType0,
    )


T = TypeVar("T", bound="CompletionItem")


@_attrs_define
class CompletionItem:
    """
    Attributes:
        label (str):
        kind (float | Unset):
        detail (str | Unset):
        documentation (CompletionItemDocumentationType0 | None | Unset):
        sort_text (str | Unset):
        filter_text (str | Unset):
        insert_text (str | Unset):
    """

    label: str
    kind: float | Unset = UNSET
    detail: str | Unset = UNSET
    documentation: CompletionItemDocumentationType0 | None | Unset = UNSET
    sort_text: str | Unset = UNSET
    filter_text: str | Unset = UNSET
    insert_text: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        label = self.label

        kind = self.kind

        detail = self.detail

        documentation: dict[str, Any] | None | Unset
        if isinstance(self.documentation, Unset):
            documentation = UNSET
        elif isinstance(self.documentation, CompletionItemDocumentationType0):
            documentation = self.documentation.to_dict()
        else:
            documentation = self.documentation

        sort_text = self.sort_text

        filter_text = self.filter_text

        insert_text = self.insert_text

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "label": label,
            }
        )
        if kind is not UNSET:
            field_dict["kind"] = kind
        if detail is not UNSET:
            field_dict["detail"] = detail
        if documentation is not UNSET:
            field_dict["documentation"] = documentation
        if sort_text is not UNSET:
            field_dict["sortText"] = sort_text
        if filter_text is not UNSET:
            field_dict["filterText"] = filter_text
        if insert_text is not UNSET:
            field_dict["insertText"] = insert_text

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            label = _pop_("label")

            kind = _pop_("kind", UNSET)

            detail = _pop_("detail", UNSET)

            documentation = _parse_documentation(_pop_("documentation", UNSET))

            sort_text = _pop_("sortText", UNSET)

            filter_text = _pop_("filterText", UNSET)

            insert_text = _pop_("insertText", UNSET)

        except KeyError as _error_:
            raise missing_field("CompletionItem", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _completion_item = object.__new__(cls)
        _completion_item.label = label
        _completion_item.kind = kind
        _completion_item.detail = detail
        _completion_item.documentation = documentation
        _completion_item.sort_text = sort_text
        _completion_item.filter_text = filter_text
        _completion_item.insert_text = insert_text

        _completion_item.additional_properties = d
        return _completion_item

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
from ..models.completion_item_documentation_type_0 import (
    CompletionItemDocumentationType0,
)


# the parser of documentation, defined once instead of on every from_dict() call
def _parse_documentation(
    data: object,
) -> CompletionItemDocumentationType0 | None | Unset:
    if data is None:
        return data
    if isinstance(data, Unset):
        return data
    try:
        if not isinstance(data, dict):
            raise TypeError()
        documentation_type_0 = CompletionItemDocumentationType0.from_dict(data)

        return documentation_type_0
    except (TypeError, ValueError, AttributeError, KeyError):
        pass
    return cast(CompletionItemDocumentationType0 | None | Unset, data)
