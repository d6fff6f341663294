"""Every control-plane route, one API group per module; the hot ones (sandboxes) first."""

from __future__ import annotations

from starlette.routing import BaseRoute

from daytona_emulator.control.api_keys import ApiKeyApi
from daytona_emulator.control.invitations import InvitationApi
from daytona_emulator.control.members import MemberApi
from daytona_emulator.control.organizations import OrganizationApi
from daytona_emulator.control.plane import Control
from daytona_emulator.control.preview import PreviewApi
from daytona_emulator.control.registries import RegistryApi
from daytona_emulator.control.runners import RunnerApi
from daytona_emulator.control.sandboxes import SandboxApi
from daytona_emulator.control.snapshots import SnapshotApi
from daytona_emulator.control.users import UserApi
from daytona_emulator.control.volumes import VolumeApi


def control_routes(control: Control) -> list[BaseRoute]:
    return [
        *SandboxApi(control).routes(),
        *SnapshotApi(control).routes(),
        *VolumeApi(control).routes(),
        *RegistryApi(control).routes(),
        *ApiKeyApi(control).routes(),
        # the invited user's /organizations/invitations... before /organizations/{id}
        *InvitationApi(control).routes(),
        *OrganizationApi(control).routes(),
        *MemberApi(control).routes(),
        *UserApi(control).routes(),
        *RunnerApi(control).routes(),
        *PreviewApi(control).routes(),
    ]
