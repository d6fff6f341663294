"""What the generated ``from_dict`` does with the shapes the service sends, beyond the round
trip: the parsing templates (generator/templates) skip the attrs ``__init__``, look enum values
up in a dict and define union parsers once per module, and must keep upstream's results."""

from __future__ import annotations

import copy
import datetime
from typing import Any

import pytest
from daytona_api.models import (
    BuildInfo,
    Command,
    Sandbox,
    SandboxClass,
    SandboxState,
    SnapshotDto,
    StringMap,
)
from daytona_api.types import UNSET

SANDBOX: dict[str, Any] = {
    "id": "sb-1",
    "organizationId": "org-1",
    "snapshot": None,
    "user": "daytona",
    "env": {"A": "1"},
    "labels": {"job": "x"},
    "public": False,
    "target": "us",
    "cpu": 1,
    "gpu": 0,
    "memory": 1,
    "disk": 3,
    "state": "started",
    "errorReason": None,
    "volumes": [{"volumeId": "v", "mountPath": "/data"}],
    "class": "small",
    "buildInfo": {
        "dockerfileContent": "FROM x",
        "createdAt": "2025-06-13T08:05:07Z",
        "updatedAt": "2025-06-13T08:05:07Z",
    },
    "fromANewerServer": {"kept": True},
}


def test_sandbox_fields_enums_unions_and_extras() -> None:
    src = copy.deepcopy(SANDBOX)
    sb = Sandbox.from_dict(src)
    assert src == SANDBOX  # the caller's dict is not consumed
    assert sb.id == "sb-1" and sb.cpu == 1 and sb.public is False
    assert sb.state is SandboxState.STARTED and sb.class_ is SandboxClass.SMALL
    assert sb.backup_state is UNSET and sb.runner_domain is UNSET  # absent optional fields
    assert sb.snapshot is None and sb.error_reason is None  # nullable unions, sent as null
    assert isinstance(sb.build_info, BuildInfo)
    assert isinstance(sb.env, StringMap) and sb.env.additional_properties == {"A": "1"}
    assert sb.volumes is not UNSET and sb.volumes[0].mount_path == "/data"
    assert sb.additional_properties == {"fromANewerServer": {"kept": True}}
    # the same object the attrs constructor builds
    built = Sandbox(
        id="sb-1",
        organization_id="org-1",
        user="daytona",
        env=sb.env,
        labels=sb.labels,
        public=False,
        target="us",
        cpu=1,
        gpu=0,
        memory=1,
        disk=3,
        snapshot=None,
        state=SandboxState.STARTED,
        error_reason=None,
        volumes=sb.volumes,
        build_info=sb.build_info,
        class_=SandboxClass.SMALL,
    )
    built.additional_properties = {"fromANewerServer": {"kept": True}}
    assert sb == built


def test_enum_fields_keep_unknown_values_and_refuse_wrong_types() -> None:
    sb = Sandbox.from_dict({**SANDBOX, "state": "hibernating"})
    assert isinstance(sb.state, SandboxState) and sb.state == "hibernating"
    for wrong in (3, ["started"], {"a": 1}):
        with pytest.raises(ValueError):  # as SandboxState(wrong) raises
            Sandbox.from_dict({**SANDBOX, "state": wrong})


def test_a_missing_required_field_raises_a_typed_error_naming_it() -> None:
    from daytona_api.types import MissingFieldError

    src = dict(SANDBOX)
    del src["organizationId"]
    with pytest.raises(MissingFieldError) as caught:
        Sandbox.from_dict(src)
    assert (caught.value.model, caught.value.field) == ("Sandbox", "organizationId")
    assert not isinstance(caught.value, KeyError)


def test_union_fields_convert_or_keep_the_raw_value() -> None:
    base = {
        "id": "s",
        "general": True,
        "name": "n",
        "imageName": "img",
        "state": "active",
        "enabled": True,
        "size": None,
        "entrypoint": None,
        "cpu": 1,
        "gpu": 0,
        "mem": 1,
        "disk": 3,
        "errorReason": None,
        "createdAt": "2025-06-13T08:05:07+00:00",
        "updatedAt": "2025-06-13T08:05:07+00:00",
        "lastUsedAt": "2025-06-13T08:05:07+00:00",
    }
    snap = SnapshotDto.from_dict(base)
    assert snap.last_used_at == datetime.datetime(2025, 6, 13, 8, 5, 7, tzinfo=datetime.UTC)
    # not a date: upstream's union parser falls back to the raw value, so does ours
    assert SnapshotDto.from_dict({**base, "lastUsedAt": "soon"}).last_used_at == "soon"
    assert SnapshotDto.from_dict({**base, "lastUsedAt": None}).last_used_at is None


def test_a_field_named_like_its_model() -> None:
    cmd = Command.from_dict({"id": "c", "command": "ls", "exitCode": None})
    assert isinstance(cmd, Command)
    assert cmd.command == "ls" and cmd.exit_code is None
