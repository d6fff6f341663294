"""The job this SDK exists for: fan out over N sandboxes at a bounded concurrency.

In each sandbox: upload a small project, run it in a session while its output streams live to
the terminal (every line prefixed with its sandbox), download the result file, delete the
sandbox. A progress bar runs meanwhile and a summary table closes the run; the exit code is
non-zero if any sandbox failed.

Ctrl-C stops the run and deletes every sandbox it created before exiting (code 130, one line,
no traceback); a second Ctrl-C abandons that cleanup and names the sandboxes left behind.

    DAYTONA_API_KEY=... DAYTONA_API_URL=... python examples/orchestrate.py --n 20 --concurrency 8

(`make demo` starts a local emulator and sets both variables for you.) Needs rich for the
terminal: ``pip install 'daytona-async[examples]'``.
"""

from __future__ import annotations

import signal
import sys

if __name__ == "__main__":
    # a Ctrl-C while the libraries below are still loading: no sandbox exists yet, so there is
    # nothing to clean up; leave quietly (the run's own handler replaces this one later)
    signal.signal(signal.SIGINT, lambda *_: sys.exit(130))

import argparse
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import anyio
from daytona_async import AsyncDaytona, DaytonaError

try:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.table import Table
except ImportError:  # the SDK alone does not bring rich
    sys.exit("this example needs rich: pip install 'daytona-async[examples]'")

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


@dataclass
class Run:
    """What one run has in flight, so that an interrupt knows what to clean up."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    live: set[str] = field(default_factory=set)  # sandboxes created and not yet deleted
    done: set[str] = field(default_factory=set)  # deleted at the end of their job
    creating: int = 0  # creates in flight: the SDK deletes what they made (by its create-id label)
    interrupted: bool = False
    live_at_interrupt: set[str] = field(default_factory=set)  # what the interrupt deletes
    listed: anyio.Event = field(default_factory=anyio.Event)
    sweeping: set[str] = field(default_factory=set)  # found left over after the interrupt

    @property
    def labels(self) -> dict[str, str]:
        # every sandbox of the run carries its run id: what an interrupt lists to find leftovers
        return {"example": "orchestrate", "run": self.run_id}


async def run_one(
    daytona: AsyncDaytona, run: Run, index: int, total: int, console: Console
) -> Outcome:
    out = Outcome(index)
    started = time.monotonic()
    sandbox_id: str | None = None
    run.creating += 1
    try:
        async with daytona.sandbox(labels=run.labels, timeout=120) as sb:
            run.creating -= 1
            sandbox_id = out.sandbox_id = sb.id
            run.live.add(sb.id)
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
    finally:
        # leaving `daytona.sandbox()` deleted the sandbox (a failed delete on cancellation is
        # only logged by the SDK: the sweep after an interrupt catches that case)
        if sandbox_id is None:
            run.creating -= 1
        else:
            run.live.discard(sandbox_id)
            if not run.interrupted:
                run.done.add(sandbox_id)
    out.seconds = time.monotonic() - started
    return out


async def note_existing(daytona: AsyncDaytona, run: Run) -> None:
    """At the interrupt, also count the sandboxes whose create was still in flight (the SDK
    deletes those by a label without telling us their ids)."""
    try:
        found = await daytona.list(labels=run.labels, timeout=30)
        run.live_at_interrupt.update(
            sb.id for sb in found if sb.state != "destroyed" and sb.id not in run.done
        )
    except DaytonaError:
        pass  # only the count is less precise: the sweep still finds what is left
    finally:
        run.listed.set()


async def watch_interrupts(
    signals: AsyncIterator[signal.Signals],
    daytona: AsyncDaytona,
    run: Run,
    work: anyio.CancelScope,
    progress: Progress,
) -> None:
    """First Ctrl-C: cancel the work (each `daytona.sandbox()` then deletes its sandbox).
    Second Ctrl-C: abandon the cleanup and say what is left."""
    async with anyio.create_task_group() as tg:
        async for _ in signals:
            if not run.interrupted:
                run.interrupted = True
                run.live_at_interrupt = set(run.live)
                work.cancel()
                tg.start_soon(note_existing, daytona, run)
                continue
            abandon(run, progress)


def abandon(run: Run, progress: Progress) -> None:
    progress.stop()
    left = sorted(run.live | run.sweeping)
    note = f", {run.creating} being created" if run.creating else ""
    sys.stderr.write(
        f"interrupted again: cleanup abandoned; {len(left)} sandboxes may be left{note} "
        f"(label run={run.run_id}): {' '.join(left) or '-'}\n"
    )
    sys.stdout.flush()
    sys.stderr.flush()
    # the SDK's delete-on-exit is shielded from cancellation by design, so the only way to
    # stop waiting for it is to leave the process
    os._exit(130)


async def sweep(daytona: AsyncDaytona, run: Run) -> list[str]:
    """After an interrupt: delete whatever of this run is still there (a delete on exit that
    failed, a create that finished as it was cancelled). Returns the ids that could not be."""
    failed: list[str] = []
    try:
        found = await daytona.list(labels=run.labels, timeout=30)
    except DaytonaError as exc:
        sys.stderr.write(f"could not list the run's sandboxes: {type(exc).__name__}: {exc}\n")
        return [f"(unknown: label run={run.run_id})"]
    left = [sb for sb in found if sb.state not in ("destroying", "destroyed")]
    run.sweeping = {sb.id for sb in left}
    for sb in left:
        try:
            await sb.delete(timeout=30)
        except DaytonaError:
            failed.append(sb.id)
        run.sweeping.discard(sb.id)
    run.live_at_interrupt.update(sb.id for sb in left if sb.id not in failed)
    return failed


async def main(n: int, concurrency: int) -> int:
    console = Console()
    progress = Progress(
        TextColumn("[bold]sandboxes"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    run = Run()
    outcomes: list[Outcome] = []
    elapsed = 0.0
    with anyio.open_signal_receiver(signal.SIGINT) as signals:
        async with AsyncDaytona() as daytona, anyio.create_task_group() as watcher:
            work = anyio.CancelScope()
            watcher.start_soon(watch_interrupts, signals, daytona, run, work, progress)
            with work, progress:
                task = progress.add_task("sandboxes", total=n)

                async def job(index: int) -> Outcome:
                    outcome = await run_one(daytona, run, index, n, progress.console)
                    progress.advance(task)
                    return outcome

                started = time.monotonic()
                outcomes = await daytona.gather(job, range(n), concurrency=concurrency)
                elapsed = time.monotonic() - started
            failed_deletes: list[str] = []
            if run.interrupted:
                await run.listed.wait()
                failed_deletes = await sweep(daytona, run)
            watcher.cancel_scope.cancel()

    if run.interrupted:
        deleted = len(run.live_at_interrupt - set(failed_deletes))
        line = f"interrupted: deleted {deleted} sandboxes"
        if failed_deletes:
            line += f"; could not delete {len(failed_deletes)}: {' '.join(failed_deletes)}"
        sys.stderr.write(line + "\n")
        return 130

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
    signal.signal(signal.SIGINT, signal.default_int_handler)  # loaded: Ctrl-C as usual again
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="number of sandboxes (default 20)")
    parser.add_argument("--concurrency", type=int, default=8, help="sandboxes at once (default 8)")
    args = parser.parse_args()
    if args.n < 1 or args.concurrency < 1:
        parser.error("--n and --concurrency must be at least 1")
    try:
        return anyio.run(main, args.n, args.concurrency)
    except KeyboardInterrupt:  # before the signal watcher was set up, or after it ended
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(cli())
