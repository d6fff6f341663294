"""The SDK's own ``httpx.AsyncClient``: the same client, minus work an API client never needs.

Measured on a typed GET at concurrency 100 (cProfile, ``bench/``): httpx parsed every URL three
times per request (the relative path, its merge with ``base_url``, then again to apply an empty
``params``), about a fifth of the SDK's CPU per call, and fed every response to a cookie jar,
another tenth. The Daytona API authenticates with a bearer header and sets no cookies, so:

- a relative path is joined to the base URL as a string and parsed once, then cached (parsing
  was another tenth of a call);
- a request without a body to the API copies one prepared header set (the client's headers
  with ``Host``) instead of building three, as httpx's ``build_request`` does;
- empty ``params`` are dropped instead of re-parsing the URL;
- responses' cookies are not collected (cookies passed per request still work);
- :meth:`SDKAsyncClient.send` hands a request straight to the client's transport (the SDK's
  :class:`~daytona_async.RetryTransport`: retries, deadlines, concurrency and logging all live
  there) instead of through httpx's auth, redirect and event-hook layers, none of which the
  SDK's client uses (no auth object, ``follow_redirects=False``, no hooks; checked on every
  request, httpx's path is taken otherwise). That layer was about a sixth of a typed GET's CPU.
  The response is what httpx would return, minus ``next_request`` on a redirect.

Everything else is httpx's ``AsyncClient`` unchanged; a client you pass yourself
(``http_client=``) is used as it is.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import httpx

__all__ = ["SDKAsyncClient"]

_URL_CACHE_SIZE = 4096
_BODYLESS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
_EMPTY = httpx.ByteStream(b"")


class _NoCookieJar(httpx.Cookies):
    """A cookie store that keeps nothing a response sets."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class SDKAsyncClient(httpx.AsyncClient):
    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, **kwargs)
        # the one transport every request goes to: given explicitly (so httpx mounts no proxy
        # transports from the environment) and no mounts of our own
        transport = kwargs.get("transport")
        self._direct: httpx.AsyncBaseTransport | None = (
            transport
            if isinstance(transport, httpx.AsyncBaseTransport) and not kwargs.get("mounts")
            else None
        )
        self._base = str(self.base_url).rstrip("/")
        self._no_cookies = _NoCookieJar()
        # relative path → parsed absolute URL (httpx.URL is immutable): a path is parsed once,
        # not on every request to it
        self._urls: dict[str, httpx.URL] = {}
        self._prepared_from: list[tuple[bytes, bytes]] | None = None
        self._prepared = httpx.Headers()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, value: Any) -> None:  # httpx assigns its (empty) jar in __init__
        if value:
            raise ValueError("the SDK's HTTP client keeps no cookies; pass cookies per request")

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
        follow_redirects: Any = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        transport = self._direct
        if (
            transport is None
            or self.is_closed
            or self.follow_redirects
            or follow_redirects is True
            or auth is not httpx.USE_CLIENT_DEFAULT
            or self.auth is not None
            or request.url.userinfo
            or any(self.event_hooks.values())
        ):
            return await super().send(
                request, stream=stream, auth=auth, follow_redirects=follow_redirects
            )
        if "timeout" not in request.extensions:
            request.extensions["timeout"] = self.timeout.as_dict()
        start = time.perf_counter()
        try:
            response = await transport.handle_async_request(request)
        except httpx.RequestError as exc:
            exc.request = request  # as httpx does
            raise
        response.request = request
        if stream:
            return response
        try:
            if isinstance(response.stream, httpx.ByteStream):
                response.read()  # already in memory (the transports read small bodies whole)
            else:
                await response.aread()
        except BaseException:
            await response.aclose()
            raise
        response.elapsed = datetime.timedelta(seconds=time.perf_counter() - start)
        return response

    def build_request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Any = None,
        headers: Any = None,
        cookies: Any = None,
        timeout: Any = httpx.USE_CLIENT_DEFAULT,
        extensions: Any = None,
        **body: Any,
    ) -> httpx.Request:
        if isinstance(url, str) and url.startswith("/"):
            parsed = self._urls.get(url)
            if parsed is None:
                if len(self._urls) >= _URL_CACHE_SIZE:
                    self._urls.clear()
                parsed = self._urls[url] = httpx.URL(self._base + url)
            if (
                method.upper() in _BODYLESS
                and not params
                and not cookies
                and all(v is None for v in body.values())
            ):
                return self._bodyless_request(method, parsed, headers, timeout, extensions)
            url = parsed
        return super().build_request(
            method,
            url,
            params=params or None,
            headers=headers,
            cookies=cookies,
            timeout=timeout,
            extensions=extensions,
            **body,
        )

    def _bodyless_request(
        self, method: str, url: httpx.URL, headers: Any, timeout: Any, extensions: Any
    ) -> httpx.Request:
        """What ``httpx.AsyncClient.build_request`` builds for a request without a body to the
        base URL's host, from one prepared header set (the client's headers with ``Host``,
        copied with its encoding known) instead of three fresh ones."""
        raw = self.headers.raw
        if raw != self._prepared_from:  # the client's headers were changed: prepare again
            self._prepared_from = raw
            self._prepared = httpx.Headers([(b"Host", self.base_url.netloc), *raw])
        merged = self._prepared.copy()
        if headers:
            merged.update(headers)
        ext = {} if extensions is None else dict(extensions)
        if "timeout" not in ext:
            t = self.timeout if timeout is httpx.USE_CLIENT_DEFAULT else httpx.Timeout(timeout)
            ext["timeout"] = t.as_dict()
        request = httpx.Request(method, url, headers=merged, stream=_EMPTY, extensions=ext)
        request.read()
        return request
