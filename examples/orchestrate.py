"""The job this SDK exists for: fan out over N sandboxes at a bounded concurrency.

In each sandbox: upload a small project, run it in a session while its output streams live to
the terminal (every line prefixed with its sandbox), download the result file, delete the
sandbox. A progress bar runs meanwhile and a summary table closes the run; the exit code is
non-zero if any sandbox failed.

    DAYTONA_API_KEY=... DAYTONA_API_URL=... python examples/orchestrate.py --n 20 --concurrency 8

(`make demo` starts a local emulator and sets both variables for you.)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass

import anyio
from daytona_async import AsyncDaytona, DaytonaError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

# The project each sandbox runs: it counts primes in a slice, printing as it goes, and writes
# its answer to result.json.
MAIN_PY = b"""\
import json, sys, time

worker, total = int(sys.argv[1]), int(sys.argv[2])
lo, hi = worker * 2000, (worker + 1) * 2000
print(f"worker {worker}/{total}: counting primes in [{lo}, {hi})", flush=True)
found = []
for step, start in enumerate(range(lo, hi, 500)):
    found += [n for n in range(max(start, 2), start + 500) if all(n % d for d in range(2, int(n**0.5) + 1))]
    print(f"step {step + 1}/4: {len(found)} primes so far", flush=True)
    time.sleep(0.05)
with open("result.json", "w") as f:
    json.dump({"worker": worker, "range": [lo, hi], "primes": len(found), "largest": max(found, default=None)}, f)
print("done", flush=True)
"""
README = b"A tiny project uploaded by examples/orchestrate.py\n"


@dataclass
class Outcome:
    index: int
    sandbox_id: str = "-"
    exit_code: int | None = None
    seconds: float = 0.0
    bytes_moved: int = 0
    result: str = ""
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.error


async def run_one(daytona: AsyncDaytona, index: int, total: int, console: Console) -> Outcome:
    out = Outcome(index)
    started = time.monotonic()
    try:
        async with daytona.sandbox(labels={"example": "orchestrate"}, timeout=120) as sb:
            out.sandbox_id = sb.id
            tag = f"[cyan]{sb.id[:8]}[/]"
            files = [(MAIN_PY, "project/main.py"), (README, "project/README.txt")]
            await sb.fs.upload_many(files)
            out.bytes_moved += sum(len(data) for data, _ in files)
            await sb.process.create_session("job")

            def show(line: str) -> None:
                console.print(f"{tag} {line}", markup=True, highlight=False)

            result = await sb.process.run(
                "job",
                f"cd ~/project && python3 main.py {index} {total}",
                on_output=show,
                lines=True,
                timeout=120,
            )
            out.exit_code = result.exit_code
            if result.exit_code == 0:
                data = await sb.fs.download_bytes("project/result.json")
                out.bytes_moved += len(data)
                answer = json.loads(data)
                out.result = f"{answer['primes']} primes, largest {answer['largest']}"
    except DaytonaError as exc:
        out.error = f"{type(exc).__name__}: {exc}"
    out.seconds = time.monotonic() - started
    return out


async def main(n: int, concurrency: int) -> int:
    console = Console()
    progress = Progress(
        TextColumn("[bold]sandboxes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    async with AsyncDaytona() as daytona:
        with progress:
            task = progress.add_task("sandboxes", total=n)

            async def job(index: int) -> Outcome:
                outcome = await run_one(daytona, index, n, progress.console)
                progress.advance(task)
                return outcome

            started = time.monotonic()
            outcomes = await daytona.gather(job, range(n), concurrency=concurrency)
            elapsed = time.monotonic() - started

    table = Table(title=f"{n} sandboxes, concurrency {concurrency}, {elapsed:.1f} s")
    for column in ("#", "sandbox", "exit code", "duration", "bytes moved", "result"):
        table.add_column(
            column,
            justify="right" if column in ("#", "exit code", "duration", "bytes moved") else "left",
            no_wrap=column != "result",
            overflow="fold",
        )
    for o in outcomes:
        table.add_row(
            str(o.index),
            o.sandbox_id[:8],
            "-" if o.exit_code is None else str(o.exit_code),
            f"{o.seconds:.2f} s",
            f"{o.bytes_moved:,}",
            o.result or f"[red]{o.error}[/]",
        )
    console.print(table)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        console.print(f"[red]{len(failed)} of {n} sandboxes failed[/]")
        return 1
    console.print(f"[green]all {n} sandboxes succeeded[/]")
    return 0


def cli() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="number of sandboxes (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="sandboxes at once (default 8)")
    args = parser.parse_args()
    if args.n < 1 or args.concurrency < 1:
        parser.error("--n and --concurrency must be at least 1")
    return anyio.run(main, args.n, args.concurrency)


if __name__ == "__main__":
    sys.exit(cli())
