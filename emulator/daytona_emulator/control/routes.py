"""All control-plane routes, the hot ones (sandbox get/list) first."""

from __future__ import annotations

from starlette.routing import BaseRoute

from daytona_emulator.control.accounts import all_routes as account_routes
from daytona_emulator.control.resources import RegistryApi, SnapshotApi, VolumeApi
from daytona_emulator.control.sandboxes import SandboxApi
from daytona_emulator.control.state import Control


def control_routes(control: Control) -> list[BaseRoute]:
    return [
        *SandboxApi(control).routes(),
        *SnapshotApi(control).routes(),
        *VolumeApi(control).routes(),
        *RegistryApi(control).routes(),
        *account_routes(control),
    ]
