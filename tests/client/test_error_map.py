"""The one exception map: httpx's failures as the SDK's errors, decided on types and on the
"was anything sent" fact, never on message text."""

from __future__ import annotations

import httpx
import pytest
from daytona_async import (
    APIConnectionError,
    APITimeoutError,
    OutcomeUnknownError,
    OutcomeUnknownTimeoutError,
)
from daytona_async._error_map import connection_error
from daytona_async._wire import mark_sent

URL = "http://user:pw@x/api/toolbox/s/toolbox/process/execute"


def _map(exc: httpx.HTTPError | httpx.StreamError, method: str) -> APIConnectionError:
    return connection_error(exc, method=method, url=URL, retries=1)


@pytest.mark.parametrize(
    ("exc", "method", "expected"),
    [
        (httpx.RemoteProtocolError("gone"), "POST", OutcomeUnknownError),
        (httpx.ReadError("reset"), "PATCH", OutcomeUnknownError),
        (httpx.ReadTimeout("slow"), "POST", OutcomeUnknownTimeoutError),
        (httpx.RemoteProtocolError("gone"), "GET", APIConnectionError),
        (httpx.ReadTimeout("slow"), "GET", APITimeoutError),
        (httpx.ConnectError("refused"), "POST", APIConnectionError),
        (httpx.ConnectTimeout("slow"), "POST", APITimeoutError),
        (httpx.PoolTimeout("busy"), "POST", APITimeoutError),
        (httpx.DecodingError("bad gzip"), "POST", APIConnectionError),
        (httpx.StreamConsumed(), "POST", APIConnectionError),
    ],
)
def test_map(exc: httpx.HTTPError, method: str, expected: type[APIConnectionError]) -> None:
    err = _map(exc, method)
    assert type(err) is expected, (exc, err)
    assert err.method == method and err.retries == 1
    assert err.url == "http://***@x/api/toolbox/s/toolbox/process/execute"
    assert "pw" not in str(err)


def test_the_adapters_record_wins_over_the_type() -> None:
    # an adapter that knows nothing went out (e.g. it failed before writing) says so
    exc = httpx.ReadError("failed before the first byte")
    mark_sent(exc, False)
    assert type(_map(exc, "POST")) is APIConnectionError
    # and one that knows a connect-phase error came after sending says that
    late = httpx.ConnectError("odd")
    mark_sent(late, True)
    assert type(_map(late, "POST")) is OutcomeUnknownError


def test_outcome_unknown_timeout_is_both_kinds() -> None:
    err = _map(httpx.WriteTimeout("slow"), "POST")
    assert isinstance(err, OutcomeUnknownError) and isinstance(err, APITimeoutError)
    assert "not sent again" in str(err)
