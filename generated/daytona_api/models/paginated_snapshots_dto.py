from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import missing_field

if TYPE_CHECKING:
    from ..models.snapshot_dto import SnapshotDto


T = TypeVar("T", bound="PaginatedSnapshotsDto")


@_attrs_define
class PaginatedSnapshotsDto:
    """One page of snapshots.

    Attributes:
        items (list[SnapshotDto]):
        total (float):
        page (float):
        total_pages (float):
    """

    items: list[SnapshotDto]
    total: float
    page: float
    total_pages: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        total = self.total

        page = self.page

        total_pages = self.total_pages

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "items": items,
                "total": total,
                "page": page,
                "totalPages": total_pages,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        _pop_ = d.pop
        try:
            items = []
            _items = _pop_("items")
            for items_item_data in _items:
                items_item = SnapshotDto.from_dict(items_item_data)

                items.append(items_item)

            total = _pop_("total")

            page = _pop_("page")

            total_pages = _pop_("totalPages")

        except KeyError as _error_:
            raise missing_field("PaginatedSnapshotsDto", _error_, src_dict) from None
        # every field is set here as the attrs __init__ would (these models have no validators,
        # converters or post-init hooks), for less than its keyword call costs. A field's local
        # never starts with "_": `_pop_` and the instance cannot clash with one.
        _paginated_snapshots_dto = object.__new__(cls)
        _paginated_snapshots_dto.items = items
        _paginated_snapshots_dto.total = total
        _paginated_snapshots_dto.page = page
        _paginated_snapshots_dto.total_pages = total_pages

        _paginated_snapshots_dto.additional_properties = d
        return _paginated_snapshots_dto

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
from ..models.snapshot_dto import SnapshotDto
