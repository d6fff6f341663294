"""``/files/upload`` and ``/files/bulk-upload``: streamed multipart uploads into the jail.

Each file part is written to a temporary file next to its destination and renamed into place
when complete, so memory stays bounded and a cut upload leaves nothing half-written.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from .common import Fail, daemon_routes, empty, json_response, os_error_message, required_query
from .fsio import make_dirs
from .multipart import DiscardSink, MultipartError, PartSink, TempFileSink, TextSink, parse_stream
from .state import Sandbox, Toolbox

__all__ = ["UploadsApi"]


class UploadsApi:
    def __init__(self, toolbox: Toolbox) -> None:
        self.tb = toolbox

    def routes(self) -> list[BaseRoute]:
        return daemon_routes(
            [
                ("POST", "/files/upload", self.upload),
                ("POST", "/files/bulk-upload", self.bulk_upload),
            ]
        )

    async def _prepare_dest(self, sb: Sandbox, dest: str) -> Path:
        jail = sb.jail

        def work() -> Path:
            host = jail.resolve(dest)
            if host == jail.root:
                raise IsADirectoryError(21, "is a directory")
            make_dirs(host.parent, 0o755)
            return host

        return await sb.run_sync(work)

    async def upload(self, request: Request) -> Response:
        path = required_query(request, "path")
        sb = self.tb.sandbox_of(request)
        found = False

        async def on_part(name: str, filename: str | None) -> PartSink:
            nonlocal found
            if name != "file" or found:
                return DiscardSink()
            found = True
            try:
                host = await self._prepare_dest(sb, path)
                return TempFileSink(host)
            except OSError as exc:
                raise Fail(400, os_error_message("open", path, exc)) from None

        try:
            await parse_stream(request, on_part)
        except MultipartError as exc:
            raise Fail(400, str(exc)) from None
        except ClientDisconnect:
            return empty(400)
        except OSError as exc:
            raise Fail(400, os_error_message("open", path, exc)) from None
        if not found:
            raise Fail(400, "http: no such file")
        return empty(200)

    async def bulk_upload(self, request: Request) -> Response:
        sb = self.tb.sandbox_of(request)
        dests: dict[str, str] = {}
        errs: list[str] = []
        pending_paths: dict[str, TextSink] = {}

        def index(name: str) -> str:
            s = name.removeprefix("files[")
            return s.removesuffix("].path").removesuffix("].file")

        async def on_part(name: str, filename: str | None) -> PartSink:
            # resolve the paths of the finished .path parts first
            for idx, sink in list(pending_paths.items()):
                if sink.done:
                    dest = sink.text.strip()
                    if dest:
                        dests[idx] = dest
                    else:
                        errs.append(f"path[{idx}]: empty path")
                    del pending_paths[idx]
            if name.endswith(".path"):
                text = TextSink()
                pending_paths[index(name)] = text
                return text
            if name.endswith(".file"):
                idx = index(name)
                target = dests.get(idx)
                if target is None:
                    errs.append(f"file[{idx}]: missing .path metadata")
                    return DiscardSink()
                try:
                    host = await self._prepare_dest(sb, target)
                    return _Recording(TempFileSink(host), errs, target)
                except OSError as exc:
                    errs.append(f"{target}: {os_error_message('open', target, exc)}")
                    return DiscardSink()
            return DiscardSink()

        try:
            await parse_stream(request, on_part)
        except MultipartError:
            return json_response({"errors": ["invalid multipart form"]}, 400)
        except ClientDisconnect:
            return empty(400)
        for idx, sink in pending_paths.items():
            if not sink.text.strip():
                errs.append(f"path[{idx}]: empty path")
        if errs:
            return json_response({"errors": errs}, 400)
        return empty(200)


class _Recording:
    """A file sink whose write/commit errors are recorded instead of failing the request."""

    def __init__(self, inner: TempFileSink, errs: list[str], dest: str) -> None:
        self.inner: TempFileSink | None = inner
        self.errs = errs
        self.dest = dest

    async def write(self, data: bytes) -> None:
        if self.inner is None:
            return
        try:
            await self.inner.write(data)
        except OSError as exc:
            await self._fail(exc)

    async def finish(self) -> None:
        if self.inner is None:
            return
        try:
            await self.inner.finish()
        except OSError as exc:
            self.inner = None
            self.errs.append(f"{self.dest}: {os_error_message('rename', self.dest, exc)}")

    async def _fail(self, exc: OSError) -> None:
        assert self.inner is not None
        await self.inner.abort()
        self.inner = None
        self.errs.append(f"{self.dest}: {os_error_message('write', self.dest, exc)}")

    async def abort(self) -> None:
        if self.inner is not None:
            await self.inner.abort()
            self.inner = None
