from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset, missing_field

if TYPE_CHECKING:
    from ..models.file_status import FileStatus


T = TypeVar("T", bound="GitStatus")


@_attrs_define
class GitStatus:
    """
    Attributes:
        current_branch (str):
        file_status (list[FileStatus]):
        ahead (float | Unset):
        behind (float | Unset):
        branch_published (bool | Unset):
    """

    current_branch: str
    file_status: list[FileStatus]
    ahead: float | Unset = UNSET
    behind: float | Unset = UNSET
    branch_published: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        current_branch = self.current_branch

        file_status = []
        for file_status_item_data in self.file_status:
            file_status_item = file_status_item_data.to_dict()
            file_status.append(file_status_item)

        ahead = self.ahead

        behind = self.behind

        branch_published = self.branch_published

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currentBranch": current_branch,
                "fileStatus": file_status,
            }
        )
        if ahead is not UNSET:
            field_dict["ahead"] = ahead
        if behind is not UNSET:
            field_dict["behind"] = behind
        if branch_published is not UNSET:
            field_dict["branchPublished"] = branch_published

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            current_branch = _pop_("currentBranch")

            file_status = []
            _file_status = _pop_("fileStatus")
            for file_status_item_data in _file_status:
                file_status_item = FileStatus.from_dict(file_status_item_data)

                file_status.append(file_status_item)

            ahead = _pop_("ahead", UNSET)

            behind = _pop_("behind", UNSET)

            branch_published = _pop_("branchPublished", UNSET)

        except KeyError as _error_:
            raise missing_field("GitStatus", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _git_status = object.__new__(cls)
        _git_status.current_branch = current_branch
        _git_status.file_status = file_status
        _git_status.ahead = ahead
        _git_status.behind = behind
        _git_status.branch_published = branch_published

        _git_status.additional_properties = d
        return _git_status

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
from ..models.file_status import FileStatus
