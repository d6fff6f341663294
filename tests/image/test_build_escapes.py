"""Image builds keep to their trees: ``COPY``/``ADD``/``WORKDIR`` never write outside the image
root (links are interpreted inside the image, level by level), globs match inside the build
context only, context archives with escaping members are refused, and a failed build's reason
names no host file. Against the emulator over loopback, with real files on the host."""

from __future__ import annotations

import io
import tarfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from daytona_async import Image, SandboxStateError

pytestmark = pytest.mark.anyio


def _climber(tmp_path: Path, emulator: Any) -> tuple[str, int]:
    """A context dir ``ctx/a1/../aN`` whose ``up`` link points N levels up: inside the context
    where it is unpacked, at the host's ``/`` once copied to the top of an image root
    (``data_dir/images/<ref>.partial/rootfs``)."""
    levels = len(Path(emulator.settings.data_dir).resolve().parts) + 2
    deep = tmp_path / "ctx" / Path(*[f"a{i}" for i in range(levels)])
    deep.mkdir(parents=True)
    (deep / "up").symlink_to("../" * levels)
    return deep.relative_to(tmp_path).as_posix(), levels


def _exists(path: Path) -> bool:
    return path.exists()


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    return outside


async def test_a_merge_through_a_link_copied_earlier_stays_in_the_image(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    climber, _ = _climber(tmp_path, emulator)
    outside = _outside(tmp_path)
    # a second context whose tree follows the link down to a host folder
    target = tmp_path / "ctx2" / "up" / outside.relative_to("/")
    target.mkdir(parents=True)
    (target / "payload.txt").write_text("written")
    image = Image.base("alpine:3.20").dockerfile_commands(
        [f"COPY {climber} /", "COPY ctx2 /"], context_dir=tmp_path
    )
    async with (
        client_factory(emulator) as daytona,
        daytona.sandbox(image=image, timeout=60) as sb,
    ):
        assert not _exists(outside / "payload.txt")  # nothing written on the host
        # the link means the image's own "/": the file lands inside the image
        inside = await sb.fs.download_bytes(f"{outside}/payload.txt")
    assert inside == b"written"


async def test_workdir_through_a_link_stays_in_the_image(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    climber, _ = _climber(tmp_path, emulator)
    outside = _outside(tmp_path)
    image = Image.base("alpine:3.20").dockerfile_commands(
        [f"COPY {climber} /", f"WORKDIR /up{outside}/made-by-workdir"], context_dir=tmp_path
    )
    async with (
        client_factory(emulator) as daytona,
        daytona.sandbox(image=image, timeout=60) as sb,
    ):
        assert not _exists(outside / "made-by-workdir")  # nothing made on the host
        listed = [f.name for f in await sb.fs.list(str(outside))]
    assert listed == ["made-by-workdir"]


async def test_a_file_copied_onto_a_link_to_a_directory_goes_into_it(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    climber, _ = _climber(tmp_path, emulator)
    (tmp_path / "note.txt").write_text("note")
    image = Image.base("alpine:3.20").dockerfile_commands(
        [f"COPY {climber} /", "COPY note.txt /up"], context_dir=tmp_path
    )
    async with (
        client_factory(emulator) as daytona,
        daytona.sandbox(image=image, timeout=60) as sb,
    ):
        # "/up" leads to the image's "/", a directory: the file goes into it
        assert await sb.fs.download_bytes("/note.txt") == b"note"


async def _build(
    emulator: Any, client_factory: Callable[..., Any], dockerfile: str, hashes: list[str]
) -> SandboxStateError:
    from daytona_api.models import CreateBuildInfo

    info = CreateBuildInfo(dockerfile_content=dockerfile, context_hashes=hashes)
    async with client_factory(emulator) as daytona:
        with pytest.raises(SandboxStateError) as caught:
            await daytona.create(build=info, timeout=60)
    assert caught.value.state == "build_failed"
    return caught.value


async def test_a_glob_never_matches_host_files(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    secret = f"host-secret-{uuid.uuid4().hex}"
    (tmp_path / f"{secret}.txt").write_text("private")
    inside = tmp_path.relative_to("/").as_posix()
    for pattern, seen in (
        (f"{tmp_path}/*.txt", f"{inside}/*.txt"),  # absolute: taken from the context's top
        (f"../../../../../../../..{tmp_path}/host-*", f"{inside}/host-*"),  # ".." stops there
        ("/*", "*"),  # the host's / is not listed
        (f"{Path.home()}/.*", f"{Path.home().relative_to('/').as_posix()}/.*"),
    ):
        failed = await _build(
            emulator, client_factory, f"FROM alpine:3.20\nCOPY {pattern} /x/\n", []
        )
        reason = str(failed.error_reason)
        assert reason == (
            "Failed to build image: COPY failed: file not found in build context or excluded "
            f"by .dockerignore: stat {seen}: file does not exist"
        )
        assert secret not in reason


async def _upload_context(
    emulator: Any, client_factory: Callable[..., Any], members: list[tuple[tarfile.TarInfo, bytes]]
) -> str:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    context_hash = uuid.uuid4().hex
    async with client_factory(emulator) as daytona:
        access = await daytona.object_storage.push_access()

    def put() -> None:
        import boto3

        boto3.client(
            "s3",
            endpoint_url=access.storage_url,
            region_name="us-east-1",
            aws_access_key_id=access.access_key,
            aws_secret_access_key=access.secret,
            aws_session_token=access.session_token,
        ).put_object(
            Bucket=access.bucket,
            Key=f"{access.organization_id}/{context_hash}/context.tar",
            Body=buf.getvalue(),
        )

    await anyio.to_thread.run_sync(put)
    return context_hash


def _found(root: Path, name: str) -> bool:
    return any(root.rglob(name))


def _link_targets(root: Path, name: str) -> set[str]:
    return {str(p.readlink()) for p in root.rglob(name) if p.is_symlink()}


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o644
    return info


@pytest.mark.parametrize(
    "member",
    [
        _member("/abs.txt"),
        _member("ctx/../../escaped.txt"),
        _member("ctx/link", tarfile.SYMTYPE, "/etc"),
        _member("ctx/link", tarfile.SYMTYPE, "../../outside"),
        _member("ctx/hard", tarfile.LNKTYPE, "/etc/hostname"),
        _member("ctx/hard", tarfile.LNKTYPE, "../outside.txt"),
        _member("ctx/fifo", tarfile.FIFOTYPE),
        _member("ctx/dev", tarfile.CHRTYPE),
    ],
    ids=["absolute", "dotdot", "abs-link", "up-link", "abs-hardlink", "up-hardlink", "fifo", "dev"],
)
async def test_context_archive_members_that_leave_the_context_are_refused(
    emulator: Any, client_factory: Callable[..., Any], member: tarfile.TarInfo
) -> None:
    context_hash = await _upload_context(
        emulator, client_factory, [(_member("ctx/ok.txt"), b"ok"), (member, b"x")]
    )
    failed = await _build(
        emulator, client_factory, 'FROM alpine:3.20\nCOPY ["ctx", "/x"]\n', [context_hash]
    )
    reason = str(failed.error_reason)
    assert f"build context {context_hash}" in reason
    data_dir = Path(emulator.settings.data_dir)
    assert str(data_dir) not in reason and "/tmp" not in reason  # no host path named
    assert not _found(data_dir, "escaped.txt")


async def test_context_archive_links_inside_the_context_are_kept_as_links(
    emulator: Any, client_factory: Callable[..., Any]
) -> None:
    from daytona_api.models import CreateBuildInfo

    context_hash = await _upload_context(
        emulator,
        client_factory,
        [
            (_member("ctx/data.txt"), b"data"),
            (_member("ctx/sub", tarfile.DIRTYPE), b""),
            (_member("ctx/sub/link", tarfile.SYMTYPE, "../data.txt"), b""),
            (_member("ctx/hard", tarfile.LNKTYPE, "ctx/data.txt"), b""),
        ],
    )
    info = CreateBuildInfo(
        dockerfile_content='FROM alpine:3.20\nCOPY ["ctx", "/srv/"]\n',
        context_hashes=[context_hash],
    )
    async with client_factory(emulator) as daytona:
        sb = await daytona.create(build=info, timeout=60)
        try:
            hard = await sb.fs.download_bytes("/srv/hard")
            listed = {f.name: f for f in await sb.fs.list("/srv/sub")}
        finally:
            await sb.delete()
    assert hard == b"data"
    assert set(listed) == {"link"}
    assert _link_targets(Path(emulator.settings.data_dir) / "images", "link") == {"../data.txt"}


def _bundle(path: Path, members: list[tuple[tarfile.TarInfo, bytes]], mode: str) -> None:
    with tarfile.open(path, mode) as tar:  # type: ignore[call-overload]
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


async def test_add_unpacks_a_local_archive_and_copies_other_files(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path
) -> None:
    _bundle(
        tmp_path / "bundle.tar.gz",
        [
            (_member("pkg", tarfile.DIRTYPE), b""),
            (_member("pkg/a.txt"), b"unpacked"),
            (_member("pkg/link", tarfile.SYMTYPE, "a.txt"), b""),
        ],
        "w:gz",
    )
    (tmp_path / "plain.txt").write_text("plain")
    image = Image.base("alpine:3.20").dockerfile_commands(
        ["ADD bundle.tar.gz /opt/", "ADD plain.txt /opt/"], context_dir=tmp_path
    )
    async with (
        client_factory(emulator) as daytona,
        daytona.sandbox(image=image, timeout=60) as sb,
    ):
        unpacked = await sb.fs.download_bytes("/opt/pkg/a.txt")
        plain = await sb.fs.download_bytes("/opt/plain.txt")
        names = sorted(f.name for f in await sb.fs.list("/opt"))
    assert (unpacked, plain) == (b"unpacked", b"plain")
    assert names == ["pkg", "plain.txt"]  # the archive itself is not copied


@pytest.mark.parametrize(
    "member",
    [
        _member("../../../escaped.txt"),
        _member("/escaped.txt"),
        _member("up", tarfile.SYMTYPE, "../../.."),
        _member("abs", tarfile.SYMTYPE, "/"),
        _member("hard", tarfile.LNKTYPE, "../../etc/hostname"),
        _member("dev", tarfile.BLKTYPE),
    ],
    ids=["dotdot", "absolute", "up-link", "abs-link", "up-hardlink", "device"],
)
async def test_add_refuses_archive_members_that_leave_their_destination(
    emulator: Any, client_factory: Callable[..., Any], tmp_path: Path, member: tarfile.TarInfo
) -> None:
    _bundle(tmp_path / "evil.tar", [(_member("ok.txt"), b"ok"), (member, b"x")], "w")
    image = Image.base("alpine:3.20").dockerfile_commands(
        ["ADD evil.tar /opt/"], context_dir=tmp_path
    )
    async with client_factory(emulator) as daytona:
        with pytest.raises(SandboxStateError) as caught:
            await daytona.create(image=image, timeout=60)
    assert caught.value.state == "build_failed"
    assert str(caught.value.error_reason).startswith("Failed to build image: ADD evil.tar: ")
    assert not _found(Path(emulator.settings.data_dir), "escaped.txt")
