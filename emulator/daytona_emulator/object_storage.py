"""Object storage for build contexts: moto's S3 server on loopback, started on first use.

``GET /object-storage/push-access`` hands out credentials for it, so any S3 client (obstore,
boto3, aioboto3) uploads there as it would to the real service's storage. Builds read the
contexts back with boto3 (moto's own dependency).

The bucket is ``daytona``, as on the service. moto keeps its state per process, not per
server, so emulators in one process (a test suite) share the bucket; their organizations (and
so their key prefixes) differ. Objects live in memory (moto spills large ones to temporary
files) for as long as the process runs.

moto itself checks no credentials, so its WSGI app is served behind ``_SignedOnly``: every
request must carry an AWS SigV4 ``Authorization`` header made with a key pair this storage
issued (the ``secret`` and ``sessionToken`` of a push-access, or the emulator's own pair);
a push-access pair reaches only ``{bucket}/{organizationId}/*``, as on the service: every key
a request names (its path, a copy source, a multipart upload's key, a delete-objects body, a
listing's prefix) is checked after parsing the request as moto parses it
(:func:`_check_scope`); moto's ``/moto-api/`` control endpoints and ``x-moto-*`` switches are
refused. The emulator issues no read-only pair: it reads contexts back with its own. Without the check, any local user could read or
replace build contexts, and with ``--build-run-commands`` run code through them.

A push-access pair expires after :data:`PUSH_ACCESS_TTL` (an hour, as the temporary
credentials of the service's storage do; then ``ExpiredToken``), and at most
:data:`MAX_ISSUED` unexpired pairs are kept (the oldest is forgotten first), so that calling
``push-access`` in a loop cannot grow the emulator's memory without bound.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ObjectStorage", "context_key"]

log = logging.getLogger("daytona_emulator.object_storage")

REGION = "us-east-1"
BUCKET = "daytona"
# as on S3: a signature older or newer than this is refused (RequestTimeTooSkewed there)
MAX_CLOCK_SKEW = timedelta(minutes=15)
#: how long an issued push-access pair is accepted
PUSH_ACCESS_TTL = timedelta(hours=1)
#: issued pairs kept at once; issuing one more forgets the oldest
MAX_ISSUED = 10_000

_AUTHORIZATION = re.compile(
    r"AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/,\s]+)/(?P<scope>[^,\s]+),\s*"
    r"SignedHeaders=(?P<headers>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]{64})\s*$"
)
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


def context_key(organization_id: str, context_hash: str) -> str:
    """Where a build context lives: ``{organizationId}/{hash}/context.tar``."""
    return f"{organization_id}/{context_hash}/context.tar"


class _Refused(Exception):
    """A request the storage does not serve: S3 error code and HTTP status."""

    def __init__(self, code: str, status: str = "403 Forbidden") -> None:
        super().__init__(code)
        self.code = code
        self.status = status


class _Credential:
    __slots__ = ("expires", "prefix", "secret", "session_token")

    def __init__(
        self,
        secret: str,
        session_token: str | None,
        prefix: str | None,
        expires: datetime | None,
    ) -> None:
        self.secret = secret
        self.session_token = session_token
        self.prefix = prefix  # ``bucket/organizationId/``: all the pair may touch, or anything
        self.expires = expires  # None: the emulator's own pair, for as long as it runs

    def __repr__(self) -> str:
        return "_Credential(<redacted>)"


def _header(environ: WSGIEnvironment, name: str) -> str | None:
    key = name.upper().replace("-", "_")
    if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        key = f"HTTP_{key}"
    value = environ.get(key)
    return None if value is None else str(value)


# what a scoped pair may send to the bucket itself: listings (of its prefix), nothing else
_LISTING_PARAMS = frozenset(
    {
        "list-type",
        "prefix",
        "delimiter",
        "max-keys",
        "continuation-token",
        "start-after",
        "fetch-owner",
        "encoding-type",
        "marker",
        "uploads",
        "key-marker",
        "upload-id-marker",
        "max-uploads",
        "x-id",
    }
)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _in_prefix(key: object, org_prefix: str) -> bool:
    """A key of the organization: under ``org/`` (with its slash: ``org-a`` never reaches
    ``org-ab``), and no ``.``/``..`` segment that some client or proxy would fold away."""
    return (
        isinstance(key, str)
        and key.startswith(org_prefix)
        and not {".", ".."}.intersection(key.split("/"))
    )


def _check_scope(
    environ: WSGIEnvironment,
    access_key: str,
    prefix: str,
    signed_body: Callable[[], bytes | None],
) -> None:
    """Refuse a request of a scoped pair that names any key outside ``prefix``
    (``bucket/organizationId/``).

    Every key is computed as moto computes it from the same ``environ``, with moto's own
    helpers: the bucket from the raw URL and the key from the percent-decoded raw path
    (path-style only: a ``Host`` that moto would read as ``bucket.host`` is refused), the
    query (a name given twice is refused: moto reads the first value in some places and
    werkzeug's parse in others, the check would read either), the ``x-amz-copy-source``
    header, the key a multipart ``uploadId`` belongs to (moto's upload-part and complete
    trust the id, not the path), and the keys a delete-objects body lists. A form body
    (moto would read query parameters, the ``key`` of a POST upload included, from it) is
    refused, as is anything at the bucket level but a listing of the prefix and a
    delete-objects of its keys."""
    from urllib.parse import parse_qs, urlparse

    from moto.core.request import Request
    from moto.s3.responses import S3Response
    from moto.s3bucket_path.utils import bucket_name_from_url, parse_key_name

    bucket_wanted, _, org_prefix = prefix.partition("/")
    request = Request(environ)  # werkzeug's wrapper: reads no body unless asked
    if S3Response.subdomain_based_buckets(request):
        raise _Refused("AccessDenied")
    if bucket_name_from_url(request.raw_url) != bucket_wanted:
        raise _Refused("AccessDenied")
    key = parse_key_name(unquote(request.raw_path))

    pairs = parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True)
    query = dict(pairs)
    args = request.args
    if len(query) != len(pairs) or any(len(args.getlist(name)) != 1 for name in args):
        raise _Refused("AccessDenied")  # a parameter twice
    if dict(args.items()) != query:
        raise _Refused("AccessDenied")  # the two parsers moto uses disagree
    if request.mimetype in _FORM_TYPES:
        raise _Refused("AccessDenied")

    copy_source = request.headers.get("x-amz-copy-source")
    if copy_source is not None:
        source = unquote(urlparse(copy_source).path).lstrip("/")
        source_bucket, _, source_key = source.partition("/")
        if source_bucket != bucket_wanted or not _in_prefix(source_key, org_prefix):
            raise _Refused("AccessDenied")

    method = request.method
    if not key:  # the bucket itself
        if method == "GET" and set(query) <= _LISTING_PARAMS:
            if query.get("prefix", "").startswith(org_prefix):
                return
        elif method == "POST" and set(query) <= {"delete", "x-id"}:
            # moto's own test for a delete-objects request, then its own parse of the body
            if "delete" in parse_qs(urlparse(request.full_path).query, keep_blank_values=True):
                body = signed_body()  # only a signed body can be read before moto reads it
                if body is not None and all(_in_prefix(k, org_prefix) for k in _deleted_keys(body)):
                    return
        raise _Refused("AccessDenied")

    if not _in_prefix(key, org_prefix):
        raise _Refused("AccessDenied")
    upload_id = query.get("uploadId")
    if upload_id is not None:
        upload_key = _upload_key(access_key, bucket_wanted, upload_id)
        if upload_key is not None and upload_key != key:
            raise _Refused("AccessDenied")


def _deleted_keys(body: bytes) -> list[object]:
    """The keys of a delete-objects body as moto reads them (``xmltodict``); a body moto
    could not read lists one key that is in no prefix."""
    import xmltodict  # type: ignore[import-untyped]  # moto's own dependency, no stubs

    try:
        objects = xmltodict.parse(body, strip_whitespace=False)["Delete"].get("Object", [])
        if not isinstance(objects, list):
            objects = [objects]
        return [obj["Key"] for obj in objects] or [None]
    except Exception:
        return [None]


def _upload_key(access_key: str, bucket: str, upload_id: str) -> str | None:
    """The key a multipart upload was created for, from moto's state (None: no such upload,
    which moto answers itself)."""
    from moto.iam.models import get_account_id_from
    from moto.s3.models import s3_backends

    backend = s3_backends[get_account_id_from(access_key)]["aws"]
    found = backend.buckets.get(bucket)
    upload = None if found is None else found.multiparts.get(upload_id)
    return None if upload is None else str(upload.key_name)


class _SignedOnly:
    """WSGI middleware: serve ``app`` only to requests SigV4-signed with an issued key pair.

    The signature is recomputed with botocore's own S3 signer over the request as received
    (method, path, query, the headers the client signed, the payload hash it declared) and
    compared in constant time; a declared payload hash is checked against the body. Streamed
    (``aws-chunked``) and unsigned payloads are let through on the strength of the header
    signature, which only the holder of the secret can make.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._credentials: dict[str, _Credential] = {}

    def allow(
        self,
        access_key: str,
        secret: str,
        session_token: str | None = None,
        prefix: str | None = None,
        ttl: timedelta | None = None,
    ) -> None:
        """Accept requests signed with this pair (for ``ttl``, or for good when ``None``)."""
        now = datetime.now(UTC)
        expires = None if ttl is None else now + ttl
        with self._lock:
            credentials = self._credentials
            # forget expired pairs, then the oldest expiring ones beyond the bound (insertion
            # order is issue order; pairs without expiry are never dropped)
            for key in [k for k, c in credentials.items() if c.expires and c.expires <= now]:
                del credentials[key]
            expiring = [k for k, c in credentials.items() if c.expires is not None]
            for key in expiring[: max(0, len(expiring) + 1 - MAX_ISSUED)]:
                del credentials[key]
            credentials[access_key] = _Credential(secret, session_token, prefix, expires)

    def issued(self) -> int:
        """How many pairs are accepted now (the emulator's own included)."""
        with self._lock:
            return len(self._credentials)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            self._verify(environ)
        except _Refused as refused:
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f"<Error><Code>{refused.code}</Code><Message>{refused.code}</Message></Error>"
            ).encode()
            # the body of a refused request is never read: close rather than parse it as the
            # next request on this connection
            start_response(
                refused.status,
                [
                    ("Content-Type", "application/xml"),
                    ("Content-Length", str(len(body))),
                    ("Connection", "close"),
                ],
            )
            return [body]
        return self._app(environ, start_response)

    def _verify(self, environ: WSGIEnvironment) -> None:
        from botocore.auth import S3SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        path = str(environ.get("PATH_INFO", ""))
        if path == "/moto-api" or path.startswith("/moto-api/"):
            raise _Refused("AccessDenied")
        if any(str(name).startswith("HTTP_X_MOTO_") for name in environ):
            raise _Refused("AccessDenied")  # moto's own switches (another account's buckets)
        match = _AUTHORIZATION.match(_header(environ, "authorization") or "")
        if match is None:
            raise _Refused("AccessDenied")  # unsigned, presigned or another scheme
        with self._lock:
            credential = self._credentials.get(match["key"])
        if credential is None:
            raise _Refused("InvalidAccessKeyId")
        if credential.expires is not None and credential.expires <= datetime.now(UTC):
            raise _Refused("ExpiredToken", "400 Bad Request")
        scope = match["scope"].split("/")
        amz_date = _header(environ, "x-amz-date") or ""
        payload_hash = _header(environ, "x-amz-content-sha256")
        signed = match["headers"].split(";")
        if (
            len(scope) != 4
            or scope[2] != "s3"  # moto would route other services' requests to their backends
            or scope[3] != "aws4_request"
            or not amz_date.startswith(scope[0])
            or payload_hash is None
            or "host" not in signed
            or "x-amz-date" not in signed
            or "x-amz-content-sha256" not in signed
        ):
            raise _Refused("AccessDenied")
        try:
            when = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            raise _Refused("AccessDenied") from None
        if abs(datetime.now(UTC) - when) > MAX_CLOCK_SKEW:
            raise _Refused("RequestTimeTooSkewed")
        if credential.session_token is not None and not hmac.compare_digest(
            _header(environ, "x-amz-security-token") or "", credential.session_token
        ):
            raise _Refused("InvalidToken")

        headers: dict[str, str] = {}
        for name in signed:
            value = _header(environ, name)
            if value is None:
                raise _Refused("AccessDenied")
            headers[name] = value
        raw_path = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or path)
        raw_path = raw_path.partition("?")[0]
        host = _header(environ, "host") or ""
        request = AWSRequest(
            method=str(environ.get("REQUEST_METHOD", "GET")),
            # S3's canonical path: each byte outside the unreserved set percent-encoded once
            url=f"http://{host}{quote(unquote(raw_path), safe='/~')}",
            headers=headers,
            params=parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True),
        )
        request.context["timestamp"] = amz_date
        signer = S3SigV4Auth(Credentials(match["key"], credential.secret), "s3", scope[1])
        string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
        expected = signer.signature(string_to_sign, request)
        if not hmac.compare_digest(expected, match["signature"]):
            raise _Refused("SignatureDoesNotMatch")

        read: list[bytes | None] = []

        def signed_body() -> bytes | None:
            """The body, read and checked once, when the client signed its hash."""
            if not read:
                read.append(_read_signed_body(environ, payload_hash))
            return read[0]

        if credential.prefix is not None:
            if scope[1] != REGION:  # moto would pick another partition's backend
                raise _Refused("AccessDenied")
            # before the body is read: a refused request's body is never buffered
            _check_scope(environ, match["key"], credential.prefix, signed_body)
        signed_body()


def _read_signed_body(environ: WSGIEnvironment, payload_hash: str) -> bytes | None:
    """Read the body whose SHA-256 the client signed and check it (``None`` for streamed
    and unsigned payloads); the app reads it again from memory."""
    if not _HEX_SHA256.fullmatch(payload_hash):
        return None
    from werkzeug.wsgi import get_input_stream

    body = get_input_stream(environ).read()
    if not hmac.compare_digest(hashlib.sha256(body).hexdigest(), payload_hash):
        raise _Refused("XAmzContentSHA256Mismatch", "400 Bad Request")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input_terminated"] = False
    return body


class ObjectStorage:
    """One emulator's S3 endpoint and bucket."""

    def __init__(self) -> None:
        self.bucket = BUCKET
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._auth: _SignedOnly | None = None
        self._endpoint: str | None = None
        # the emulator's own key pair, for reading contexts back
        self._access_key = f"EMULATOR{secrets.token_hex(6).upper()}"
        self._secret = secrets.token_urlsafe(30)
        self.push_access_ttl = PUSH_ACCESS_TTL

    def issued(self) -> int:
        """Key pairs the storage accepts now (0 before it started)."""
        return 0 if self._auth is None else self._auth.issued()

    @property
    def started(self) -> bool:
        return self._endpoint is not None

    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``; starts the server (blocking, ~1 s) on first call."""
        with self._lock:
            if self._endpoint is None:
                from moto.moto_server.werkzeug_app import (
                    DomainDispatcherApplication,
                    MotoRequestHandler,
                    create_backend_app,
                )
                from werkzeug.serving import make_server

                # one access-log line per S3 request is noise in the emulator's output
                werkzeug_log = logging.getLogger("werkzeug")
                if werkzeug_log.level == logging.NOTSET:
                    werkzeug_log.setLevel(logging.WARNING)
                # moto's app in-process behind the signature check: no unguarded port
                self._auth = _SignedOnly(DomainDispatcherApplication(create_backend_app))
                self._auth.allow(self._access_key, self._secret)
                server = make_server(
                    "127.0.0.1", 0, self._auth, threaded=True, request_handler=MotoRequestHandler
                )
                self._thread = threading.Thread(
                    target=server.serve_forever, name="object-storage", daemon=True
                )
                self._thread.start()
                self._server = server
                self._endpoint = f"http://127.0.0.1:{server.server_port}"
                s3 = self._client()
                try:
                    s3.create_bucket(Bucket=self.bucket)
                except s3.exceptions.BucketAlreadyOwnedByYou:
                    pass  # another emulator of this process made it
                log.info("object storage on %s, bucket %s", self._endpoint, self.bucket)
            return self._endpoint

    def push_access(self, organization_id: str) -> dict[str, str]:
        """The ``StorageAccessDto`` body (blocking: may start the server); the storage accepts
        requests signed with its key pair and session token from now on."""
        endpoint = self.endpoint()
        access_key = f"EMULATOR{secrets.token_hex(6).upper()}"
        secret = secrets.token_urlsafe(30)
        session_token = secrets.token_urlsafe(48)
        assert self._auth is not None
        self._auth.allow(
            access_key,
            secret,
            session_token,
            f"{self.bucket}/{organization_id}/",
            ttl=self.push_access_ttl,
        )
        return {
            "accessKey": access_key,
            "secret": secret,
            "sessionToken": session_token,
            "storageUrl": endpoint,
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
            thread, self._thread = self._thread, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join()

    def _client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self._endpoint,
            region_name=REGION,
            aws_access_key_id=self._access_key,
            aws_secret_access_key=self._secret,
        )
