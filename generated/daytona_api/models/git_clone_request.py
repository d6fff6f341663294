from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GitCloneRequest")


@_attrs_define
class GitCloneRequest:
    """What to clone and where. Note the snake_case `commit_id`, as on the wire.

    Attributes:
        url (str):
        path (str):
        username (str | Unset):
        password (str | Unset):
        branch (str | Unset):
        commit_id (str | Unset):
    """

    url: str
    path: str
    username: str | Unset = UNSET
    password: str | Unset = UNSET
    branch: str | Unset = UNSET
    commit_id: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        url = self.url

        path = self.path

        username = self.username

        password = self.password

        branch = self.branch

        commit_id = self.commit_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "url": url,
                "path": path,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username
        if password is not UNSET:
            field_dict["password"] = password
        if branch is not UNSET:
            field_dict["branch"] = branch
        if commit_id is not UNSET:
            field_dict["commit_id"] = commit_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        url = d.pop("url")

        path = d.pop("path")

        username = d.pop("username", UNSET)

        password = d.pop("password", UNSET)

        branch = d.pop("branch", UNSET)

        commit_id = d.pop("commit_id", UNSET)

        git_clone_request = cls(
            url=url,
            path=path,
            username=username,
            password=password,
            branch=branch,
            commit_id=commit_id,
        )

        git_clone_request.additional_properties = d
        return git_clone_request

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
