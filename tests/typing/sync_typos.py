"""Typos a sync user makes: test_sync_typing.py checks that ``mypy --strict`` reports exactly
one error on each line marked ``# typo`` and none elsewhere."""

from __future__ import annotations

import daytona_async
from daytona_async import Daytona


def main() -> None:
    with Daytona(api_key="k", api_url="http://localhost:3000/api", timeout="60") as d:  # typo
        sb = d.craete()  # typo
        sb = d.create(lables={"a": "b"})  # typo
        with d.sandbox(cpus=2) as other:  # typo
            print(other.id)
        sb.fs.uplaod(b"data", "f.txt")  # typo
        sb.fs.download_byte("f.txt")  # typo
        r = sb.process.exce("ls")  # typo
        r = sb.process.exec("ls")
        print(r.exit_cod)  # typo
        code: int = sb.process.exec("ls")  # typo
        print(code)
        sb.git.stauts("repo")  # typo
        sb.lsp("python", "/x").strat()  # typo
        sb.delete(wiat=True)  # typo
        sb.refersh()  # typo
        d.snapshots.gte("name")  # typo
        for snap in d.snapshots.list(page_sise=5):  # typo
            print(snap.nmae)  # typo
        print(daytona_async.Daytonna)  # typo
        print(d.http)  # typo
