"""The ASGI app: control-plane routes, the guarded toolbox mount, error mapping, lifespan."""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from daytona_emulator.control.plane import Control
from daytona_emulator.control.routes import control_routes
from daytona_emulator.errors import ApiError, nest_error
from daytona_emulator.faults import ConnectionDropped, FaultInjector
from daytona_emulator.ports import SandboxToolbox
from daytona_emulator.settings import EmulatorSettings
from daytona_emulator.toolbox import ToolboxRuntime

log = logging.getLogger("daytona_emulator")

TOOLBOX_MOUNT = "/api/toolbox/{sandboxId}/toolbox"
# JSON.stringify(new BadRequestException('Sandbox is not running')), written by the toolbox proxy
NOT_RUNNING_BODY = json.dumps(
    {
        "response": {
            "message": "Sandbox is not running",
            "error": "Bad Request",
            "statusCode": 400,
        },
        "status": 400,
        "options": {},
        "message": "Sandbox is not running",
        "name": "BadRequestException",
    },
    separators=(",", ":"),
).encode()


class EmulatorApp(Starlette):
    """Starlette with an optional fault injector in front of everything (see ``faults``), and
    CORS around the whole app (:class:`NestCors`).

    An unhandled error is answered (and logged) by the ``Exception`` handler, and then
    re-raised by Starlette for the server's sake; uvicorn would close the connection after the
    complete 500, silently, so the client's next request on it fails. It is swallowed here once
    the response is complete; a response cut mid-body still ends its connection.
    """

    fault_injector: FaultInjector | None = None
    # CORS around everything the app answers, errors included (Express's cors runs first)
    cors: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
        elif self.fault_injector is not None:
            # the injector gets the server's own `send` (it reaches the transport through it)
            await self.fault_injector(scope, receive, send, self._serve_http)
        else:
            await self._serve_http(scope, receive, send)

    async def _serve_http(self, scope: Scope, receive: Receive, send: Send) -> None:
        complete = False

        async def watching_send(message: Message) -> None:
            nonlocal complete
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                complete = True

        try:
            if self.cors is not None:
                await self.cors(scope, receive, watching_send)
            else:
                await super().__call__(scope, receive, watching_send)
        except Exception:
            if not complete:
                raise


class NestCors(CORSMiddleware):
    """``app.enableCors({origin: true, credentials: true})``: the request's origin reflected,
    credentials allowed, the requested headers mirrored, and a preflight answered ``204``
    with no body (the cors package's ``optionsSuccessStatus``)."""

    METHODS = ("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS")

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(
            app,
            allow_origins=["*"],
            allow_credentials=True,
            allow_methods=self.METHODS,
            allow_headers=["*"],
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # most callers are not browsers: without an Origin header there is nothing to add
        if any(name == b"origin" for name, _ in scope["headers"]):
            await super().__call__(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code != 200:
            return response
        headers = {
            k: v for k, v in response.headers.items() if k not in ("content-type", "content-length")
        }
        return Response(status_code=204, headers=headers)


class ToolboxGuard:
    """Runs before every toolbox handler: auth, org permission, sandbox access, `started`.

    Every request that passes the access checks bumps the sandbox's activity (auto-stop), as
    the real API does in ``ToolboxService.getRunner``. The handler finds the sandbox id in
    ``request.state.sandbox_id``.
    """

    def __init__(self, control: Control) -> None:
        self.control = control
        self.router: Router | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        sid = scope["path_params"]["sandboxId"]
        c = self.control
        try:
            _, org = c.auth.scoped(request, "write:sandboxes")
            sb = c.store.get("sandboxes", sid)
            if sb is None or sb["organizationId"] != org["id"]:
                raise ApiError(404, f"Sandbox with ID {sid} not found", "Not Found")
        except ApiError as exc:
            await nest_error(request, exc.status, exc.message, exc.error)(scope, receive, send)
            return
        c.touch_activity(sb)
        if sb["state"] != "started":
            if scope["path"].endswith("/toolbox/process/execute"):
                # not proxied: a normal Nest error
                response = nest_error(request, 400, "Sandbox is not running", "Bad Request")
            else:
                response = Response(
                    NOT_RUNNING_BODY, 400, media_type="application/json; charset=utf-8"
                )
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["sandbox_id"] = sid
        if self.router is None:
            await PlainTextResponse("404 page not found", 404)(scope, receive, send)
            return
        await self.router(scope, receive, send)


async def _plain_404(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("404 page not found", 404)(scope, receive, send)


def make_toolbox(settings: EmulatorSettings) -> SandboxToolbox:
    """The toolbox the app runs (tests replace this to run a fake one)."""
    return ToolboxRuntime(settings)


def create_app(settings: EmulatorSettings | None = None, **kwargs: Any) -> Starlette:
    """The emulator's ASGI app.

    Either pass ``settings`` (``kwargs`` then override its fields) or build them from
    ``kwargs`` (``api_key`` is required; without ``data_dir`` a temporary folder is used and
    removed when the app shuts down).
    """
    own_dir: Path | None = None
    if settings is None:
        if kwargs.get("data_dir") is None:
            own_dir = Path(tempfile.mkdtemp(prefix="daytona-emulator-"))
            kwargs["data_dir"] = own_dir
        kwargs["data_dir"] = Path(kwargs["data_dir"])
        settings = EmulatorSettings(**kwargs)
    elif kwargs:
        settings = dataclasses.replace(settings, **kwargs)

    control = Control(settings)
    guard = ToolboxGuard(control)
    routes: list[BaseRoute] = [*control_routes(control), Mount(TOOLBOX_MOUNT, app=guard)]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        toolbox = make_toolbox(settings)
        # the toolbox is in place before the clock resumes sandboxes left mid-transition
        control.toolbox = toolbox
        app.state.toolbox = toolbox
        guard.router = Router(routes=toolbox.routes(), default=_plain_404)
        try:
            await toolbox.start()
            await control.start()
            yield
        finally:
            control.closing()
            await toolbox.aclose()
            await control.aclose()
            if own_dir is not None:
                shutil.rmtree(own_dir, ignore_errors=True)

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return nest_error(request, exc.status, exc.message, exc.error)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/toolbox/"):
            return PlainTextResponse("404 page not found", 404)
        if exc.status_code in (404, 405):
            return nest_error(
                request, 404, f"Cannot {request.method} {request.url.path}", "Not Found"
            )
        return nest_error(request, exc.status_code, str(exc.detail))

    async def server_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, ConnectionDropped):  # fault injection cut the stream on purpose
            return Response(status_code=500)
        if isinstance(exc, ClientDisconnect):  # the client left mid-body: nobody to answer
            return Response(status_code=400)
        log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return nest_error(request, 500, "Internal server error", "Internal Server Error")

    app = EmulatorApp(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            ApiError: api_error,
            HTTPException: http_error,
            Exception: server_error,
        },
    )
    app.cors = NestCors(functools.partial(Starlette.__call__, app))
    app.state.settings = settings
    app.state.control = control
    app.state.toolbox = None
    if settings.faults.enabled:
        app.fault_injector = FaultInjector(settings.faults)
    return app
