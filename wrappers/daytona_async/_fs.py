"""``sandbox.fs``: the file operations of one sandbox (list, info, mkdir, move, delete,
permissions, find, search, replace) and the entry points of its transfers.

Every file operation goes through the generated endpoint functions, except the bulk upload
(see :data:`HAND_BUILT_ROUTES`): uploads always go through ``POST files/bulk-upload`` (as the
official SDK does; the single ``files/upload`` is capped at 50 MB by the API's proxy), and the
generator drops that request's body. Its streamed multipart body is built in
:mod:`daytona_async._uploads`; when every source can be read again from its start the
transport retries the upload like an idempotent request (re-uploading the same bytes to the
same paths gives the same result); a one-shot async iterable is never re-sent.

Downloads (:mod:`daytona_async._downloads`) stream to a temporary file next to the
destination, renamed over it only once the whole body arrived; a body cut mid-way is resumed
with a guarded ``Range`` request.

Relative remote paths resolve against the sandbox's project dir (``GET project-dir``, cached).
"""

from __future__ import annotations

import builtins
import os
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ._deadline import Deadline
from ._downloads import MAX_RESUMES as MAX_RESUMES
from ._downloads import DownloadStream, download_to_file
from ._progress import ProgressCallback
from ._toolbox_base import ToolboxBase, check_path
from ._uploads import BulkUploadBody, UploadReader, UploadSource
from ._wire import IDEMPOTENT_EXTENSION
from .errors import DaytonaError, InvalidArgumentError

if TYPE_CHECKING:
    from daytona_api.models import FileInfo, Match, ReplaceResult

__all__ = [
    "HAND_BUILT_ROUTES",
    "DownloadStream",
    "FileSystem",
    "ProgressCallback",
    "UploadSource",
]


#: The toolbox routes this package sends by hand instead of through the generated endpoint
#: functions, each with the reason the generator cannot express it. Everything else goes
#: through ``daytona_api``. (method, path as in ``openapi/daytona.yaml``) -> reason.
HAND_BUILT_ROUTES: dict[tuple[str, str], str] = {
    ("POST", "/toolbox/{sandboxId}/toolbox/files/bulk-upload"): (
        "multipart/form-data whose schema is a top-level array: the generated function drops "
        "the body (sends 0 bytes), and a streamed body of unknown length with the path part "
        "before each file part is not expressible in the generated multipart model"
    ),
}

DEFAULT_TRANSFER_TIMEOUT = 1800.0
_BULK_UPLOAD = "/toolbox/{sandboxId}/toolbox/files/bulk-upload"


class FileSystem(ToolboxBase):
    """File operations in one sandbox: ``sandbox.fs``.

    Remote paths may be relative (to the project dir, usually ``/home/daytona``). Transfers
    take ``timeout=`` (default 30 min) bounding the whole transfer; other calls default to the
    client's call timeout.
    """

    # -- uploads -------------------------------------------------------------------------

    async def upload(
        self,
        src: UploadSource,
        dst: str,
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> None:
        """Upload ``src`` (a local path, bytes, a binary file object or an async iterable of
        bytes) to the remote file ``dst``, streamed. Parent directories are created.

        ``progress(done, total)`` is called after every chunk (``total`` is ``None`` for an
        iterable source).

        Retries: bytes, a local path and a seekable file object can be sent again from their
        start, so the upload is retried like an idempotent request (429, 5xx, connect
        failures; ``progress`` then counts from 0 again). An async iterable or an unseekable
        file can be read only once: such an upload is never re-sent (its error carries a note
        saying so)."""
        await self.upload_many([(src, dst)], progress=progress, timeout=timeout)

    async def upload_many(
        self,
        files: Iterable[tuple[UploadSource, str]],
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> None:
        """Upload several ``(src, dst)`` pairs in one streamed bulk-upload request.

        ``progress(done, total)`` counts the bytes of all files together. A server-side
        failure of any file raises :class:`~daytona_async.BadRequestError` with the daemon's
        error list as its message."""
        dl = Deadline(timeout, "upload")
        pairs = list(files)
        if not pairs:
            return
        items: list[tuple[UploadReader, str]] = []
        for src, dst in pairs:
            source = UploadReader(src)
            items.append((source, await self.resolve(check_path(dst, "dst"), deadline=dl)))
        for source, _ in items:
            await source.prepare()
        body = BulkUploadBody(items, progress)
        await self._send_bulk(body, dl)

    async def _send_bulk(self, body: BulkUploadBody, dl: Deadline) -> None:
        """``POST files/bulk-upload`` with ``body`` (built by hand: see HAND_BUILT_ROUTES)."""
        ctx = self._ctx
        headers = {"Content-Type": body.content_type}
        length = body.content_length
        if length is not None:
            headers["Content-Length"] = str(length)  # else httpx sends the body chunked
        url = ctx.path(_BULK_UPLOAD.replace("{sandboxId}", "{sid}"), sid=self.sandbox_id)
        try:
            await ctx.request(
                "POST",
                url,
                deadline=dl,
                headers=headers,
                content=body.stream(),
                # the same bytes to the same paths: re-sent like an idempotent request when the
                # body can be produced again (the transport checks that)
                extensions={IDEMPOTENT_EXTENSION: True},
            )
        except DaytonaError as err:
            if not body.replayable:
                err.add_note(
                    "daytona_async: this upload was not retried: a source is a one-shot "
                    "iterable (an async iterable or an unseekable file), which cannot be sent "
                    "twice; pass bytes, a local path or a seekable file to get retries"
                )
            raise

    # -- downloads -----------------------------------------------------------------------

    @asynccontextmanager
    async def stream(
        self,
        path: str,
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> AsyncIterator[DownloadStream]:
        """``async with sandbox.fs.stream(path) as s: async for chunk in s: ...`` — the
        remote file as it arrives; ``timeout`` bounds the whole block. The response is closed
        (its connection released) when the block exits, early exits included."""
        dl = Deadline(timeout, f"download {path}")
        remote = await self.resolve(path, deadline=dl)
        stream = DownloadStream(self, remote, progress, dl)
        await stream._start()
        try:
            yield stream
        finally:
            await stream._close()

    async def download_bytes(
        self,
        path: str,
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> bytes:
        """The whole remote file in memory (use :meth:`download` or :meth:`stream` for big
        files)."""
        buf = bytearray()
        async with self.stream(path, progress=progress, timeout=timeout) as s:
            async for chunk in s:
                buf += chunk
        return bytes(buf)

    async def download(
        self,
        path: str,
        dst: str | os.PathLike[str],
        *,
        progress: ProgressCallback | None = None,
        timeout: float | None = DEFAULT_TRANSFER_TIMEOUT,
    ) -> str:
        """Download the remote file ``path`` to the local path ``dst`` (into it, under the
        remote base name, if ``dst`` is an existing directory); returns the local path.

        The body goes to a temporary file in the destination's directory, renamed over
        ``dst`` only when complete: on any failure (cancellation included) the temporary file
        is removed and ``dst`` is untouched."""
        return await download_to_file(
            lambda: self.stream(path, progress=progress, timeout=timeout), path, dst
        )

    # -- other operations ----------------------------------------------------------------

    async def list(self, path: str = ".", *, timeout: float | None = None) -> list[FileInfo]:
        """The entries of a remote directory (``FileInfo`` models)."""
        from daytona_api.api.toolbox_files import list_files

        remote = await self.resolve(path)
        return await self._ctx.call_parsed(
            list_files, self.sandbox_id, path=remote, expect=(list,), timeout=timeout
        )

    async def info(self, path: str, *, timeout: float | None = None) -> FileInfo:
        """``FileInfo`` of one remote path (name, size, mode, permissions, owner, ...)."""
        from daytona_api.api.toolbox_files import get_file_info
        from daytona_api.models import FileInfo

        remote = await self.resolve(path)
        return await self._ctx.call_parsed(
            get_file_info, self.sandbox_id, path=remote, expect=FileInfo, timeout=timeout
        )

    async def exists(self, path: str, *, timeout: float | None = None) -> bool:
        """Does the remote path exist?"""
        from .errors import NotFoundError

        try:
            await self.info(path, timeout=timeout)
        except NotFoundError:
            return False
        return True

    async def mkdir(
        self, path: str, mode: int | str = 0o755, *, timeout: float | None = None
    ) -> None:
        """Create a remote directory and its parents (``mode`` as an int such as ``0o755`` or
        an octal string such as ``"755"``)."""
        from daytona_api.api.toolbox_files import create_folder

        remote = await self.resolve(path)
        await self._ctx.call(
            create_folder, self.sandbox_id, path=remote, mode=_mode(mode), timeout=timeout
        )

    async def move(self, source: str, destination: str, *, timeout: float | None = None) -> None:
        """Rename/move a remote path (an existing destination → ``ConflictError``)."""
        from daytona_api.api.toolbox_files import move_file

        src = await self.resolve(source)
        dst = await self.resolve(destination)
        await self._ctx.call(
            move_file, self.sandbox_id, source=src, destination=dst, timeout=timeout
        )

    async def delete(
        self, path: str, *, recursive: bool = False, timeout: float | None = None
    ) -> None:
        """Delete a remote file; a directory needs ``recursive=True`` (the service refuses a
        directory without it: ``BadRequestError``)."""
        from daytona_api.api.toolbox_files import delete_file
        from daytona_api.types import UNSET

        remote = await self.resolve(path)
        await self._ctx.call(
            delete_file,
            self.sandbox_id,
            path=remote,
            recursive=True if recursive else UNSET,
            timeout=timeout,
        )

    async def chmod(self, path: str, mode: int | str, *, timeout: float | None = None) -> None:
        """Set a remote path's permission bits (``0o644`` or ``"644"``)."""
        await self.set_permissions(path, mode=mode, timeout=timeout)

    async def chown(
        self,
        path: str,
        owner: str | int | None = None,
        group: str | int | None = None,
        *,
        timeout: float | None = None,
    ) -> None:
        """Set a remote path's owner and/or group (names or numeric ids)."""
        await self.set_permissions(path, owner=owner, group=group, timeout=timeout)

    async def set_permissions(
        self,
        path: str,
        *,
        mode: int | str | None = None,
        owner: str | int | None = None,
        group: str | int | None = None,
        timeout: float | None = None,
    ) -> None:
        """``POST files/permissions``: any of mode, owner and group."""
        from daytona_api.api.toolbox_files import set_file_permissions
        from daytona_api.types import UNSET

        if mode is None and owner is None and group is None:
            raise InvalidArgumentError("give at least one of mode, owner, group")
        remote = await self.resolve(path)
        await self._ctx.call(
            set_file_permissions,
            self.sandbox_id,
            path=remote,
            mode=UNSET if mode is None else _mode(mode),
            owner=UNSET if owner is None else str(owner),
            group=UNSET if group is None else str(group),
            timeout=timeout,
        )

    async def find(
        self, path: str, pattern: str, *, timeout: float | None = None
    ) -> builtins.list[Match]:
        """Lines containing ``pattern`` (a plain substring) in the files under ``path``
        (``Match(file, line (1-based), content)``)."""
        from daytona_api.api.toolbox_files import find_in_files

        remote = await self.resolve(path)
        return await self._ctx.call_parsed(
            find_in_files,
            self.sandbox_id,
            path=remote,
            pattern=check_path(pattern, "pattern"),
            expect=(list,),
            timeout=timeout,
        )

    async def search(
        self, path: str, pattern: str, *, timeout: float | None = None
    ) -> builtins.list[str]:
        """Paths under ``path`` whose base name matches the glob ``pattern`` (``[]`` when
        nothing matches — the service sends ``{"files": null}`` then)."""
        from daytona_api.api.toolbox_files import search_files
        from daytona_api.models import SearchFilesResponse

        remote = await self.resolve(path)
        result = await self._ctx.call_parsed(
            search_files,
            self.sandbox_id,
            path=remote,
            pattern=check_path(pattern, "pattern"),
            expect=SearchFilesResponse,
            timeout=timeout,
        )
        return list(result.files or [])

    async def replace(
        self,
        files: Iterable[str],
        pattern: str,
        new_value: str,
        *,
        timeout: float | None = None,
    ) -> builtins.list[ReplaceResult]:
        """Replace every occurrence of the literal ``pattern`` by ``new_value`` in ``files``;
        per-file outcomes (``ReplaceResult(file, success, error)``), a failing file does not
        fail the call."""
        from daytona_api.api.toolbox_files import replace_in_files
        from daytona_api.models import ReplaceRequest

        paths = [await self.resolve(f) for f in files]
        if not paths:
            return []
        body = ReplaceRequest(
            files=paths, pattern=check_path(pattern, "pattern"), new_value=new_value
        )
        return await self._ctx.call_parsed(
            replace_in_files, self.sandbox_id, body=body, expect=(list,), timeout=timeout
        )


def _mode(mode: int | str) -> str:
    if isinstance(mode, bool):
        raise InvalidArgumentError("mode must be an int or an octal string")
    if isinstance(mode, int):
        if not 0 <= mode <= 0o7777:
            raise InvalidArgumentError(f"mode out of range: {mode:o}")
        return format(mode, "o")
    if isinstance(mode, str) and mode and all(c in "01234567" for c in mode.removeprefix("0o")):
        return mode.removeprefix("0o")
    raise InvalidArgumentError(f"mode must be an int or an octal string, not {mode!r}")
