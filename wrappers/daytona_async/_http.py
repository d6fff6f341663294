"""The SDK's own ``httpx.AsyncClient``: the same client, minus work an API client never needs.

Measured on a typed GET at concurrency 100 (cProfile, ``bench/``): httpx parsed every URL three
times per request (the relative path, its merge with ``base_url``, then again to apply an empty
``params``), about a fifth of the SDK's CPU per call, and fed every response to a cookie jar,
another tenth. The Daytona API authenticates with a bearer header and sets no cookies, so:

- a relative path is joined to the base URL as a string and parsed once, then cached (parsing
  was another tenth of a call);
- small JSON bodies are read by the transport in one step (see ``_aiohttp``);
- empty ``params`` are dropped instead of re-parsing the URL;
- responses' cookies are not collected (cookies passed per request still work).

Everything else is httpx's ``AsyncClient`` unchanged; a client you pass yourself
(``http_client=``) is used as it is.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["SDKAsyncClient"]

_URL_CACHE_SIZE = 4096


class _NoCookieJar(httpx.Cookies):
    """A cookie store that keeps nothing a response sets."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class SDKAsyncClient(httpx.AsyncClient):
    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, **kwargs)
        self._base = str(self.base_url).rstrip("/")
        self._no_cookies = _NoCookieJar()
        # relative path → parsed absolute URL (httpx.URL is immutable): a path is parsed once,
        # not on every request to it
        self._urls: dict[str, httpx.URL] = {}

    @property
    def cookies(self) -> httpx.Cookies:
        return self._no_cookies

    @cookies.setter
    def cookies(self, value: Any) -> None:  # httpx assigns its (empty) jar in __init__
        if value:
            raise ValueError("the SDK's HTTP client keeps no cookies; pass cookies per request")

    def build_request(
        self, method: str, url: httpx.URL | str, *, params: Any = None, **kwargs: Any
    ) -> httpx.Request:
        if isinstance(url, str) and url.startswith("/"):
            parsed = self._urls.get(url)
            if parsed is None:
                if len(self._urls) >= _URL_CACHE_SIZE:
                    self._urls.clear()
                parsed = self._urls[url] = httpx.URL(self._base + url)
            url = parsed
        return super().build_request(method, url, params=params or None, **kwargs)
