"""A local emulator of the Daytona service (control plane and toolbox) for offline use and tests.

``create_app()`` builds the ASGI app; ``python -m daytona_emulator`` serves it;
``daytona_emulator.testing.EmulatorServer`` runs one in a background thread.
Importing this package is cheap: the app and its dependencies load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from daytona_emulator.settings import EmulatorSettings, FaultSettings

if TYPE_CHECKING:
    from daytona_emulator.app import create_app

__all__ = ["EmulatorSettings", "FaultSettings", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from daytona_emulator.app import create_app

        return create_app
    raise AttributeError(f"module 'daytona_emulator' has no attribute {name!r}")
