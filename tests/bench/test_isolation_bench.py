"""The isolation bench's client lets idle connections go before the emulator does.

A keep-alive connection that the server closes for idleness while the client sends a request
on it answers the request bytes with a reset: the bench saw 6 to 10 ``ReadError`` in 3,000
isolated execs with httpx's default expiry (5 s, equal to uvicorn's keep-alive).
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

ROOT = Path(__file__).resolve().parents[2]


def test_exec_pool_expires_idle_connections_before_the_emulators_keep_alive() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import isolation
    finally:
        sys.path.remove(str(ROOT / "bench"))
    # the emulator runs uvicorn with its default keep-alive (testing.py, __main__.py)
    server_keep_alive = uvicorn.Config(app="daytona_emulator.app:create_app").timeout_keep_alive
    limits = isolation.exec_limits()
    assert limits.keepalive_expiry is not None
    # at least 2 s of margin: under load the client's idle clock starts seconds after the
    # server's (it reads the response late)
    assert limits.keepalive_expiry <= server_keep_alive - 2
