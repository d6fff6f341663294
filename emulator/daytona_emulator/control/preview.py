"""Preview checks used by the preview proxy (``/preview/{sandboxId}/...``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from daytona_emulator.control.common import not_found, text
from daytona_emulator.control.plane import Control
from daytona_emulator.store import Doc


class PreviewApi:
    """Checks used by the preview proxy. Answers are text bodies (`true`)."""

    def __init__(self, control: Control) -> None:
        self.c = control

    def _sandbox(self, request: Request) -> tuple[str, Doc | None]:
        sid = request.path_params["sandboxId"]
        return sid, self.c.store.get("sandboxes", sid)

    async def public(self, request: Request) -> Response:
        sid, sb = self._sandbox(request)
        if sb is None or not sb["public"]:
            raise not_found(f"Sandbox with ID {sid} not found")
        return text(True)

    async def validate_token(self, request: Request) -> Response:
        sid, sb = self._sandbox(request)
        if sb is None or sb["authToken"] != request.path_params["authToken"]:
            raise not_found(f"Sandbox with ID {sid} not found")
        return text(True)

    async def access(self, request: Request) -> Response:
        principal = self.c.auth.authenticate(request)
        sid, sb = self._sandbox(request)
        if sb is None or self.c.auth.member(sb["organizationId"], principal.user_id) is None:
            raise not_found(f"Sandbox with ID {sid} not found")
        return text(True)

    def routes(self) -> list[Route]:
        return [
            Route("/api/preview/{sandboxId}/public", self.public, methods=["GET"]),
            Route(
                "/api/preview/{sandboxId}/validate/{authToken}",
                self.validate_token,
                methods=["GET"],
            ),
            Route("/api/preview/{sandboxId}/access", self.access, methods=["GET"]),
        ]
