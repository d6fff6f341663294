"""Build contexts of an :class:`~daytona_async.Image`: archive, hash, upload once.

Each local file or directory of an image becomes one tar archive, made deterministic (entries
sorted, mtime 0, owner 0:0 without names, modes reduced to 0644/0755) so that unchanged content
gives the same bytes, hence the same SHA-256. The hash names the object
``{organizationId}/{hash}/context.tar`` in the service's object storage and goes into
``buildInfo.contextHashes``; an object already there is not uploaded again.

Archives are written to temporary files (disk, not memory) and streamed to storage in parts,
so a context of any size costs a few MiB of memory. The S3 client is obstore (the ``image``
extra: ``pip install 'daytona-async[image]'``): measured the lightest to import and the
cheapest in CPU and memory per uploaded MiB (``bench/image_upload.py``). Its blocking API runs
in worker threads, which works under asyncio and trio alike. Uploading a content-addressed
object is idempotent, so obstore's own retries are safe.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tarfile
import tempfile
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

import anyio
import anyio.from_thread
import anyio.to_thread
import attrs

from ._logging import logger, redact, register_secret
from ._util import call_maybe_async
from .errors import ConfigurationError, DaytonaError

if TYPE_CHECKING:
    from daytona_api.models import CreateBuildInfo, StorageAccessDto

    from ._context import ClientContext
    from ._deadline import Deadline
    from ._image import Image, LocalContext
    from ._progress import ProgressCallback

__all__ = ["BuildContextError", "PreparedContext", "archive_context", "prepare_build_info"]

READ_CHUNK = 1024 * 1024
PART_SIZE = 5 * 1024 * 1024  # multipart part size: S3's minimum
PART_CONCURRENCY = 2  # parts in flight: memory stays near this times PART_SIZE


class BuildContextError(DaytonaError):
    """A build context could not be archived, checked or uploaded to object storage."""


@attrs.frozen
class PreparedContext:
    """One archived context: its hash, size and the temporary file holding the tar."""

    hash: str
    size: int
    file: IO[bytes] = attrs.field(repr=False, eq=False)


class _HashingWriter:
    """File-like sink for ``tarfile``: writes through to ``out`` and hashes what passes."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.out.write(data)


def _normalize(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    executable = info.isdir() or bool(info.mode & 0o111)
    info.mode = 0o755 if executable else 0o644
    return info


def _walk(root: str) -> Iterator[str]:
    """Every path under ``root``, depth first in name order; symlinks listed, not followed."""
    with os.scandir(root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        yield entry.path
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path)


def archive_context(ctx: LocalContext, out: IO[bytes]) -> tuple[str, int]:
    """Write the deterministic tar of ``ctx`` to ``out``; return (sha256 hex, size).
    Blocking: run it in a worker thread."""
    source = str(ctx.source)
    sink = _HashingWriter(out)
    try:
        with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:  # type: ignore[call-overload]
            tar.add(source, arcname=ctx.archive_name, recursive=False, filter=_normalize)
            if os.path.isdir(source) and not os.path.islink(source):
                for path in _walk(source):
                    mode = os.lstat(path).st_mode
                    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                        continue  # sockets, fifos, devices: not part of a build context
                    arcname = f"{ctx.archive_name}/{os.path.relpath(path, source)}"
                    tar.add(
                        path,
                        arcname=arcname.replace(os.sep, "/"),
                        recursive=False,
                        filter=_normalize,
                    )
    except OSError as exc:
        raise BuildContextError(f"cannot archive {source}: {exc}") from exc
    return sink.digest.hexdigest(), sink.size


def _prepare(ctx: LocalContext) -> PreparedContext:
    file = tempfile.TemporaryFile(prefix="daytona-context-")
    try:
        digest, size = archive_context(ctx, file)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return PreparedContext(digest, size, file)


def object_key(organization_id: str, context_hash: str) -> str:
    """The object name the service's builders read: ``{organizationId}/{hash}/context.tar``."""
    return f"{organization_id}/{context_hash}/context.tar"


class _Storage:
    """obstore bound to the temporary credentials of ``push-access``; blocking methods."""

    def __init__(self, access: StorageAccessDto) -> None:
        try:
            from obstore.store import S3Store
        except ImportError:
            raise ConfigurationError(
                "images with local files need the S3 client: pip install 'daytona-async[image]'"
            ) from None
        url = access.storage_url if "://" in access.storage_url else f"https://{access.storage_url}"
        for secret in (access.secret, access.session_token):
            register_secret(secret)  # never in a log line or an error message
        self.organization_id = access.organization_id
        self.store = S3Store(
            access.bucket,
            endpoint=url,
            access_key_id=access.access_key,
            secret_access_key=access.secret,
            session_token=access.session_token,
            region="us-east-1",  # S3-compatible storages ignore it; signing needs one
            virtual_hosted_style_request=False,
            client_options={"allow_http": url.startswith("http://")},
        )

    def _error(self, what: str, exc: Exception) -> BuildContextError:
        return BuildContextError(redact(f"{what}: {type(exc).__name__}: {exc}"))

    def exists(self, key: str) -> bool:
        import obstore

        try:
            obstore.head(self.store, key)
        except FileNotFoundError:
            return False
        except Exception as exc:
            raise self._error(f"checking {key} in object storage failed", exc) from None
        return True

    def put(self, key: str, chunks: Iterator[bytes]) -> None:
        import obstore

        try:
            obstore.put(
                self.store,
                key,
                chunks,
                chunk_size=PART_SIZE,
                max_concurrency=PART_CONCURRENCY,
            )
        except BuildContextError:
            raise
        except Exception as exc:
            raise self._error(f"uploading {key} failed", exc) from None


def _chunks(file: IO[bytes], on_chunk: Any, done: list[int], total: int) -> Iterator[bytes]:
    """The file in ``READ_CHUNK`` pieces, reporting progress on the event loop as they go."""
    while chunk := file.read(READ_CHUNK):
        yield chunk
        done[0] += len(chunk)
        if on_chunk is not None:
            anyio.from_thread.run(call_maybe_async, on_chunk, done[0], total)


async def upload_contexts(
    access: StorageAccessDto,
    contexts: list[PreparedContext],
    progress: ProgressCallback | None = None,
) -> int:
    """Upload the contexts not already in storage; return the bytes uploaded."""
    storage = await anyio.to_thread.run_sync(_Storage, access)
    missing: list[PreparedContext] = []
    for prepared in contexts:
        key = object_key(storage.organization_id, prepared.hash)
        if await anyio.to_thread.run_sync(storage.exists, key):
            logger.debug("build context %s already in storage", prepared.hash)
        elif prepared not in missing:
            missing.append(prepared)
    total = sum(p.size for p in missing)
    done = [0]
    for prepared in missing:
        key = object_key(storage.organization_id, prepared.hash)
        logger.info("uploading build context %s (%d bytes)", prepared.hash, prepared.size)
        chunks = _chunks(prepared.file, progress, done, total)
        await anyio.to_thread.run_sync(storage.put, key, chunks, abandon_on_cancel=True)
    if progress is not None and not missing:
        await call_maybe_async(progress, 0, 0)
    return total


async def prepare_build_info(
    ctx: ClientContext,
    image: Image,
    *,
    deadline: Deadline,
    progress: ProgressCallback | None = None,
) -> CreateBuildInfo:
    """``buildInfo`` for ``image``: its Dockerfile, and the hashes of its local contexts
    (archived, then uploaded unless storage already has them)."""
    from daytona_api.api.object_storage import get_push_access
    from daytona_api.models import CreateBuildInfo, StorageAccessDto

    dockerfile = image.dockerfile
    if not image.contexts:
        return CreateBuildInfo(dockerfile_content=dockerfile)
    prepared: list[PreparedContext] = []
    try:
        with deadline.scope():
            for local in image.contexts:
                prepared.append(
                    await anyio.to_thread.run_sync(_prepare, local, abandon_on_cancel=True)
                )
            # the generated endpoint directly: ``resources`` sits above this module
            access = await ctx.call_parsed(
                get_push_access,
                expect=StorageAccessDto,
                timeout=deadline.request_timeout(ctx.read_timeout),
            )
            await upload_contexts(access, prepared, progress)
    finally:
        for p in prepared:
            p.file.close()
    return CreateBuildInfo(dockerfile_content=dockerfile, context_hashes=[p.hash for p in prepared])


async def resolve_image(
    ctx: ClientContext,
    image: str | Image | None,
    build: str | CreateBuildInfo | None,
    timeout: float | None,
) -> tuple[str | CreateBuildInfo | None, float | None]:
    """``create(image=...)``: the ``build`` to send instead, and what is left of ``timeout``
    after the contexts were uploaded (the whole create stays bounded by it)."""
    from ._deadline import Deadline
    from ._image import Image
    from .errors import InvalidArgumentError

    if image is None:
        return build, timeout
    if build is not None:
        raise InvalidArgumentError("pass either image= or build=, not both")
    if isinstance(image, str):
        image = Image.base(image)
    elif not isinstance(image, Image):
        raise InvalidArgumentError(f"image must be a str or an Image, got {type(image).__name__}")
    dl = Deadline(timeout, "upload build contexts")
    info = await prepare_build_info(ctx, image, deadline=dl)
    return info, None if timeout is None else dl.remaining()
