"""``sandbox.lsp(language_id, project_path)``: a language server in the sandbox, as an async
context manager that starts it on enter and stops it on exit (errors and cancellation
included; the stop is shielded and bounded).

    async with sandbox.lsp("python", "/home/daytona/project") as lsp:
        await lsp.did_open("main.py")
        items = await lsp.completions("main.py", line=3, character=7)

Service quirks (service-behaviour §4.6): supported ``language_id`` values are ``python`` and
``typescript``; ``completions`` with ``line == 0`` or ``character == 0`` is refused by the
daemon with 400 (its validator rejects zero values) — that ``BadRequestError`` is left to
surface; ``workspace_symbols`` is broken in the real service (404: route mismatch) while the
emulator serves it.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import quote

import anyio

from ._logging import logger
from ._toolbox_base import SandboxHandle, ToolboxBase, check_path
from .errors import DaytonaError, InvalidArgumentError

if TYPE_CHECKING:
    from daytona_api.models import CompletionList, LspSymbol

__all__ = ["LspServer", "path_to_uri"]

STOP_TIMEOUT = 10.0


def path_to_uri(path: str) -> str:
    """``file://`` URI of an absolute path (percent-encoded, ``/`` kept)."""
    return "file://" + quote(path, safe="/")


class LspServer(ToolboxBase):
    """One language server (``language_id`` for ``project_path``) in a sandbox."""

    def __init__(self, sandbox: SandboxHandle, language_id: str, project_path: str) -> None:
        super().__init__(sandbox)
        if not isinstance(language_id, str) or not language_id:
            raise InvalidArgumentError("language_id must be a non-empty string")
        self.language_id = language_id
        self.project_path = check_path(project_path, "project_path")
        self._resolved_project: str | None = None
        self.started = False

    def __repr__(self) -> str:
        return (
            f"LspServer(language_id={self.language_id!r}, project_path={self.project_path!r}, "
            f"started={self.started})"
        )

    async def _project(self) -> str:
        if self._resolved_project is None:
            self._resolved_project = await self.resolve(self.project_path)
        return self._resolved_project

    async def _uri(self, path: str) -> str:
        return path_to_uri(await self.resolve(path))

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, *, timeout: float | None = 60.0) -> None:
        """Start the server (a no-op on the service side if already running)."""
        from daytona_api.api.toolbox_lsp import lsp_start
        from daytona_api.models import LspServerRequest

        body = LspServerRequest(language_id=self.language_id, path_to_project=await self._project())
        await self._ctx.call(lsp_start, self.sandbox_id, body=body, timeout=timeout)
        self.started = True

    async def stop(self, *, timeout: float | None = STOP_TIMEOUT) -> None:
        """Stop the server."""
        from daytona_api.api.toolbox_lsp import lsp_stop
        from daytona_api.models import LspServerRequest

        body = LspServerRequest(language_id=self.language_id, path_to_project=await self._project())
        await self._ctx.call(lsp_stop, self.sandbox_id, body=body, timeout=timeout)
        self.started = False

    async def __aenter__(self) -> LspServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.started:
            return
        with anyio.CancelScope(shield=True):
            try:
                await self.stop(timeout=STOP_TIMEOUT)
            except DaytonaError as err:
                if exc is None:
                    raise
                logger.warning("stopping the %s language server failed: %s", self.language_id, err)

    # -- documents -----------------------------------------------------------------------

    async def did_open(self, path: str, *, timeout: float | None = None) -> None:
        """Tell the server a file was opened (needed before completions on it)."""
        from daytona_api.api.toolbox_lsp import lsp_did_open
        from daytona_api.models import LspDocumentRequest

        body = LspDocumentRequest(
            language_id=self.language_id,
            path_to_project=await self._project(),
            uri=await self._uri(path),
        )
        await self._ctx.call(lsp_did_open, self.sandbox_id, body=body, timeout=timeout)

    async def did_close(self, path: str, *, timeout: float | None = None) -> None:
        """Tell the server a file was closed."""
        from daytona_api.api.toolbox_lsp import lsp_did_close
        from daytona_api.models import LspDocumentRequest

        body = LspDocumentRequest(
            language_id=self.language_id,
            path_to_project=await self._project(),
            uri=await self._uri(path),
        )
        await self._ctx.call(lsp_did_close, self.sandbox_id, body=body, timeout=timeout)

    async def completions(
        self,
        path: str,
        line: int,
        character: int,
        *,
        trigger_character: str | None = None,
        timeout: float | None = None,
    ) -> CompletionList:
        """Completions at ``line``/``character`` (0-based, as in LSP) of ``path``.

        The real service refuses ``line == 0`` or ``character == 0`` with 400 (a validator
        quirk); that ``BadRequestError`` surfaces as is."""
        from daytona_api.api.toolbox_lsp import lsp_completions
        from daytona_api.models import (
            CompletionContext,
            CompletionList,
            LspCompletionParams,
            Position,
        )
        from daytona_api.types import UNSET

        for name, value in (("line", line), ("character", character)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidArgumentError(f"{name} must be an int >= 0, not {value!r}")
        context = (
            CompletionContext(trigger_kind=2, trigger_character=trigger_character)
            if trigger_character
            else UNSET
        )
        body = LspCompletionParams(
            language_id=self.language_id,
            path_to_project=await self._project(),
            uri=await self._uri(path),
            position=Position(line=line, character=character),
            context=context,
        )
        return await self._ctx.call_parsed(
            lsp_completions, self.sandbox_id, body=body, expect=CompletionList, timeout=timeout
        )

    async def document_symbols(self, path: str, *, timeout: float | None = None) -> list[LspSymbol]:
        """Symbols defined in ``path``."""
        from daytona_api.api.toolbox_lsp import lsp_document_symbols

        return await self._ctx.call_parsed(
            lsp_document_symbols,
            self.sandbox_id,
            language_id=self.language_id,
            path_to_project=await self._project(),
            uri=await self._uri(path),
            expect=(list,),
            timeout=timeout,
        )

    async def workspace_symbols(
        self, query: str, *, timeout: float | None = None
    ) -> list[LspSymbol]:
        """Symbols matching ``query`` across the project (404 on the real service: see the
        module docstring)."""
        from daytona_api.api.toolbox_lsp import lsp_workspace_symbols

        return await self._ctx.call_parsed(
            lsp_workspace_symbols,
            self.sandbox_id,
            language_id=self.language_id,
            path_to_project=await self._project(),
            query=query,
            expect=(list,),
            timeout=timeout,
        )
