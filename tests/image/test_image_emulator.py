"""Images with local files against the emulator over loopback: push-access and its S3
endpoint, upload and de-duplication, sandboxes and snapshots whose files come from a local
directory, a build whose context is missing, RUN steps only with the emulator's flag."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from daytona_async import BuildContextError, Image, SandboxStateError, SnapshotStateError

pytestmark = pytest.mark.anyio


def _project(root: Path, marker: str) -> Path:
    src = root / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "__init__.py").write_text(f"MARKER = {marker!r}\n")
    (src / "data.bin").write_bytes(bytes(range(256)) * 64)
    return src


def _s3(access: Any) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=access.storage_url,
        region_name="us-east-1",
        aws_access_key_id=access.access_key,
        aws_secret_access_key=access.secret,
        aws_session_token=access.session_token,
    )


async def test_push_access_gives_a_working_s3_endpoint(
    emulator: Any, client_factory: Callable[..., Any]
) -> None:
    async with client_factory(emulator) as daytona:
        access = await daytona.object_storage.push_access()
    assert access.storage_url.startswith("http://127.0.0.1:")
    key = f"{access.organization_id}/probe/context.tar"

    def roundtrip() -> bytes:
        s3 = _s3(access)  # a standard client (boto3), not the SDK's
        s3.put_object(Bucket=access.bucket, Key=key, Body=b"hello")
        return bytes(s3.get_object(Bucket=access.bucket, Key=key)["Body"].read())

    assert await anyio.to_thread.run_sync(roundtrip) == b"hello"


async def test_upload_then_second_prepare_uploads_nothing(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    image = Image.base("python:3.12-slim").add_local_dir(_project(tmp_path, "dedup"), "/app/src")
    first: list[tuple[int, int | None]] = []
    second: list[tuple[int, int | None]] = []
    async with client_factory(emulator) as daytona:
        info = await daytona.prepare_image(image, progress=lambda d, t: first.append((d, t)))
        again = await daytona.prepare_image(image, progress=lambda d, t: second.append((d, t)))
        access = await daytona.object_storage.push_access()
    assert info.dockerfile_content == image.dockerfile
    assert len(info.context_hashes) == 1 and info.context_hashes == again.context_hashes
    total = first[-1][1]
    assert total and first[-1][0] == total  # everything went up, progress saw it
    assert second == [(0, 0)]  # nothing read, nothing uploaded

    def stored() -> int:
        head = _s3(access).head_object(
            Bucket=access.bucket,
            Key=f"{access.organization_id}/{info.context_hashes[0]}/context.tar",
        )
        return int(head["ContentLength"])

    assert await anyio.to_thread.run_sync(stored) == total


async def test_sandbox_from_image_has_the_local_files(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    src = _project(tmp_path, "sandbox")
    (tmp_path / "settings.ini").write_text("[app]\nmode = test\n")
    image = (
        Image.debian_slim("3.12")
        .pip_install(["requests"])
        .run_commands("mkdir -p /app")
        .add_local_dir(src, "/app/src")
        .add_local_file(tmp_path / "settings.ini", "/etc/app/")
        .env({"APP_ENV": "test"})
        .workdir("/app")
    )
    logs: list[str] = []
    async with (
        client_factory(emulator) as daytona,
        daytona.sandbox(image=image, on_build_logs=logs.append, timeout=60) as sb,
    ):
        marker = await sb.fs.download_bytes("/app/src/pkg/__init__.py")
        data = await sb.fs.download_bytes("/app/src/data.bin")
        ini = await sb.fs.download_bytes("/etc/app/settings.ini")
    assert marker == b"MARKER = 'sandbox'\n"
    assert data == (src / "data.bin").read_bytes()
    assert ini == b"[app]\nmode = test\n"
    steps = [line for line in logs if line.startswith("Step ")]
    assert len(steps) == len(image.dockerfile.splitlines())
    assert steps[0] == f"Step 1/{len(steps)} : FROM python:3.12-slim-bookworm"
    assert any("RUN not executed" in line for line in logs)
    assert logs[-1].startswith("Successfully tagged daytona-")


async def test_snapshot_from_image_then_sandbox_from_snapshot(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    image = Image.base("python:3.12-slim").add_local_dir(_project(tmp_path, "snap"), "/srv")
    name = f"img-{uuid.uuid4().hex}:1.0"
    async with client_factory(emulator) as daytona:
        snap = await daytona.snapshots.create(name, image=image, timeout=60)
        assert snap.state == "active" or str(getattr(snap.state, "value", "")) == "active"
        async with daytona.sandbox(snap.name, timeout=60) as sb:
            marker = await sb.fs.download_bytes("/srv/pkg/__init__.py")
        await daytona.snapshots.delete(snap.id)
    assert marker == b"MARKER = 'snap'\n"


async def test_missing_context_fails_the_build(
    emulator: Any, client_factory: Callable[..., Any]
) -> None:
    from daytona_api.models import CreateBuildInfo

    info = CreateBuildInfo(
        dockerfile_content='FROM alpine:3.20\nCOPY ["ctx-x", "/x"]\n',
        context_hashes=["0" * 64],
    )
    async with client_factory(emulator) as daytona:
        with pytest.raises(SandboxStateError) as caught:
            await daytona.create(build=info, timeout=60)
        with pytest.raises(SnapshotStateError) as snap_caught:
            await daytona.snapshots.create(f"missing-{uuid.uuid4().hex}:1", build=info)
    assert caught.value.state == "build_failed"
    assert "not found in object storage" in str(caught.value.error_reason)
    assert "not found in object storage" in str(snap_caught.value.error_reason)


async def test_run_steps_execute_only_with_the_flag(
    emulator_factory: Callable[..., Any], client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    image = (
        Image.base("alpine:3.20")
        .env({"GREETING": "hi $USER"})
        .workdir("/work")
        .run_commands('printf "%s" "$GREETING" > made-by-run.txt; echo built-step-output')
        .add_local_dir(_project(tmp_path, "run"), "/work/src")
    )
    server = emulator_factory(build_run_commands=True)
    logs: list[str] = []
    async with (
        client_factory(server) as daytona,
        daytona.sandbox(image=image, on_build_logs=logs.append, timeout=60) as sb,
    ):
        made = await sb.fs.download_bytes("/work/made-by-run.txt")
    assert made == b"hi $USER"  # ENV value literal: single-quoted in the Dockerfile
    assert "built-step-output" in logs


async def test_image_without_s3_client_is_a_clear_error(
    emulator: Any,
    client_factory: Callable[..., Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from daytona_async import ConfigurationError

    monkeypatch.setitem(sys.modules, "obstore.store", None)
    image = Image.base("alpine:3.20").add_local_dir(_project(tmp_path, "x"), "/x")
    async with client_factory(emulator) as daytona:
        with pytest.raises(ConfigurationError, match=r"daytona-async\[image\]"):
            await daytona.prepare_image(image)


async def test_unreachable_storage_is_a_build_context_error(
    client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    from daytona_api.models import StorageAccessDto
    from daytona_async._build_context import PreparedContext, upload_contexts

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()
    access = StorageAccessDto(
        access_key="AK",
        secret="super-secret-value",
        session_token="tok",
        storage_url=f"http://127.0.0.1:{port}",
        organization_id="org",
        bucket="b",
    )
    with (tmp_path / "f").open("w+b") as f, pytest.raises(BuildContextError) as caught:
        await upload_contexts(access, [PreparedContext("h", 0, f)])
    assert "super-secret-value" not in str(caught.value)


async def test_create_with_an_image_reference_builds_from_it(
    emulator: Any, client_factory: Callable[..., Any]
) -> None:
    async with client_factory(emulator) as daytona:
        sb = await daytona.create(image="python:3.12-slim", timeout=60)
        try:
            log = await sb.build_logs()
        finally:
            await sb.delete()
    assert "Step 1/1 : FROM python:3.12-slim" in log


async def test_copy_cannot_write_through_a_symlink_out_of_the_image(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "escape").symlink_to(outside)
    (tmp_path / "payload.txt").write_text("x")
    image = (
        Image.base("alpine:3.20")
        .add_local_dir(ctx, "/")
        .add_local_file(tmp_path / "payload.txt", "/escape/payload.txt")
    )
    async with client_factory(emulator) as daytona:
        with pytest.raises(SandboxStateError) as caught:
            await daytona.create(image=image, timeout=60)
    assert caught.value.state == "build_failed"  # the link is refused when unpacked
    assert not (outside / "payload.txt").exists()


async def test_dockerfile_commands_copy_a_glob_from_context_dir(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.ini").write_text("a")
    (tmp_path / "conf" / "b.ini").write_text("b")
    (tmp_path / "conf" / "skip.txt").write_text("no")
    image = Image.base("alpine:3.20").dockerfile_commands(
        ["COPY conf/*.ini /etc/app/"], context_dir=tmp_path
    )
    async with (
        client_factory(emulator) as daytona,
        daytona.sandbox(image=image, timeout=60) as sb,
    ):
        names = sorted(f.name for f in await sb.fs.list("/etc/app"))
    assert names == ["a.ini", "b.ini"]
