"""Typos a user makes: test_typing.py checks that ``mypy --strict`` reports exactly one error
on each line marked ``# typo`` and none elsewhere."""

from __future__ import annotations

import daytona_async
from daytona_async import AsyncDaytona


async def main() -> None:
    async with AsyncDaytona(api_key="k", api_url="http://localhost:3000/api") as daytona:
        sb = await daytona.craete()  # typo
        sb = await daytona.create(lables={"a": "b"})  # typo
        async with daytona.sandbox(cpus=2) as other:  # typo
            print(other.id)
        await sb.fs.uplaod(b"data", "f.txt")  # typo
        await sb.fs.download_byte("f.txt")  # typo
        r = await sb.process.exce("ls")  # typo
        r = await sb.process.exec("ls")
        print(r.exit_cod)  # typo
        print(r.outptu)  # typo
        await sb.git.stauts("repo")  # typo
        await sb.lsp("python", "/x").strat()  # typo
        await sb.delete(wiat=True)  # typo
        await sb.refersh()  # typo
        await daytona.snapshots.gte("name")  # typo
        print(daytona_async.ExecResutl)  # typo
