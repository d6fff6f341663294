"""Declarative image: build a sandbox and a snapshot from Python, with a local directory.

DAYTONA_API_KEY=... DAYTONA_API_URL=... python examples/image_build.py

The local directory is archived, hashed and uploaded to the service's object storage (only
if it is not there yet), then the Dockerfile is built with it. Needs the ``image`` extra:
``pip install 'daytona-async[image]'``.
"""

import tempfile
import uuid
from pathlib import Path

import anyio
from daytona_async import AsyncDaytona, Image


def make_project(root: Path) -> Path:
    src = root / "src"
    (src / "app").mkdir(parents=True)
    (src / "app" / "__init__.py").write_text("GREETING = 'hello from a local dir'\n")
    return src


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        image = (
            Image.debian_slim("3.12")
            .pip_install(["requests", "pytest"])
            .run_commands("mkdir -p /app")
            .add_local_dir(make_project(Path(tmp)), "/app/src")
            .env({"APP_ENV": "test"})
            .workdir("/app")
        )
        print(image.dockerfile)
        async with AsyncDaytona() as daytona:
            info = await daytona.prepare_image(
                image, progress=lambda sent, total: print(f"context upload {sent}/{total} bytes")
            )
            print("context hashes:", info.context_hashes)
            async with daytona.sandbox(image=image, on_build_logs=print, timeout=300) as sb:
                code = await sb.fs.download_bytes("/app/src/app/__init__.py")
                print("in the sandbox:", code.decode().strip())
            name = f"example-image-{uuid.uuid4().hex[:8]}:1.0"
            snapshot = await daytona.snapshots.create(name, image=image, timeout=300)
            print("snapshot", snapshot.name, "is", snapshot.state)
            await daytona.snapshots.delete(snapshot.id)


if __name__ == "__main__":
    anyio.run(main)
