"""Every resource method at least once against the emulator."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from daytona_async import (
    AsyncDaytona,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)


@pytest.fixture
async def owner_jwt(emulator: Any) -> AsyncIterator[AsyncDaytona]:
    async with AsyncDaytona(
        jwt_token=emulator.mint_jwt(emulator.user_id),
        organization_id=emulator.organization_id,
        api_url=emulator.base_url,
    ) as d:
        yield d


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.mark.anyio
async def test_snapshots(daytona: AsyncDaytona) -> None:
    name = _name("snap")
    snap = await daytona.snapshots.create(name, "python:3.12-slim", timeout=30)
    assert snap.name == name and str(snap.state) == "active"
    assert (await daytona.snapshots.get(name)).id == snap.id
    assert (await daytona.snapshots.get(snap.id)).name == name
    names = [s.name async for s in daytona.snapshots.list(page_size=2)]
    assert name in names and len(names) == len(set(names))
    page = await daytona.snapshots.page(1, 1)
    assert len(page.items) == 1 and page.total >= 1
    toggled = await daytona.snapshots.toggle(snap.id, False)
    assert toggled.enabled is False
    await daytona.snapshots.set_general(snap.id, True)  # default user is a system admin
    await daytona.snapshots.set_general(snap.id, False)
    with pytest.raises(ConflictError):
        await daytona.snapshots.create(name, "python:3.12-slim", wait=False)

    lines: list[str] = []
    built = await daytona.snapshots.create(
        _name("built"),
        build=f"FROM python:3.12-slim\nRUN echo {uuid.uuid4()}\n",
        on_build_logs=lines.append,
        timeout=60,
    )
    assert str(built.state) == "active" and lines
    assert "Step" in await daytona.snapshots.build_logs(built.id)
    active = await daytona.snapshots.wait_until_active(built.id, timeout=5)
    assert active.id == built.id

    sb = await daytona.create(snapshot=name)
    assert sb.data.snapshot == name
    await sb.delete()
    await daytona.snapshots.delete(snap.id)
    await daytona.snapshots.delete(built.id)


@pytest.mark.anyio
async def test_volumes(daytona: AsyncDaytona) -> None:
    name = _name("vol")
    with pytest.raises(NotFoundError):
        await daytona.volumes.get(name)
    vol = await daytona.volumes.get(name, create=True)
    assert vol.name == name
    again = await daytona.volumes.get(name, create=True)
    assert again.id == vol.id
    ready = await daytona.volumes.wait_until_ready(vol.id, timeout=10)
    assert str(ready.state) == "ready"
    assert (await daytona.volumes.get_by_id(vol.id)).name == name
    other = await daytona.volumes.create(_name("vol2"))
    assert vol.id in [v.id for v in await daytona.volumes.list()]
    await daytona.volumes.delete(vol.id)
    listed = await daytona.volumes.list(include_deleted=True)
    assert vol.id in [v.id for v in listed]
    await daytona.volumes.wait_until_ready(other.id, timeout=10)
    await daytona.volumes.delete(other.id)


@pytest.mark.anyio
async def test_api_keys(daytona: AsyncDaytona, emulator: Any) -> None:
    name = _name("key")
    created = await daytona.api_keys.create(
        name,
        ["write:sandboxes", "delete:sandboxes"],
        expires_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    assert created.value.startswith("dtn_")
    assert name in [k.name for k in await daytona.api_keys.list()]
    got = await daytona.api_keys.get(name)
    assert "*" in got.value
    current = await daytona.api_keys.current()
    assert current.name
    async with AsyncDaytona(api_key=created.value, api_url=emulator.base_url) as d2:
        assert (await d2.api_keys.current()).name == name
        assert isinstance(await d2.list(), list)
    await daytona.api_keys.delete(name)
    with pytest.raises(NotFoundError):
        await daytona.api_keys.get(name)
    async with AsyncDaytona(api_key=created.value, api_url=emulator.base_url) as d2:
        with pytest.raises(AuthenticationError):
            await d2.list()


@pytest.mark.anyio
async def test_users_registries_storage_runners(
    daytona: AsyncDaytona, owner_jwt: AsyncDaytona
) -> None:
    me = await daytona.users.me()
    assert me.id
    assert await daytona.users.list()
    uid = _name("user")
    await daytona.users.create(uid, "Someone", email=f"{uid}@example.com", email_verified=True)
    assert (await daytona.users.get(uid)).name == "Someone"
    await daytona.users.regenerate_key_pair(uid)
    assert isinstance(await daytona.users.account_providers(), list)
    await owner_jwt.users.link_account("github", "gh-1")
    await owner_jwt.users.unlink_account("github", "gh-1")

    reg = await daytona.docker_registries.create(
        name=_name("reg"),
        url="https://registry.example.com",
        username="u",
        password="p",
        project="proj",
    )
    assert reg.id in [r.id for r in await daytona.docker_registries.list()]
    assert (await daytona.docker_registries.get(reg.id)).url == "https://registry.example.com"
    updated = await daytona.docker_registries.update(reg.id, name="renamed", username="u2")
    assert updated.name == "renamed"
    await daytona.docker_registries.set_default(reg.id)
    access = await daytona.docker_registries.push_access()
    assert access.registry_url
    await daytona.docker_registries.delete(reg.id)
    with pytest.raises(NotFoundError):
        await daytona.docker_registries.get(reg.id)

    storage = await daytona.object_storage.push_access()
    assert storage.bucket

    runners = await owner_jwt.runners.list()
    runner = await owner_jwt.runners.create(
        domain=f"{_name('r')}.example.com",
        api_url="http://runner.example.com",
        api_key="runner-key",
        cpu=4,
        memory=8,
        disk=50,
    )
    assert len(await owner_jwt.runners.list()) == len(runners) + 1
    flipped = await owner_jwt.runners.set_scheduling(runner.id, True)
    assert flipped.unschedulable is True
    await owner_jwt.runners.set_scheduling(runner.id, False)


@pytest.mark.anyio
async def test_organizations(owner_jwt: AsyncDaytona, daytona: AsyncDaytona, emulator: Any) -> None:
    orgs = owner_jwt.organizations
    assert emulator.organization_id in [o.id for o in await orgs.list()]
    assert (await orgs.get()).id == emulator.organization_id
    usage = await orgs.usage()
    assert usage.total_cpu_quota >= 0
    assert (await orgs.update_quota(volume_quota=200)).id == emulator.organization_id
    with pytest.raises(AuthenticationError):  # JWT only
        await daytona.organizations.list()

    new = await orgs.create(_name("org"))
    members = await orgs.members(new.id)
    assert [m.user_id for m in members] == [emulator.user_id]
    roles = await orgs.roles(new.id)
    role = await orgs.create_role(
        _name("role"), ["write:sandboxes"], description="d", organization_id=new.id
    )
    assert role.id in [r.id for r in await orgs.roles(new.id)] and len(roles) >= 0
    await orgs.update_role(
        role.id, name="renamed", permissions=["delete:sandboxes"], organization_id=new.id
    )

    invitee = _name("invitee")
    email = f"{invitee}@example.com"
    await daytona.users.create(invitee, "Invitee", email=email, email_verified=True)
    inv = await orgs.invite(email, assigned_role_ids=[role.id], organization_id=new.id)
    assert inv.id in [i.id for i in await orgs.invitations(new.id)]
    await orgs.update_invitation(
        inv.id, role="member", assigned_role_ids=[], organization_id=new.id
    )
    async with AsyncDaytona(
        jwt_token=emulator.mint_jwt(invitee, email=email),
        organization_id=new.id,
        api_url=emulator.base_url,
    ) as invited:
        mine = await invited.organizations.my_invitations()
        assert [i.id for i in mine] == [inv.id]
        assert await invited.organizations.my_invitations_count() == 1
        await invited.organizations.accept_invitation(inv.id)
    member_ids = [m.user_id for m in await orgs.members(new.id)]
    assert invitee in member_ids
    await orgs.set_member_assigned_roles(invitee, [role.id], organization_id=new.id)
    await orgs.set_member_role(invitee, "owner", organization_id=new.id)
    await orgs.set_member_role(invitee, "member", organization_id=new.id)
    await orgs.remove_member(invitee, organization_id=new.id)

    inv2 = await orgs.invite(email, organization_id=new.id)
    await orgs.cancel_invitation(inv2.id, organization_id=new.id)
    inv3 = await orgs.invite(email, organization_id=new.id)
    async with AsyncDaytona(
        jwt_token=emulator.mint_jwt(invitee, email=email),
        organization_id=new.id,
        api_url=emulator.base_url,
    ) as invited:
        await invited.organizations.decline_invitation(inv3.id)

    await orgs.delete_role(role.id, organization_id=new.id)
    await orgs.suspend(
        new.id,
        reason="test",
        until=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1),
    )
    await orgs.unsuspend(new.id)
    other = await orgs.create(_name("org2"))
    await orgs.delete(other.id)
    third = await orgs.create(_name("org3"))
    try:
        await orgs.leave(third.id)  # the real service may refuse the only owner (403)
    except PermissionDeniedError:
        await orgs.delete(third.id)
    await orgs.delete(new.id)
    with pytest.raises((NotFoundError, PermissionDeniedError)):
        await orgs.get(new.id)
