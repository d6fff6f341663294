from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

T = TypeVar("T", bound="LspDocumentRequest")


@_attrs_define
class LspDocumentRequest:
    """
    Attributes:
        language_id (str):
        path_to_project (str):
        uri (str):
    """

    language_id: str
    path_to_project: str
    uri: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        language_id = self.language_id

        path_to_project = self.path_to_project

        uri = self.uri

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "languageId": language_id,
                "pathToProject": path_to_project,
                "uri": uri,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            language_id = _pop_("languageId")

            path_to_project = _pop_("pathToProject")

            uri = _pop_("uri")

        except KeyError as _error_:
            raise missing_field("LspDocumentRequest", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _lsp_document_request = object.__new__(cls)
        _lsp_document_request.language_id = language_id
        _lsp_document_request.path_to_project = path_to_project
        _lsp_document_request.uri = uri

        _lsp_document_request.additional_properties = d
        return _lsp_document_request

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
