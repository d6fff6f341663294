"""Object storage for build contexts: moto's S3 server on loopback, started on first use.

``GET /object-storage/push-access`` hands out credentials for it, so any S3 client (obstore,
boto3, aioboto3) uploads there as it would to the real service's storage. Builds read the
contexts back with boto3 (moto's own dependency).

The bucket is ``daytona``, as on the service. moto keeps its state per process, not per
server, so emulators in one process (a test suite) share the bucket; their organizations (and
so their key prefixes) differ. Objects live in memory (moto spills large ones to temporary
files) for as long as the process runs.
Signatures are not verified: the emulator has no IAM to scope the credentials with.
"""

from __future__ import annotations

import logging
import secrets
import threading
from pathlib import Path
from typing import Any

__all__ = ["ObjectStorage", "context_key"]

log = logging.getLogger("daytona_emulator.object_storage")

REGION = "us-east-1"
BUCKET = "daytona"


def context_key(organization_id: str, context_hash: str) -> str:
    """Where a build context lives: ``{organizationId}/{hash}/context.tar``."""
    return f"{organization_id}/{context_hash}/context.tar"


class ObjectStorage:
    """One emulator's S3 endpoint and bucket."""

    def __init__(self) -> None:
        self.bucket = BUCKET
        self._lock = threading.Lock()
        self._server: Any = None
        self._endpoint: str | None = None
        # the emulator's own key pair for reading contexts back (moto does not check it)
        self._access_key = f"EMULATOR{secrets.token_hex(6).upper()}"
        self._secret = secrets.token_urlsafe(30)

    @property
    def started(self) -> bool:
        return self._endpoint is not None

    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``; starts the server (blocking, ~1 s) on first call."""
        with self._lock:
            if self._endpoint is None:
                from moto.server import ThreadedMotoServer

                # one access-log line per S3 request is noise in the emulator's output
                werkzeug_log = logging.getLogger("werkzeug")
                if werkzeug_log.level == logging.NOTSET:
                    werkzeug_log.setLevel(logging.WARNING)
                server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
                server.start()
                host, port = server.get_host_and_port()
                self._server = server
                self._endpoint = f"http://{host}:{port}"
                s3 = self._client()
                try:
                    s3.create_bucket(Bucket=self.bucket)
                except s3.exceptions.BucketAlreadyOwnedByYou:
                    pass  # another emulator of this process made it
                log.info("object storage on %s, bucket %s", self._endpoint, self.bucket)
            return self._endpoint

    def push_access(self, organization_id: str) -> dict[str, str]:
        """The ``StorageAccessDto`` body (blocking: may start the server)."""
        return {
            "accessKey": f"EMULATOR{secrets.token_hex(6).upper()}",
            "secret": secrets.token_urlsafe(30),
            "sessionToken": secrets.token_urlsafe(48),
            "storageUrl": self.endpoint(),
            "organizationId": organization_id,
            "bucket": self.bucket,
        }

    def fetch(self, organization_id: str, context_hash: str, dest: Path) -> bool:
        """Download a context's tar to ``dest``; ``False`` if it is not in storage (blocking)."""
        if not self.started:
            return False
        from botocore.exceptions import ClientError

        try:
            self._client().download_file(
                self.bucket, context_key(organization_id, context_hash), str(dest)
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return False
            raise
        return True

    def close(self) -> None:
        with self._lock:
            server, self._server, self._endpoint = self._server, None, None
        if server is not None:
            server.stop()

    def _client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self._endpoint,
            region_name=REGION,
            aws_access_key_id=self._access_key,
            aws_secret_access_key=self._secret,
        )
