"""The emulator's build-context storage serves only requests SigV4-signed with a key pair it
issued: unsigned, wrongly signed and tampered requests are refused, moto's control API is not
reachable, the issued credentials reach only their organization's keys, and they work with a
standard client (boto3), multipart included.
Over real loopback HTTP to the storage's own server."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from daytona_emulator.object_storage import ObjectStorage

ORG = "org-auth-test"


@pytest.fixture(scope="module")
def storage() -> Iterator[ObjectStorage]:
    store = ObjectStorage()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def access(storage: ObjectStorage) -> dict[str, str]:
    return storage.push_access(ORG)


def _s3(access: dict[str, str], **overrides: str) -> Any:
    import boto3
    from botocore.config import Config

    creds = {
        "aws_access_key_id": access["accessKey"],
        "aws_secret_access_key": access["secret"],
        "aws_session_token": access["sessionToken"],
        **overrides,
    }
    return boto3.client(
        "s3",
        endpoint_url=access["storageUrl"],
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
        **creds,
    )


def _error_code(exc: Any) -> str:
    return str(exc.response["Error"]["Code"])


def _put_probe(access: dict[str, str], name: str, body: bytes = b"probe") -> str:
    key = f"{access['organizationId']}/{name}/context.tar"
    _s3(access).put_object(Bucket=access["bucket"], Key=key, Body=body)
    return key


def test_issued_credentials_put_get_list_and_multipart(access: dict[str, str]) -> None:
    from boto3.s3.transfer import TransferConfig

    s3 = _s3(access)
    key = _put_probe(access, "roundtrip", b"hello")
    assert s3.get_object(Bucket=access["bucket"], Key=key)["Body"].read() == b"hello"
    listed = s3.list_objects_v2(Bucket=access["bucket"], Prefix=f"{ORG}/roundtrip/")
    assert [o["Key"] for o in listed["Contents"]] == [key]

    big = bytes(range(256)) * (6 * 1024 * 1024 // 256 + 7)  # two parts at a 5 MiB part size
    big_key = f"{ORG}/multipart/context.tar"
    part = 5 * 1024 * 1024
    s3.upload_fileobj(
        io.BytesIO(big),
        access["bucket"],
        big_key,
        Config=TransferConfig(multipart_threshold=part, multipart_chunksize=part),
    )
    assert s3.get_object(Bucket=access["bucket"], Key=big_key)["Body"].read() == big


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/daytona/org-auth-test/evil/context.tar"),
        ("GET", "/daytona/org-auth-test/unsigned/context.tar"),
        ("GET", "/daytona?list-type=2"),
        ("GET", "/"),
    ],
)
def test_unsigned_requests_are_refused(access: dict[str, str], method: str, path: str) -> None:
    _put_probe(access, "unsigned")
    response = httpx.request(method, access["storageUrl"] + path, content=b"x" * 10)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content
    assert b"org-auth-test" not in response.content  # no listing, no object


def test_unsigned_put_does_not_store(access: dict[str, str]) -> None:
    url = f"{access['storageUrl']}/daytona/{ORG}/planted/context.tar"
    assert httpx.put(url, content=b"evil").status_code == 403
    with pytest.raises(Exception) as caught:
        _s3(access).head_object(Bucket=access["bucket"], Key=f"{ORG}/planted/context.tar")
    assert _error_code(caught.value) == "404"


def test_wrong_secret_unknown_key_and_missing_token_are_refused(
    access: dict[str, str],
) -> None:
    from botocore.exceptions import ClientError

    key = _put_probe(access, "wrong")
    bucket = access["bucket"]
    cases = {
        "SignatureDoesNotMatch": {"aws_secret_access_key": access["secret"] + "x"},
        "InvalidAccessKeyId": {"aws_access_key_id": "AKIAUNKNOWN000000000"},
        "InvalidToken": {"aws_session_token": "not-the-issued-token"},
    }
    for code, overrides in cases.items():
        s3 = _s3(access, **overrides)
        with pytest.raises(ClientError) as caught:
            s3.put_object(Bucket=bucket, Key=key, Body=b"replaced")
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert _error_code(caught.value) == code
        with pytest.raises(ClientError) as caught:
            s3.list_objects_v2(Bucket=bucket)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    # nothing was replaced
    assert _s3(access).get_object(Bucket=bucket, Key=key)["Body"].read() == b"probe"


def test_signed_headers_with_a_swapped_body_are_refused(access: dict[str, str]) -> None:
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    key = _put_probe(access, "swapped")
    url = f"{access['storageUrl']}/{access['bucket']}/{key}"
    request = AWSRequest(method="PUT", url=url, data=b"the signed body")
    creds = Credentials(access["accessKey"], access["secret"], access["sessionToken"])
    S3SigV4Auth(creds, "s3", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    assert httpx.put(url, content=b"the signed body", headers=headers).status_code == 200
    response = httpx.put(url, content=b"another body!!!", headers=headers)
    assert response.status_code == 400
    assert b"XAmzContentSHA256Mismatch" in response.content
    assert _s3(access).get_object(Bucket=access["bucket"], Key=key)["Body"].read() == (
        b"the signed body"
    )


@pytest.mark.parametrize("path", ["/moto-api/reset", "/moto-api/", "/moto-api/data.json"])
def test_moto_control_api_is_refused(access: dict[str, str], path: str) -> None:
    key = _put_probe(access, "survives-reset")
    url = access["storageUrl"] + path
    assert httpx.post(url).status_code in (403, 404)
    assert httpx.get(url).status_code in (403, 404)
    assert _s3(access).get_object(Bucket=access["bucket"], Key=key)["Body"].read() == b"probe"


def test_issued_credentials_are_scoped_to_their_organization(
    storage: ObjectStorage, access: dict[str, str]
) -> None:
    from botocore.exceptions import ClientError

    other = storage.push_access("org-other")
    other_key = _put_probe(other, "theirs")
    s3 = _s3(access)
    bucket = access["bucket"]
    for call in (
        lambda: s3.get_object(Bucket=bucket, Key=other_key),
        lambda: s3.put_object(Bucket=bucket, Key=other_key, Body=b"replaced"),
        lambda: s3.put_object(Bucket=bucket, Key=f"{ORG}/../{other_key}", Body=b"replaced"),
        lambda: s3.list_objects_v2(Bucket=bucket),
        lambda: s3.list_objects_v2(Bucket=bucket, Prefix="org-other/"),
        lambda: s3.delete_bucket(Bucket=bucket),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert _error_code(caught.value) == "AccessDenied"
    assert _s3(other).get_object(Bucket=bucket, Key=other_key)["Body"].read() == b"probe"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"{ORG}/")
    assert all(o["Key"].startswith(f"{ORG}/") for o in listed["Contents"])


def test_an_expired_push_access_is_refused(storage: ObjectStorage) -> None:
    from datetime import timedelta

    storage.push_access_ttl = timedelta(seconds=-1)  # issued already expired
    try:
        stale = storage.push_access(ORG)
    finally:
        from daytona_emulator.object_storage import PUSH_ACCESS_TTL

        storage.push_access_ttl = PUSH_ACCESS_TTL
    with pytest.raises(Exception) as info:
        _put_probe(stale, "expired")
    assert _error_code(info.value) == "ExpiredToken"
    fresh = storage.push_access(ORG)
    assert _put_probe(fresh, "fresh").endswith("/fresh/context.tar")


def test_issued_pairs_are_bounded(storage: ObjectStorage, monkeypatch: pytest.MonkeyPatch) -> None:
    from daytona_emulator import object_storage

    monkeypatch.setattr(object_storage, "MAX_ISSUED", 5)
    first = storage.push_access(ORG)
    for _ in range(20):
        storage.push_access(ORG)
    # the five newest push-access pairs, plus the emulator's own (never dropped)
    assert storage.issued() == 6
    with pytest.raises(Exception) as info:
        _put_probe(first, "forgotten")
    assert _error_code(info.value) == "InvalidAccessKeyId"
    newest = storage.push_access(ORG)
    assert _put_probe(newest, "newest").endswith("/newest/context.tar")
