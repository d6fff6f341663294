"""Proxies: which origin goes through which proxy, decided as httpx decides it.

The SDK talks to several origins (the API URL, toolbox and preview URLs on other hosts), so the
decision is made per origin (scheme, host, port), once, then remembered:

- ``proxy=`` (a URL string or an ``httpx.Proxy``) sends every origin through that proxy, as
  ``httpx.AsyncClient(proxy=...)`` does (``NO_PROXY`` does not apply to it);
- otherwise, unless ``trust_env=False``, the environment: ``HTTP_PROXY``, ``HTTPS_PROXY``,
  ``ALL_PROXY`` and ``NO_PROXY`` (lower-case names too, which win), read by the standard
  library (``urllib.request.getproxies``) and turned into routes by httpx's own
  ``get_environment_proxies``: ``NO_PROXY=*`` turns proxies off, ``example.com`` bypasses
  ``example.com`` and its subdomains, ``.example.com`` only the subdomains, ``host:port`` that
  port only, IPv4/IPv6 addresses and ``localhost`` that host only. A proxy URL without a
  scheme is ``http://``.

A proxied origin's requests go to an ``httpx.AsyncHTTPTransport(proxy=...)`` (httpcore's proxy
pools: ``CONNECT`` tunnels for https targets, absolute-form forwarding for http targets,
``Proxy-Authorization`` from the credentials in the proxy URL), under the SDK's
:class:`~daytona_async.RetryTransport` like every other request; direct origins keep the
SDK's own transport. Credentials in a proxy URL are registered as secrets: they never appear
in a repr, a log line or an error message (:func:`display`).

The two httpx helpers used here (``httpx._utils.get_environment_proxies`` and ``URLPattern``,
the code behind ``httpx.AsyncClient``'s proxy mounts) are private; httpx is pinned below 0.29
and ``tests/client/test_config.py`` checks them against the installed version.
"""

from __future__ import annotations

import base64
import importlib.util
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ._logging import register_secret
from ._util import without_userinfo
from .errors import ConfigurationError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "PROXY_SCHEMES",
    "ProxyRoutes",
    "as_proxy",
    "check_proxy_url",
    "display",
    "proxy_routes",
]

#: proxy URL schemes httpx's transport speaks (``socks5``/``socks5h`` need ``socksio``)
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
_ROUTE_CACHE_SIZE = 1024


def display(proxy: str | httpx.Proxy) -> str:
    """A proxy's URL fit to show: without its credentials."""
    return without_userinfo(proxy if isinstance(proxy, str) else str(proxy.url))


def check_proxy_url(url: str, *, source: str) -> str:
    """``url`` if it can be a proxy URL (its credentials registered as secrets), else a
    :class:`ConfigurationError` naming ``source`` (``proxy=`` or the environment variable).
    Needs no httpx: a client checks its ``proxy=`` at construction."""
    shown = without_userinfo(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- validates the port
    except ValueError as exc:
        raise ConfigurationError(f"{source}: {shown!r} is not a valid proxy URL ({exc})") from None
    if parts.scheme.lower() not in PROXY_SCHEMES or not parts.hostname:
        raise ConfigurationError(
            f"{source}: {shown!r} must be a proxy URL starting with http://, https://, "
            "socks5:// or socks5h:// and naming a host, e.g. http://proxy.example:3128"
        )
    if parts.scheme.lower().startswith("socks") and importlib.util.find_spec("socksio") is None:
        raise ConfigurationError(
            f"{source}: the SOCKS proxy {shown!r} needs the socksio package "
            "(pip install 'httpx[socks]')"
        )
    if parts.password is not None:
        register_secret(parts.password)
        register_secret(unquote(parts.password))
        # the Proxy-Authorization value httpx builds from the URL's credentials
        userinfo = f"{unquote(parts.username or '')}:{unquote(parts.password)}"
        register_secret(base64.b64encode(userinfo.encode()).decode())
    return url


class ProxyRoutes:
    """Origin → proxy (``None``: direct), decided by httpx's URL patterns, most specific
    first (a port before none, a longer host before a shorter one), the first match wins."""

    __slots__ = ("_cache", "_routes")

    def __init__(self, routes: dict[str, httpx.Proxy | None]) -> None:
        from httpx._utils import URLPattern

        # httpx's order (its mounts are sorted the same way); the sort is stable
        patterns = [(URLPattern(key), proxy) for key, proxy in routes.items()]
        patterns.sort(key=lambda route: route[0].priority)
        self._routes = tuple(patterns)
        self._cache: dict[tuple[bytes, bytes, int | None], httpx.Proxy | None] = {}

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{p.pattern!r}: {'direct' if proxy is None else repr(display(proxy))}"
            for p, proxy in self._routes
        )
        return f"ProxyRoutes({{{shown}}})"

    @property
    def proxies(self) -> list[httpx.Proxy]:
        """Every distinct proxy a route may use."""
        seen: dict[str, httpx.Proxy] = {}
        for _, proxy in self._routes:
            if proxy is not None:
                seen.setdefault(str(proxy.url), proxy)
        return list(seen.values())

    def proxy_for(self, url: httpx.URL) -> httpx.Proxy | None:
        """The proxy for ``url``'s origin, or ``None`` to go direct."""
        key = (url.raw_scheme, url.raw_host, url.port)
        try:
            return self._cache[key]
        except KeyError:
            pass
        found: httpx.Proxy | None = None
        for pattern, proxy in self._routes:
            if pattern.matches(url):
                found = proxy
                break
        if len(self._cache) >= _ROUTE_CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = found
        return found


def as_proxy(proxy: str | httpx.Proxy, source: str) -> httpx.Proxy:
    """``proxy`` as an ``httpx.Proxy``, checked, its credentials registered as secrets;
    :class:`ConfigurationError` naming ``source`` when it cannot be used."""
    import httpx

    if isinstance(proxy, httpx.Proxy):
        check_proxy_url(str(proxy.url), source=source)
        if proxy.auth is not None:  # httpx.Proxy keeps the URL's credentials apart
            user, password = proxy.auth
            register_secret(password)
            register_secret(base64.b64encode(f"{user}:{password}".encode()).decode())
        return proxy
    check_proxy_url(proxy, source=source)
    try:
        return httpx.Proxy(proxy)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"{source}: {display(proxy)!r} is not a usable proxy URL ({exc})"
        ) from None


def proxy_routes(proxy: str | httpx.Proxy | None, *, trust_env: bool) -> ProxyRoutes | None:
    """The routes for a client: ``proxy`` for every origin when given, else the environment's
    (when ``trust_env``); ``None`` when every origin goes direct."""
    if proxy is not None:
        return ProxyRoutes({"all://": as_proxy(proxy, "proxy=")})
    if not trust_env:
        return None
    from httpx._utils import get_environment_proxies

    env = get_environment_proxies()
    if not any(value is not None for value in env.values()):
        return None
    routes: dict[str, httpx.Proxy | None] = {}
    for key, value in env.items():
        if value is None:
            routes[key] = None
        else:
            name = key.partition(":")[0].upper() + "_PROXY"
            routes[key] = as_proxy(value, f"the environment variable {name}")
    return ProxyRoutes(routes)
