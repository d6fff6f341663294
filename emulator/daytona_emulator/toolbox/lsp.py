"""``/lsp/*``: real language servers over stdio, one per (sandbox, languageId, pathToProject).

``python`` is served by python-lsp-server (``<this python> -m pylsp``), ``typescript`` by
``typescript-language-server --stdio`` when it is on ``PATH`` (else 400, like any other
language). A small JSON-RPC client (``Content-Length`` framing) talks to the server; every
request has a timeout. URIs on the wire are sandbox URIs (``file:///home/daytona/x.py``),
mapped into the jail for the server and back in its answers.

Workspace symbols: pylsp has no ``workspace/symbol``; the emulator asks for the document
symbols of the project's ``.py`` files (at most :data:`MAX_WORKSPACE_FILES`, hidden and
virtualenv folders skipped) and keeps the names that contain the query (case-insensitive).
A server that does implement ``workspace/symbol`` is asked directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlparse

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .common import Fail, daemon_handler, empty, json_response, query, read_json, require
from .jail import Jail, JailError
from .procs import LIMIT_STATUS, ProcessLimitError, ProcessTracker, sandbox_env

if TYPE_CHECKING:
    from .runtime import SandboxState, ToolboxRuntime

__all__ = ["LspClient", "LspError", "LspServer", "routes"]

REQUEST_TIMEOUT = 15.0
INIT_TIMEOUT = 30.0
MAX_WORKSPACE_FILES = 300
SKIP_DIRS = {"node_modules", "__pycache__", "venv", "site-packages", "dist", "build"}


class LspError(Exception):
    pass


class LspClient:
    """JSON-RPC 2.0 over a process's stdin/stdout with ``Content-Length`` framing."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self._next = 0
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())
        self.capabilities: dict[str, Any] = {}

    async def _read(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while True:
                length = -1
                while True:
                    line = await stdout.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length < 0:
                    continue
                payload = await stdout.readexactly(length)
                try:
                    msg = json.loads(payload)
                except ValueError:
                    continue
                await self._dispatch(msg)
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(LspError("language server exited"))
            self._pending.clear()

    async def _dispatch(self, msg: dict[str, Any]) -> None:
        if "method" in msg:
            if "id" in msg:  # a request from the server: answer null (no client features)
                await self._send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
            return
        fut = self._pending.pop(msg.get("id", -1), None)
        if fut is None or fut.done():
            return
        if "error" in msg:
            err = msg["error"] or {}
            fut.set_exception(LspError(str(err.get("message", "language server error"))))
        else:
            fut.set_result(msg.get("result"))

    async def _send(self, msg: dict[str, Any]) -> None:
        stdin = self.proc.stdin
        if stdin is None or stdin.is_closing():
            raise LspError("language server exited")
        body = json.dumps(msg, separators=(",", ":")).encode()
        stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        try:
            await stdin.drain()
        except (ConnectionError, BrokenPipeError) as exc:
            raise LspError("language server exited") from exc

    async def request(self, method: str, params: Any, limit_s: float = REQUEST_TIMEOUT) -> Any:
        self._next += 1
        rid = self._next
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        try:
            await self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
            return await asyncio.wait_for(fut, limit_s)
        except TimeoutError:
            with contextlib.suppress(LspError):
                await self.notify("$/cancelRequest", {"id": rid})
            raise LspError(
                f"{method}: the language server did not answer in {limit_s:g}s"
            ) from None
        finally:
            self._pending.pop(rid, None)

    async def notify(self, method: str, params: Any) -> None:
        await self._send({"jsonrpc": "2.0", "method": method, "params": params})

    @property
    def alive(self) -> bool:
        return self.proc.returncode is None and not self._reader.done()

    async def aclose(self) -> None:
        if self.alive:
            with contextlib.suppress(Exception):
                await self.request("shutdown", None, limit_s=1.0)
                await self.notify("exit", None)
        ProcessTracker.kill_group(self.proc)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.proc.wait(), 5)
        self._reader.cancel()
        with contextlib.suppress(BaseException):
            await self._reader


def server_argv(language_id: str) -> list[str]:
    if language_id == "python":
        return [sys.executable, "-m", "pylsp"]
    if language_id == "typescript":
        exe = shutil.which("typescript-language-server")
        if exe:
            return [exe, "--stdio"]
    raise Fail(400, f"unsupported language: {language_id}")


class LspServer:
    def __init__(self, sb: SandboxState, language_id: str, project: str, project_host: Path):
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
        proc = await self.sb.runtime.tracker.spawn(
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
            text = await anyio.to_thread.run_sync(
                lambda: host.read_bytes().decode("utf-8", "replace")
            )
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
        paths = await anyio.to_thread.run_sync(self._project_files)
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


def routes(rt: ToolboxRuntime) -> list[BaseRoute]:
    def sandbox_of(request: Request) -> SandboxState:
        return rt.sandbox(request.path_params["sandboxId"])

    def key_of(language_id: str, project: str) -> tuple[str, str]:
        return (language_id, project)

    def server_of(sb: SandboxState, language_id: str, project: str) -> LspServer:
        if language_id not in ("python", "typescript"):
            raise Fail(400, f"unsupported language: {language_id}")
        server = sb.lsp.get(key_of(language_id, project))
        if server is None or server.client is None or not server.client.alive:
            raise Fail(400, "server not initialized")
        return server

    async def body_of(request: Request, struct: str, extra: dict[str, str]) -> dict[str, Any]:
        body = await read_json(request)
        require(
            body, struct, {"languageId": "LanguageId", "pathToProject": "PathToProject", **extra}
        )
        return body

    async def call(coro: Any) -> Any:
        try:
            return await coro
        except LspError as exc:
            raise Fail(500, str(exc)) from None

    @daemon_handler
    async def start(request: Request) -> Response:
        body = await body_of(request, "LspServerRequest", {})
        language_id, project = str(body["languageId"]), str(body["pathToProject"])
        server_argv(language_id)  # 400 for an unsupported / uninstalled language
        sb = sandbox_of(request)
        async with sb.lsp_lock:
            current = sb.lsp.get(key_of(language_id, project))
            if current is not None and current.client is not None and current.client.alive:
                return empty(200)
            try:
                host = await anyio.to_thread.run_sync(sb.jail.resolve, project)
            except JailError:
                raise Fail(500, "error starting LSP server") from None
            server = LspServer(sb, language_id, project, host)
            try:
                await server.start()
            except ProcessLimitError as exc:
                raise Fail(LIMIT_STATUS, str(exc)) from None
            except (OSError, LspError):
                raise Fail(500, "error starting LSP server") from None
            sb.lsp[key_of(language_id, project)] = server
        return empty(200)

    @daemon_handler
    async def stop(request: Request) -> Response:
        body = await body_of(request, "LspServerRequest", {})
        language_id, project = str(body["languageId"]), str(body["pathToProject"])
        if language_id not in ("python", "typescript"):
            raise Fail(400, f"unsupported language: {language_id}")
        sb = sandbox_of(request)
        server = sb.lsp.pop(key_of(language_id, project), None)
        if server is None:
            raise Fail(500, "error stopping LSP server")
        await server.aclose()
        return empty(200)

    @daemon_handler
    async def did_open(request: Request) -> Response:
        body = await body_of(request, "LspDocumentRequest", {"uri": "Uri"})
        server = server_of(sandbox_of(request), str(body["languageId"]), str(body["pathToProject"]))
        await call(server.did_open(str(body["uri"])))
        return empty(200)

    @daemon_handler
    async def did_close(request: Request) -> Response:
        body = await body_of(request, "LspDocumentRequest", {"uri": "Uri"})
        server = server_of(sandbox_of(request), str(body["languageId"]), str(body["pathToProject"]))
        await call(server.did_close(str(body["uri"])))
        return empty(200)

    @daemon_handler
    async def completions(request: Request) -> Response:
        body = await body_of(request, "LspCompletionParams", {"uri": "Uri", "position": "Position"})
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
        server = server_of(sandbox_of(request), str(body["languageId"]), str(body["pathToProject"]))
        result = await call(
            server.completions(
                str(body["uri"]),
                {"line": position["line"], "character": position["character"]},
                body.get("context"),
            )
        )
        return json_response(result)

    def query_args(request: Request, names: tuple[str, ...]) -> list[str]:
        values = []
        for name in names:
            value = query(request, name)
            if not value:
                raise Fail(400, f"{name} is required")
            values.append(value)
        return values

    @daemon_handler
    async def document_symbols(request: Request) -> Response:
        language_id, project, uri = query_args(request, ("languageId", "pathToProject", "uri"))
        server = server_of(sandbox_of(request), language_id, project)
        return json_response(await call(server.document_symbols(uri)))

    @daemon_handler
    async def workspace_symbols(request: Request) -> Response:
        language_id, project = query_args(request, ("languageId", "pathToProject"))
        text = query(request, "query")
        server = server_of(sandbox_of(request), language_id, project)
        return json_response(await call(server.workspace_symbols(text)))

    return [
        Route("/lsp/start", start, methods=["POST"]),
        Route("/lsp/stop", stop, methods=["POST"]),
        Route("/lsp/did-open", did_open, methods=["POST"]),
        Route("/lsp/did-close", did_close, methods=["POST"]),
        Route("/lsp/completions", completions, methods=["POST"]),
        Route("/lsp/document-symbols", document_symbols, methods=["GET"]),
        Route("/lsp/workspace-symbols", workspace_symbols, methods=["GET"]),
        # the daemon's own spelling (the real API proxies the dashed path, which 404s there)
        Route("/lsp/workspacesymbols", workspace_symbols, methods=["GET"]),
    ]
