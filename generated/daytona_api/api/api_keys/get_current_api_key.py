from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.api_key_list import ApiKeyList
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    x_daytona_organization_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_daytona_organization_id, Unset):
        headers["X-Daytona-Organization-ID"] = x_daytona_organization_id

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api-keys/current",
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ApiKeyList | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = ApiKeyList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        try:
            response_400 = ErrorResponse.from_dict(response.json())

            return response_400

        except (ValueError, TypeError, KeyError):
            # an error body that is not the documented JSON (a proxy's HTML page, plain text)
            return None
    if response.status_code == 401:
        try:
            response_401 = ErrorResponse.from_dict(response.json())

            return response_401

        except (ValueError, TypeError, KeyError):
            # an error body that is not the documented JSON (a proxy's HTML page, plain text)
            return None
    if response.status_code == 403:
        try:
            response_403 = ErrorResponse.from_dict(response.json())

            return response_403

        except (ValueError, TypeError, KeyError):
            # an error body that is not the documented JSON (a proxy's HTML page, plain text)
            return None
    if response.status_code == 404:
        try:
            response_404 = ErrorResponse.from_dict(response.json())

            return response_404

        except (ValueError, TypeError, KeyError):
            # an error body that is not the documented JSON (a proxy's HTML page, plain text)
            return None
    if response.status_code == 429:
        try:
            response_429 = ErrorResponse.from_dict(response.json())

            return response_429

        except (ValueError, TypeError, KeyError):
            # an error body that is not the documented JSON (a proxy's HTML page, plain text)
            return None
    if response.status_code == 500:
        try:
            response_500 = ErrorResponse.from_dict(response.json())

            return response_500

        except (ValueError, TypeError, KeyError):
            # an error body that is not the documented JSON (a proxy's HTML page, plain text)
            return None
    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ApiKeyList | ErrorResponse]:
    return Response(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    x_daytona_organization_id: str | Unset = UNSET,
) -> Response[ApiKeyList | ErrorResponse]:
    """Describe the API key that authenticates this request

    Args:
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        x_daytona_organization_id=x_daytona_organization_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    x_daytona_organization_id: str | Unset = UNSET,
) -> ApiKeyList | ErrorResponse | None:
    """Describe the API key that authenticates this request

    Args:
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyList | ErrorResponse
    """

    return sync_detailed(
        client=client,
        x_daytona_organization_id=x_daytona_organization_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    x_daytona_organization_id: str | Unset = UNSET,
    request_timeout: httpx.Timeout | None = None,
) -> Response[ApiKeyList | ErrorResponse]:
    """Describe the API key that authenticates this request

    Args:
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ApiKeyList | ErrorResponse]
    """

    kwargs = _get_kwargs(
        x_daytona_organization_id=x_daytona_organization_id,
    )

    # request_timeout: this request's httpx timeouts (None: the client's)
    _timeout = httpx.USE_CLIENT_DEFAULT if request_timeout is None else request_timeout
    response = await client.get_async_httpx_client().request(**kwargs, timeout=_timeout)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    x_daytona_organization_id: str | Unset = UNSET,
) -> ApiKeyList | ErrorResponse | None:
    """Describe the API key that authenticates this request

    Args:
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ApiKeyList | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            x_daytona_organization_id=x_daytona_organization_id,
        )
    ).parsed
