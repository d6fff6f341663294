"""Every key a request to the build-context storage names is inside the organization's prefix
(with its slash), as moto reads the request: the path, a duplicated query parameter, a copy
source, the key a multipart upload id belongs to, the keys of a delete-objects body, a
virtual-host ``Host``, moto's own switch headers, form bodies. The requests are SigV4-signed
with an organization's issued credentials (so only the scope check stands in the way) and
sent over real loopback HTTP to the storage's own server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from daytona_emulator.object_storage import ObjectStorage

ORG = "org-k"
OTHER = "org-kb"  # ORG's id is a prefix of OTHER's: the slash keeps them apart
BUCKET = "daytona"


@pytest.fixture(scope="module")
def storage() -> Iterator[ObjectStorage]:
    store = ObjectStorage()
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(scope="module")
def mine(storage: ObjectStorage) -> dict[str, str]:
    return storage.push_access(ORG)


@pytest.fixture(scope="module")
def theirs(storage: ObjectStorage) -> dict[str, str]:
    access = storage.push_access(OTHER)
    _s3(access).put_object(Bucket=BUCKET, Key=f"{OTHER}/secret/context.tar", Body=b"their secret")
    return access


def _s3(access: dict[str, str]) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=access["storageUrl"],
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}),
        aws_access_key_id=access["accessKey"],
        aws_secret_access_key=access["secret"],
        aws_session_token=access["sessionToken"],
    )


def _signed(
    access: dict[str, str],
    method: str,
    path_and_query: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    host: str | None = None,
    sent: str | None = None,
) -> httpx.Response:
    """A request signed as the server canonicalizes it (any path, query, Host and headers):
    what a holder of the credentials can make with any SigV4 library. ``sent``: the path and
    query put on the wire, when they are spelled otherwise than signed."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    base = access["storageUrl"]
    host = host or urlsplit(base).netloc
    request = AWSRequest(
        method=method, url=f"http://{host}{path_and_query}", data=body, headers=headers or {}
    )
    creds = Credentials(access["accessKey"], access["secret"], access["sessionToken"])
    S3SigV4Auth(creds, "s3", "us-east-1").add_auth(request)
    headers_sent = {**dict(request.headers.items()), "Host": host}
    with httpx.Client() as client:
        return client.request(
            method, base + (sent or path_and_query), content=body, headers=headers_sent
        )


def _code(response: httpx.Response) -> str:
    start = response.content.find(b"<Code>")
    end = response.content.find(b"</Code>")
    return response.content[start + 6 : end].decode() if start >= 0 else ""


def _keys(storage: ObjectStorage) -> set[str]:
    """Every key in the bucket, read with the emulator's own pair."""
    listed = storage._client().list_objects_v2(Bucket=BUCKET)
    return {o["Key"] for o in listed.get("Contents", [])}


def _their_object(theirs: dict[str, str]) -> bytes:
    got = _s3(theirs).get_object(Bucket=BUCKET, Key=f"{OTHER}/secret/context.tar")
    return bytes(got["Body"].read())


@pytest.mark.parametrize(
    "query",
    [
        f"list-type=2&prefix={OTHER}%2F&prefix={ORG}%2F",  # moto reads the first
        f"list-type=2&prefix={ORG}%2F&prefix={OTHER}%2F",
        f"prefix={OTHER}%2F&prefix={ORG}%2F",
        f"uploads=&prefix={OTHER}%2F&prefix={ORG}%2F",
        f"list-type=2&prefix={ORG}%2F&pre%66ix={OTHER}%2F",  # the name percent-encoded
    ],
)
def test_a_duplicated_prefix_lists_nothing_of_another_organization(
    mine: dict[str, str], theirs: dict[str, str], query: str
) -> None:
    signed = query.replace("pre%66ix", "prefix")  # as the server decodes it to check
    response = _signed(mine, "GET", f"/{BUCKET}?{signed}", sent=f"/{BUCKET}?{query}")
    assert response.status_code == 403 and _code(response) == "AccessDenied"
    assert OTHER.encode() not in response.content


def test_a_listing_of_the_organizations_prefix_still_works(
    mine: dict[str, str], theirs: dict[str, str]
) -> None:
    _s3(mine).put_object(Bucket=BUCKET, Key=f"{ORG}/listed/context.tar", Body=b"x")
    listed = _s3(mine).list_objects_v2(Bucket=BUCKET, Prefix=f"{ORG}/")
    assert [o["Key"] for o in listed["Contents"]] == [f"{ORG}/listed/context.tar"]
    response = _signed(mine, "GET", f"/{BUCKET}?list-type=2&prefix={ORG}")  # no slash
    assert response.status_code == 403 and OTHER.encode() not in response.content


@pytest.mark.parametrize(
    "source",
    [
        f"{BUCKET}/{OTHER}/secret/context.tar",
        f"/{BUCKET}/{OTHER}/secret/context.tar",
        f"{BUCKET}/{OTHER}%2Fsecret%2Fcontext.tar",
        f"{BUCKET}/{ORG}/../{OTHER}/secret/context.tar",
        f"{BUCKET}/{ORG}%2F..%2F{OTHER}/secret/context.tar",
        f"http://x/{BUCKET}/{OTHER}/secret/context.tar",
        f"{BUCKET}/{OTHER}/secret/context.tar?versionId=null",
    ],
)
def test_a_copy_source_outside_the_organization_is_refused(
    storage: ObjectStorage, mine: dict[str, str], theirs: dict[str, str], source: str
) -> None:
    stolen = f"{ORG}/stolen/context.tar"
    response = _signed(mine, "PUT", f"/{BUCKET}/{stolen}", headers={"x-amz-copy-source": source})
    assert response.status_code == 403 and _code(response) == "AccessDenied"
    assert stolen not in _keys(storage)


def test_copies_inside_the_organization_work_and_upload_part_copy_is_scoped(
    storage: ObjectStorage, mine: dict[str, str], theirs: dict[str, str]
) -> None:
    from botocore.exceptions import ClientError

    s3 = _s3(mine)
    s3.put_object(Bucket=BUCKET, Key=f"{ORG}/a/context.tar", Body=b"a")
    s3.copy_object(
        Bucket=BUCKET, Key=f"{ORG}/b/context.tar", CopySource=f"{BUCKET}/{ORG}/a/context.tar"
    )
    assert s3.get_object(Bucket=BUCKET, Key=f"{ORG}/b/context.tar")["Body"].read() == b"a"
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=f"{ORG}/c/context.tar")["UploadId"]
    with pytest.raises(ClientError) as caught:
        s3.upload_part_copy(
            Bucket=BUCKET,
            Key=f"{ORG}/c/context.tar",
            UploadId=upload,
            PartNumber=1,
            CopySource=f"{BUCKET}/{OTHER}/secret/context.tar",
        )
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    s3.abort_multipart_upload(Bucket=BUCKET, Key=f"{ORG}/c/context.tar", UploadId=upload)


def test_another_organizations_upload_id_cannot_be_written_through_an_own_path(
    storage: ObjectStorage, mine: dict[str, str], theirs: dict[str, str]
) -> None:
    target = f"{OTHER}/planted/context.tar"
    upload = _s3(theirs).create_multipart_upload(Bucket=BUCKET, Key=target)["UploadId"]
    own = f"/{BUCKET}/{ORG}/decoy/context.tar"
    part = _signed(mine, "PUT", f"{own}?partNumber=1&uploadId={upload}", body=b"planted")
    assert part.status_code == 403 and _code(part) == "AccessDenied"
    listed = _signed(mine, "GET", f"{own}?uploadId={upload}")
    assert listed.status_code == 403
    complete = (
        b"<CompleteMultipartUpload><Part><ETag>x</ETag><PartNumber>1</PartNumber></Part>"
        b"</CompleteMultipartUpload>"
    )
    done = _signed(mine, "POST", f"{own}?uploadId={upload}", body=complete)
    assert done.status_code == 403
    aborted = _signed(mine, "DELETE", f"{own}?uploadId={upload}")
    assert aborted.status_code == 403
    assert target not in _keys(storage)
    _s3(theirs).abort_multipart_upload(Bucket=BUCKET, Key=target, UploadId=upload)


def test_a_virtual_host_request_names_no_key_outside_the_prefix(
    storage: ObjectStorage, mine: dict[str, str]
) -> None:
    # moto reads "daytona.<host>" as the bucket and the whole path as the key
    response = _signed(
        mine, "PUT", f"/{BUCKET}/{ORG}/vhost", body=b"v", host="daytona.s3.example.test"
    )
    assert response.status_code == 403 and _code(response) == "AccessDenied"
    assert f"{BUCKET}/{ORG}/vhost" not in _keys(storage)


def test_moto_switch_headers_are_refused(storage: ObjectStorage, mine: dict[str, str]) -> None:
    response = _signed(
        mine,
        "PUT",
        f"/{BUCKET}/{ORG}/account/context.tar",
        body=b"v",
        headers={"x-moto-account-id": "111111111111"},
    )
    assert response.status_code == 403
    assert f"{ORG}/account/context.tar" not in _keys(storage)


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=b"]
)
def test_a_form_body_is_refused(
    storage: ObjectStorage, mine: dict[str, str], content_type: str
) -> None:
    # moto takes query parameters (an upload id, a POST upload's key) from a form body
    response = _signed(
        mine,
        "PUT",
        f"/{BUCKET}/{ORG}/form/context.tar",
        body=f"key={OTHER}/form".encode(),
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 403
    assert f"{ORG}/form/context.tar" not in _keys(storage)
    posted = _signed(mine, "POST", f"/{BUCKET}?key={OTHER}/posted", body=b"x")
    assert posted.status_code == 403
    assert f"{OTHER}/posted" not in _keys(storage)


@pytest.mark.parametrize(
    "path",
    [
        f"/{BUCKET}/{ORG}/%2E%2E/{OTHER}/secret/context.tar",
        f"/{BUCKET}/{ORG}%2F..%2F{OTHER}/secret/context.tar",
        f"/{BUCKET}/{OTHER}/secret/context.tar",
        f"/{BUCKET}/{ORG}",  # the prefix without its slash is the bucket's key "org-k"
        f"/{BUCKET}%2F{OTHER}/secret/context.tar",
    ],
)
def test_encoded_paths_reach_no_other_key(
    mine: dict[str, str], theirs: dict[str, str], path: str
) -> None:
    for method in ("GET", "PUT"):
        response = _signed(mine, method, path, body=b"replaced" if method == "PUT" else b"")
        assert response.status_code == 403, (method, response.content)
        assert b"their secret" not in response.content
    assert _their_object(theirs) == b"their secret"


def test_delete_objects_is_scoped_to_the_organization(
    storage: ObjectStorage, mine: dict[str, str], theirs: dict[str, str]
) -> None:
    from botocore.exceptions import ClientError

    s3 = _s3(mine)
    own = [f"{ORG}/del-{i}/context.tar" for i in range(2)]
    for key in own:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    with pytest.raises(ClientError) as caught:
        s3.delete_objects(
            Bucket=BUCKET,
            Delete={"Objects": [{"Key": own[0]}, {"Key": f"{OTHER}/secret/context.tar"}]},
        )
    assert caught.value.response["Error"]["Code"] == "AccessDenied"
    assert set(own) <= _keys(storage)  # nothing deleted, theirs included
    assert _their_object(theirs) == b"their secret"
    deleted = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": k} for k in own]})
    assert sorted(d["Key"] for d in deleted["Deleted"]) == own
    assert not set(own) & _keys(storage)
