"""Quickstart, synchronous: the same API as the async one, without async/await — for scripts,
notebooks, CLIs and sync agent tools. Each call runs the async SDK in a background event loop
owned by the client.

DAYTONA_API_KEY=... DAYTONA_API_URL=... python examples/sync_quickstart.py
"""

from daytona_async import Daytona


def main() -> None:
    with Daytona() as daytona:  # reads DAYTONA_API_KEY / DAYTONA_API_URL
        with daytona.sandbox(labels={"example": "sync-quickstart"}) as sb:  # deleted on exit
            print("sandbox", sb.id, sb.state)
            result = sb.process.exec("echo hello from $(uname -s) | tr a-z A-Z")
            print("exit", result.exit_code, "output", result.output.strip())

            sb.fs.upload(b"print('hi')\n", "hello.py", progress=lambda done, total: None)
            print("ls:", sorted(f.name for f in sb.fs.list(".")))
            print("hello.py:", sb.fs.download_bytes("hello.py").decode().strip())

            # live output of a session command: a plain for loop
            sb.process.create_session("demo")
            cmd = sb.process.start("demo", "for i in 1 2 3; do echo tick $i; sleep 0.2; done")
            for line in cmd.output(lines=True):
                print("live:", line)
            print("exit code:", cmd.wait())

        # paginated listings are plain iterators
        print("snapshots:", [s.name for s in daytona.snapshots.list()][:3])


if __name__ == "__main__":
    main()
