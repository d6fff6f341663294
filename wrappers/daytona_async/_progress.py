"""The progress callback every transfer (upload, download, build-context upload) takes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias

__all__ = ["ProgressCallback"]

#: ``progress(done_bytes, total_bytes_or_None)``; may be sync or async
ProgressCallback: TypeAlias = Callable[[int, int | None], Awaitable[None] | None]
