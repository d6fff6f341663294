"""Behaviours of images and of the build-context storage that a planted bug broke without the
rest of the suite noticing (issue 23): an ``Image`` renders (and uploads) the same whatever
the folder the project is checked out in, and an organization's storage credentials reach only
its own objects, also when its id is a prefix of another organization's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from daytona_async import Image
from daytona_emulator.object_storage import ObjectStorage

# -- 5. the Dockerfile text does not depend on where the checkout lives ---------------------


def _checkout(root: Path) -> Path:
    """The same small project, written under ``root``."""
    project = root / "project"
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "src" / "pkg" / "__init__.py").write_text("VALUE = 1\n")
    (project / "conf").mkdir()
    (project / "conf" / "app.json").write_text(json.dumps({"debug": False}))
    (project / "requirements.txt").write_text("attrs\n")
    (project / "docker").mkdir()
    (project / "docker" / "Dockerfile").write_text(
        "FROM python:3.12-slim\nCOPY app.py /app/app.py\nCOPY static /app/static\n"
    )
    (project / "docker" / "app.py").write_text("print('hi')\n")
    (project / "docker" / "static").mkdir()
    (project / "docker" / "static" / "index.html").write_text("<p>hi</p>\n")
    return project


def _image_of_the_checkout() -> Image:
    """Every way an ``Image`` takes local files, each named relative to the current folder."""
    return (
        Image.debian_slim("3.12")
        .pip_install_from_requirements("requirements.txt")
        .add_local_dir("src", "/app/src")
        .add_local_dir("./src/pkg", "/app/pkg")
        .add_local_file("conf/app.json", "/etc/app/")
        .add_local_file("requirements.txt", "/app/requirements.txt")
        .dockerfile_commands(["COPY app.py /srv/app.py"], context_dir="docker")
        .workdir("/app")
    )


@pytest.fixture
def two_checkouts(tmp_path: Path) -> tuple[Path, Path]:
    """The same project checked out in two unrelated places (two machines, two users)."""
    return (
        _checkout(tmp_path / "home" / "alice" / "work"),
        _checkout(tmp_path / "builds" / "ci-runner-17" / "checkouts" / "x"),
    )


def test_an_images_dockerfile_is_the_same_wherever_the_checkout_lives(
    two_checkouts: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    from_file: list[str] = []
    for project in two_checkouts:
        monkeypatch.chdir(project)
        image = _image_of_the_checkout()
        rendered.append(image.dockerfile)
        # the local files are still taken from this checkout
        assert {c.source for c in image.contexts} >= {project / "src", project / "conf/app.json"}
        from_file.append(Image.from_dockerfile("docker/Dockerfile").dockerfile)
    assert rendered[0] == rendered[1]
    assert from_file[0] == from_file[1]
    for project in two_checkouts:
        for text in rendered:
            assert str(project) not in text
            assert str(project.parent) not in text


def test_an_image_with_absolute_paths_names_them_as_given(tmp_path: Path) -> None:
    """An absolute path given by the caller is what names the context: a different path is a
    different name (no collision), the same path the same name."""
    a, b = _checkout(tmp_path / "a"), _checkout(tmp_path / "b")
    first = Image.base("alpine:3.20").add_local_dir(a / "src", "/src")
    again = Image.base("alpine:3.20").add_local_dir(str(a / "src"), "/src")
    other = Image.base("alpine:3.20").add_local_dir(b / "src", "/src")
    assert first.dockerfile == again.dockerfile
    assert first.dockerfile != other.dockerfile


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_the_same_project_in_two_checkouts_uploads_one_build_context(
    two_checkouts: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    emulator: Any,
    client_factory: Callable[..., Any],
) -> None:
    """What the service sees (the Dockerfile and the content hashes of the contexts) is the
    same for both checkouts, so the second one uploads nothing new."""
    infos = []
    async with client_factory(emulator) as daytona:
        for project in two_checkouts:
            monkeypatch.chdir(project)
            infos.append(await daytona.prepare_image(_image_of_the_checkout()))
    first, second = infos
    assert first.dockerfile_content == second.dockerfile_content
    assert first.context_hashes == second.context_hashes
    assert len(set(first.context_hashes)) == 6  # six distinct local sources


# -- 6. storage credentials reach only their own organization's objects ---------------------


@pytest.fixture(scope="module")
def storage() -> Iterator[ObjectStorage]:
    store = ObjectStorage()
    try:
        yield store
    finally:
        store.close()


def _s3(access: dict[str, str]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=access["storageUrl"],
        region_name="us-east-1",
        aws_access_key_id=access["accessKey"],
        aws_secret_access_key=access["secret"],
        aws_session_token=access["sessionToken"],
        config=Config(retries={"max_attempts": 1}),
    )


def _denied(call: Callable[[], object]) -> bool:
    from botocore.exceptions import ClientError

    try:
        call()
    except ClientError as exc:
        # a HEAD answer has no body to carry the code: its status tells
        code = str(exc.response["Error"]["Code"])
        return code in ("AccessDenied", "403")
    return False


@pytest.mark.parametrize(
    ("mine", "theirs"),
    [("org-7", "org-77"), ("acme", "acme-evil"), ("team", "team.b"), ("x", "x_")],
)
def test_an_organization_whose_id_prefixes_anothers_reaches_none_of_its_objects(
    storage: ObjectStorage, mine: str, theirs: str
) -> None:
    my_access, their_access = storage.push_access(mine), storage.push_access(theirs)
    bucket = their_access["bucket"]
    their_key = f"{theirs}/{'c' * 64}/context.tar"
    _s3(their_access).put_object(Bucket=bucket, Key=their_key, Body=b"theirs")
    me = _s3(my_access)
    assert _denied(lambda: me.get_object(Bucket=bucket, Key=their_key)), (
        f"{mine} could get_object {theirs}'s objects"
    )
    assert _denied(lambda: me.head_object(Bucket=bucket, Key=their_key)), (
        f"{mine} could head_object {theirs}'s objects"
    )
    assert _denied(lambda: me.put_object(Bucket=bucket, Key=their_key, Body=b"replaced")), (
        f"{mine} could put_object {theirs}'s objects"
    )
    assert _denied(lambda: me.delete_object(Bucket=bucket, Key=their_key)), (
        f"{mine} could delete_object {theirs}'s objects"
    )
    assert _denied(lambda: me.list_objects_v2(Bucket=bucket, Prefix=theirs)), (
        f"{mine} could list_objects_v2 {theirs}'s objects"
    )
    assert _denied(lambda: me.list_objects_v2(Bucket=bucket, Prefix=mine)), (
        f"{mine} could list_objects_v2 {theirs}'s objects"
    )  # matches theirs too
    # theirs is intact, and mine still works
    got = _s3(their_access).get_object(Bucket=bucket, Key=their_key)["Body"].read()
    assert got == b"theirs"
    my_key = f"{mine}/{'d' * 64}/context.tar"
    me.put_object(Bucket=bucket, Key=my_key, Body=b"mine")
    assert me.get_object(Bucket=bucket, Key=my_key)["Body"].read() == b"mine"
    listed = me.list_objects_v2(Bucket=bucket, Prefix=f"{mine}/")
    keys = [o["Key"] for o in listed.get("Contents", [])]
    assert my_key in keys and all(k.startswith(f"{mine}/") for k in keys)
