"""Shared base of the resource objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._util import without_userinfo
from .._validation import validate_id
from ..errors import InvalidArgumentError

if TYPE_CHECKING:
    from .._context import ClientContext


class Resource:
    """A group of control-plane calls sharing the client's :class:`ClientContext`."""

    def __init__(self, ctx: ClientContext) -> None:
        self._ctx = ctx

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {without_userinfo(self._ctx.api_url)}>"

    def _org(self, organization_id: str | None) -> str:
        org = organization_id or self._ctx.organization_id
        if not org:
            raise InvalidArgumentError(
                "organization_id is required (none given and the client has none)"
            )
        return validate_id(org, "organization id")


def unset_none(**kwargs: Any) -> dict[str, Any]:
    """kwargs with ``None`` values left out (so the model's UNSET default applies)."""
    return {k: v for k, v in kwargs.items() if v is not None}
