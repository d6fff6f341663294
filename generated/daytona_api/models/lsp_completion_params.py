from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

if TYPE_CHECKING:
    from ..models.completion_context import CompletionContext
    from ..models.position import Position


T = TypeVar("T", bound="LspCompletionParams")


@_attrs_define
class LspCompletionParams:
    """
    Attributes:
        language_id (str):
        path_to_project (str):
        uri (str):
        position (Position):
        context (CompletionContext | Unset):
    """

    language_id: str
    path_to_project: str
    uri: str
    position: Position
    context: CompletionContext | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        language_id = self.language_id

        path_to_project = self.path_to_project

        uri = self.uri

        position = self.position.to_dict()

        context: dict[str, Any] | Unset = UNSET
        if not isinstance(self.context, Unset):
            context = self.context.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "languageId": language_id,
                "pathToProject": path_to_project,
                "uri": uri,
                "position": position,
            }
        )
        if context is not UNSET:
            field_dict["context"] = context

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            language_id = _pop_("languageId")

            path_to_project = _pop_("pathToProject")

            uri = _pop_("uri")

            position = Position.from_dict(_pop_("position"))

            _context = _pop_("context", UNSET)
            context: CompletionContext | Unset
            if isinstance(_context, Unset):
                context = UNSET
            else:
                context = CompletionContext.from_dict(_context)

        except KeyError as _error_:
            raise missing_field("LspCompletionParams", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _lsp_completion_params = object.__new__(cls)
        _lsp_completion_params.language_id = language_id
        _lsp_completion_params.path_to_project = path_to_project
        _lsp_completion_params.uri = uri
        _lsp_completion_params.position = position
        _lsp_completion_params.context = context

        _lsp_completion_params.additional_properties = d
        return _lsp_completion_params

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
from ..models.completion_context import CompletionContext
from ..models.position import Position
