"""uvicorn's h11 protocol with request read deadlines (slow-loris protection).

uvicorn closes idle keep-alive connections, but a client that sends one byte a second holds a
connection forever: every byte cancels the keep-alive timer and nothing bounds the time to
receive a request's head or body. This protocol adds the two deadlines Node applies to the
real service's HTTP server:

* ``header_timeout``: from the start of a request cycle (connection opened, or the previous
  response finished) until its head is complete;
* ``request_timeout``: from a complete head until the body is complete.

When a deadline passes before any byte of a response was sent, the client gets
``408 Request Timeout`` with ``Connection: close``; the connection is closed in every case.
While the app works on a fully received request there is no deadline.

Use ``uvicorn.Config(app, http=http_protocol(settings), ...)``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from daytona_emulator.settings import EmulatorSettings

__all__ = ["DeadlineH11Protocol", "http_protocol"]

_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 15\r\n"
    b"connection: close\r\n\r\n"
    b"Request Timeout"
)


class DeadlineH11Protocol(H11Protocol):
    header_timeout: float = 60.0
    request_timeout: float = 300.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._phase: str | None = None  # "head", "body" or None (nothing being received)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._update_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._update_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._update_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._set_phase(None)
        super().connection_lost(exc)

    def _update_deadline(self) -> None:
        state = self.conn.their_state
        if state is h11.IDLE:
            self._set_phase("head")
        elif state is h11.SEND_BODY:
            self._set_phase("body")
        else:
            self._set_phase(None)

    def _set_phase(self, phase: str | None) -> None:
        if phase == self._phase:
            return
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = phase
        if phase is not None and self.transport is not None and not self.transport.is_closing():
            delay = self.header_timeout if phase == "head" else self.request_timeout
            self._deadline = self.loop.call_later(delay, self._expired)

    def _expired(self) -> None:
        self._deadline = None
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        cycle = self.cycle
        answering = cycle is not None and cycle.response_started and not cycle.response_complete
        if not answering:
            transport.write(_TIMEOUT_RESPONSE)
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's next receive() sees http.disconnect
            cycle.message_event.set()
        transport.close()


def http_protocol(settings: EmulatorSettings) -> type[DeadlineH11Protocol]:
    """The protocol class for uvicorn's ``http=`` with the settings' deadlines."""
    return type(
        "EmulatorH11Protocol",
        (DeadlineH11Protocol,),
        {
            "header_timeout": settings.header_timeout,
            "request_timeout": settings.request_timeout,
        },
    )
