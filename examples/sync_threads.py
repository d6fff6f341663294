"""One synchronous client shared by many threads (a thread pool, a web app's workers): every
thread's calls go through the client's one background event loop and connection pool.

DAYTONA_API_KEY=... DAYTONA_API_URL=... python examples/sync_threads.py [THREADS]
"""

import sys
from concurrent.futures import ThreadPoolExecutor

from daytona_async import Daytona, Sandbox


def main(threads: int) -> None:
    with Daytona() as daytona, daytona.sandbox(labels={"example": "sync-threads"}) as sb:

        def job(i: int, sb: Sandbox = sb) -> str:
            sb.fs.upload(f"job {i}\n".encode(), f"jobs/{i}.txt")
            return sb.process.exec(f"cat jobs/{i}.txt").output.strip()

        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(job, range(threads * 2)))
        print(f"{len(results)} jobs on {threads} threads; first: {results[0]!r}")
        # the same fan-out without a pool of your own: gather runs `job` in worker threads
        print("gather:", daytona.gather(job, range(4), concurrency=4))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 8)
