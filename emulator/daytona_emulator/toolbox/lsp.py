"""``/lsp/*``: real language servers over stdio, one per (sandbox, languageId, pathToProject).

``python`` is served by python-lsp-server (``<this python> -m pylsp``), ``typescript`` by
``typescript-language-server --stdio`` when it is on ``PATH`` (else 400, like any other
language). The JSON-RPC client that talks to the server is ``lsp_rpc``. URIs on the wire are sandbox URIs (``file:///home/daytona/x.py``),
mapped into the jail for the server and back in its answers.

Workspace symbols: pylsp has no ``workspace/symbol``; the emulator asks for the document
symbols of the project's ``.py`` files (at most :data:`MAX_WORKSPACE_FILES`, hidden and
virtualenv folders skipped) and keeps the names that contain the query (case-insensitive).
A server that does implement ``workspace/symbol`` is asked directly.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .common import Fail, RouteTable, daemon_routes, empty, json_response, query, read_json, require
from .fsio import open_regular
from .jail import Jail, JailError
from .lsp_rpc import LspClient, LspError
from .procs import LIMIT_STATUS, ProcessLimitError, sandbox_env
from .state import Sandbox, Toolbox

__all__ = ["LspApi", "LspServer"]

log = logging.getLogger("daytona_emulator.toolbox")

INIT_TIMEOUT = 30.0
MAX_WORKSPACE_FILES = 300
MAX_OPEN_BYTES = 16 * 1024 * 1024  # the largest file did-open sends to a language server
SKIP_DIRS = {"node_modules", "__pycache__", "venv", "site-packages", "dist", "build"}


def server_argv(language_id: str) -> list[str]:
    if language_id == "python":
        return [sys.executable, "-m", "pylsp"]
    if language_id == "typescript":
        exe = shutil.which("typescript-language-server")
        if exe:
            return [exe, "--stdio"]
    raise Fail(400, f"unsupported language: {language_id}")


class LspServer:
    def __init__(self, sb: Sandbox, language_id: str, project: str, project_host: Path):
        self.sb = sb
        self.language_id = language_id
        self.project = project
        self.project_host = project_host
        self.client: LspClient | None = None

    @property
    def jail(self) -> Jail:
        return self.sb.jail

    async def start(self) -> None:
        argv = server_argv(self.language_id)
        proc = await self.sb.toolbox.tracker.spawn(
            self.sb.id,
            argv,
            # a project folder that does not exist (yet) is fine, as with the daemon
            cwd=str(self.project_host if self.project_host.is_dir() else self.jail.root),
            env=sandbox_env(self.jail),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=64 * 1024 * 1024,
        )
        client = LspClient(proc)
        self.client = client
        root_uri = self.project_host.as_uri()
        try:
            result = await client.request(
                "initialize",
                {
                    "processId": os.getpid(),
                    "rootUri": root_uri,
                    "rootPath": str(self.project_host),
                    "workspaceFolders": [{"uri": root_uri, "name": "workspace"}],
                    "capabilities": {
                        "textDocument": {
                            "completion": {
                                "completionItem": {
                                    "snippetSupport": False,
                                    "documentationFormat": ["plaintext", "markdown"],
                                }
                            },
                            "documentSymbol": {"hierarchicalDocumentSymbolSupport": False},
                        },
                        "workspace": {"symbol": {}, "workspaceFolders": True},
                    },
                },
                limit_s=INIT_TIMEOUT,
            )
            self.client.capabilities = (result or {}).get("capabilities", {})
            await client.notify("initialized", {})
            if self.language_id == "python":  # only what the API serves: no linters
                await client.notify(
                    "workspace/didChangeConfiguration",
                    {
                        "settings": {
                            "pylsp": {
                                "plugins": {
                                    name: {"enabled": False}
                                    for name in (
                                        "pycodestyle",
                                        "pyflakes",
                                        "mccabe",
                                        "pydocstyle",
                                        "pylint",
                                        "flake8",
                                        "autopep8",
                                        "yapf",
                                    )
                                }
                            }
                        }
                    },
                )
        except BaseException:
            await client.aclose()
            raise

    async def aclose(self) -> None:
        if self.client is not None:
            await self.client.aclose()

    # -- URIs ---------------------------------------------------------------------------------
    def to_host_uri(self, uri: str) -> tuple[str, Path]:
        parsed = urlparse(uri)
        if parsed.scheme not in ("file", ""):
            raise Fail(400, f"invalid uri: {uri}")
        try:
            host = self.jail.resolve(unquote(parsed.path) or "/")
        except JailError:
            raise Fail(400, f"invalid uri: {uri}") from None
        return host.as_uri(), host

    def to_sandbox_uri(self, uri: str) -> str:
        parsed = urlparse(uri)
        if parsed.scheme != "file":
            return uri
        host = unquote(parsed.path)
        if not self.jail.contains(host):
            return uri
        return "file://" + quote(self.jail.to_sandbox(host))

    # -- requests -----------------------------------------------------------------------------
    @property
    def rpc(self) -> LspClient:
        if self.client is None or not self.client.alive:
            raise Fail(400, "server not initialized")
        return self.client

    async def did_open(self, uri: str) -> None:
        host_uri, host = self.to_host_uri(uri)
        try:
            text = await self.sb.run_sync(_read_text, host)
        except OSError as exc:
            raise Fail(400, f"open {unquote(urlparse(uri).path)}: {exc.strerror}") from None
        await self.rpc.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": host_uri,
                    "languageId": self.language_id,
                    "version": 1,
                    "text": text,
                }
            },
        )

    async def did_close(self, uri: str) -> None:
        host_uri, _ = self.to_host_uri(uri)
        await self.rpc.notify("textDocument/didClose", {"textDocument": {"uri": host_uri}})

    async def completions(self, uri: str, position: dict[str, Any], context: Any) -> Any:
        host_uri, _ = self.to_host_uri(uri)
        params: dict[str, Any] = {"textDocument": {"uri": host_uri}, "position": position}
        if isinstance(context, dict):
            params["context"] = context
        result = await self.rpc.request("textDocument/completion", params)
        if isinstance(result, list):
            items, incomplete = result, False
        elif isinstance(result, dict):
            items, incomplete = result.get("items") or [], bool(result.get("isIncomplete"))
        else:
            items, incomplete = [], False
        return {"isIncomplete": incomplete, "items": [_completion_item(i) for i in items]}

    async def document_symbols(self, uri: str) -> list[dict[str, Any]]:
        host_uri, _ = self.to_host_uri(uri)
        return await self._symbols_of(host_uri)

    async def _symbols_of(self, host_uri: str) -> list[dict[str, Any]]:
        result = await self.rpc.request(
            "textDocument/documentSymbol", {"textDocument": {"uri": host_uri}}
        )
        out: list[dict[str, Any]] = []
        self._flatten(result or [], host_uri, out)
        return out

    def _flatten(self, items: list[Any], host_uri: str, out: list[dict[str, Any]]) -> None:
        for item in items:
            if not isinstance(item, dict):
                continue
            if "location" in item:  # SymbolInformation
                loc = item["location"] or {}
                uri, rng = loc.get("uri", host_uri), loc.get("range")
            else:  # DocumentSymbol
                uri, rng = host_uri, item.get("range")
            out.append(
                {
                    "kind": item.get("kind", 0),
                    "name": item.get("name", ""),
                    "location": {"uri": self.to_sandbox_uri(uri), "range": rng},
                }
            )
            children = item.get("children")
            if isinstance(children, list):
                self._flatten(children, host_uri, out)

    async def workspace_symbols(self, query: str) -> list[dict[str, Any]]:
        rpc = self.rpc
        if rpc.capabilities.get("workspaceSymbolProvider"):
            result = await rpc.request("workspace/symbol", {"query": query})
            out: list[dict[str, Any]] = []
            self._flatten(result or [], self.project_host.as_uri(), out)
            return out
        paths = await self.sb.run_sync(self._project_files)
        needle = query.lower()
        out = []
        for path in paths:
            try:
                symbols = await self._symbols_of(path.as_uri())
            except LspError:
                continue
            out.extend(s for s in symbols if needle in str(s["name"]).lower())
        return out

    def _project_files(self) -> list[Path]:
        suffixes = (".py", ".pyi") if self.language_id == "python" else (".ts", ".tsx", ".js")
        found: list[Path] = []
        for cur, dirs, names in os.walk(self.project_host):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
            for name in sorted(names):
                if name.endswith(suffixes):
                    found.append(Path(cur) / name)
                    if len(found) >= MAX_WORKSPACE_FILES:
                        return found
        return found


def _read_text(host: Path) -> str:
    with open_regular(host) as f:  # never blocks on a FIFO
        # the daemon reads any size; the emulator would hold it (and its JSON) in its own
        # process, so a larger file is refused as the kernel refuses one: EFBIG
        data = f.read(MAX_OPEN_BYTES + 1)
        if len(data) > MAX_OPEN_BYTES:
            raise OSError(errno.EFBIG, os.strerror(errno.EFBIG))
        return data.decode("utf-8", "replace")


def _completion_item(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {"label": str(item)}
    out: dict[str, Any] = {"label": item.get("label", "")}
    for key in ("kind", "detail", "sortText", "filterText", "insertText"):
        if item.get(key) not in (None, ""):
            out[key] = item[key]
    if "insertText" not in out:
        edit = item.get("textEdit")
        if isinstance(edit, dict) and isinstance(edit.get("newText"), str):
            out["insertText"] = edit["newText"]
    doc = item.get("documentation")
    if isinstance(doc, str) and doc:
        out["documentation"] = {"kind": "plaintext", "value": doc}
    elif isinstance(doc, dict):
        out["documentation"] = doc
    return out


class LspApi:
    """``/lsp/*``; the language servers of each sandbox live here."""

    def __init__(self, toolbox: Toolbox) -> None:
        self.tb = toolbox
        self.servers: dict[str, dict[tuple[str, str], LspServer]] = {}  # by sandbox id
        self.locks: dict[str, asyncio.Lock] = {}

    def routes(self) -> list[BaseRoute]:
        table: RouteTable = [
            ("POST", "/lsp/start", self.start),
            ("POST", "/lsp/stop", self.stop),
            ("POST", "/lsp/did-open", self.did_open),
            ("POST", "/lsp/did-close", self.did_close),
            ("POST", "/lsp/completions", self.completions),
            ("GET", "/lsp/document-symbols", self.document_symbols),
            ("GET", "/lsp/workspace-symbols", self.workspace_symbols),
            # the daemon's own spelling (the real API proxies the dashed path, which 404s there)
            ("GET", "/lsp/workspacesymbols", self.workspace_symbols),
        ]
        return daemon_routes(table)

    def of(self, sb: Sandbox) -> dict[tuple[str, str], LspServer]:
        return self.servers.setdefault(sb.id, {})

    def lock_of(self, sb: Sandbox) -> asyncio.Lock:
        return self.locks.setdefault(sb.id, asyncio.Lock())

    async def sandbox_stopped(self, sandbox_id: str) -> None:
        """Stop the sandbox's language servers."""
        self.locks.pop(sandbox_id, None)
        for server in self.servers.pop(sandbox_id, {}).values():
            try:
                await server.aclose()
            except Exception:
                log.exception("stopping a language server of sandbox %s failed", sandbox_id)

    def server_of(self, sb: Sandbox, language_id: str, project: str) -> LspServer:
        if language_id not in ("python", "typescript"):
            raise Fail(400, f"unsupported language: {language_id}")
        server = self.of(sb).get((language_id, project))
        if server is None or server.client is None or not server.client.alive:
            raise Fail(400, "server not initialized")
        return server

    async def body_of(self, request: Request, struct: str, extra: dict[str, str]) -> dict[str, Any]:
        body = await read_json(request)
        require(
            body, struct, {"languageId": "LanguageId", "pathToProject": "PathToProject", **extra}
        )
        return body

    async def call(self, coro: Any) -> Any:
        try:
            return await coro
        except LspError as exc:
            raise Fail(500, str(exc)) from None

    async def start(self, request: Request) -> Response:
        body = await self.body_of(request, "LspServerRequest", {})
        language_id, project = str(body["languageId"]), str(body["pathToProject"])
        server_argv(language_id)  # 400 for an unsupported / uninstalled language
        sb = self.tb.sandbox_of(request)
        async with self.lock_of(sb):
            current = self.of(sb).get((language_id, project))
            if current is not None and current.client is not None and current.client.alive:
                return empty(200)
            try:
                host = await sb.run_sync(sb.jail.resolve, project)
            except JailError:
                raise Fail(500, "error starting LSP server") from None
            server = LspServer(sb, language_id, project, host)
            try:
                await server.start()
            except ProcessLimitError as exc:
                raise Fail(LIMIT_STATUS, str(exc)) from None
            except (OSError, LspError):
                raise Fail(500, "error starting LSP server") from None
            self.of(sb)[(language_id, project)] = server
        return empty(200)

    async def stop(self, request: Request) -> Response:
        body = await self.body_of(request, "LspServerRequest", {})
        language_id, project = str(body["languageId"]), str(body["pathToProject"])
        if language_id not in ("python", "typescript"):
            raise Fail(400, f"unsupported language: {language_id}")
        sb = self.tb.sandbox_of(request)
        server = self.of(sb).pop((language_id, project), None)
        if server is None:
            raise Fail(500, "error stopping LSP server")
        await server.aclose()
        return empty(200)

    async def did_open(self, request: Request) -> Response:
        body = await self.body_of(request, "LspDocumentRequest", {"uri": "Uri"})
        server = self.server_of(
            self.tb.sandbox_of(request), str(body["languageId"]), str(body["pathToProject"])
        )
        await self.call(server.did_open(str(body["uri"])))
        return empty(200)

    async def did_close(self, request: Request) -> Response:
        body = await self.body_of(request, "LspDocumentRequest", {"uri": "Uri"})
        server = self.server_of(
            self.tb.sandbox_of(request), str(body["languageId"]), str(body["pathToProject"])
        )
        await self.call(server.did_close(str(body["uri"])))
        return empty(200)

    async def completions(self, request: Request) -> Response:
        body = await self.body_of(
            request, "LspCompletionParams", {"uri": "Uri", "position": "Position"}
        )
        position = body["position"]
        if not isinstance(position, dict):
            raise Fail(400, "invalid request body: position must be an object")
        # go-playground `required` on ints rejects 0 (the real service's quirk)
        for key, go_name in (("line", "Line"), ("character", "Character")):
            value = position.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value == 0:
                raise Fail(
                    400,
                    f"invalid request body: Key: 'LspCompletionParams.Position.{go_name}' "
                    f"Error:Field validation for '{go_name}' failed on the 'required' tag",
                )
        server = self.server_of(
            self.tb.sandbox_of(request), str(body["languageId"]), str(body["pathToProject"])
        )
        result = await self.call(
            server.completions(
                str(body["uri"]),
                {"line": position["line"], "character": position["character"]},
                body.get("context"),
            )
        )
        return json_response(result)

    def query_args(self, request: Request, names: tuple[str, ...]) -> list[str]:
        values = []
        for name in names:
            value = query(request, name)
            if not value:
                raise Fail(400, f"{name} is required")
            values.append(value)
        return values

    async def document_symbols(self, request: Request) -> Response:
        language_id, project, uri = self.query_args(request, ("languageId", "pathToProject", "uri"))
        server = self.server_of(self.tb.sandbox_of(request), language_id, project)
        return json_response(await self.call(server.document_symbols(uri)))

    async def workspace_symbols(self, request: Request) -> Response:
        language_id, project = self.query_args(request, ("languageId", "pathToProject"))
        text = query(request, "query")
        server = self.server_of(self.tb.sandbox_of(request), language_id, project)
        return json_response(await self.call(server.workspace_symbols(text)))
