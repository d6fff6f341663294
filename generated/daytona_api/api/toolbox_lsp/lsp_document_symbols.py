from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.lsp_symbol import LspSymbol
from ...types import UNSET, Response, Unset


def _get_kwargs(
    sandbox_id: str,
    *,
    language_id: str,
    path_to_project: str,
    uri: str,
    x_daytona_organization_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_daytona_organization_id, Unset):
        headers["X-Daytona-Organization-ID"] = x_daytona_organization_id

    params: dict[str, Any] = {}

    params["languageId"] = language_id

    params["pathToProject"] = path_to_project

    params["uri"] = uri

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/toolbox/{sandbox_id}/toolbox/lsp/document-symbols".format(
            sandbox_id=quote(str(sandbox_id), safe=""),
        ),
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | list[LspSymbol] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = LspSymbol.from_dict(response_200_item_data)

            response_200.append(response_200_item)

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
) -> Response[ErrorResponse | list[LspSymbol]]:
    return Response(
        status_code=response.status_code,
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    sandbox_id: str,
    *,
    client: AuthenticatedClient | Client,
    language_id: str,
    path_to_project: str,
    uri: str,
    x_daytona_organization_id: str | Unset = UNSET,
) -> Response[ErrorResponse | list[LspSymbol]]:
    """List the symbols of one document

    Args:
        sandbox_id (str):
        language_id (str):
        path_to_project (str):
        uri (str):
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[LspSymbol]]
    """

    kwargs = _get_kwargs(
        sandbox_id=sandbox_id,
        language_id=language_id,
        path_to_project=path_to_project,
        uri=uri,
        x_daytona_organization_id=x_daytona_organization_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    sandbox_id: str,
    *,
    client: AuthenticatedClient | Client,
    language_id: str,
    path_to_project: str,
    uri: str,
    x_daytona_organization_id: str | Unset = UNSET,
) -> ErrorResponse | list[LspSymbol] | None:
    """List the symbols of one document

    Args:
        sandbox_id (str):
        language_id (str):
        path_to_project (str):
        uri (str):
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[LspSymbol]
    """

    return sync_detailed(
        sandbox_id=sandbox_id,
        client=client,
        language_id=language_id,
        path_to_project=path_to_project,
        uri=uri,
        x_daytona_organization_id=x_daytona_organization_id,
    ).parsed


async def asyncio_detailed(
    sandbox_id: str,
    *,
    client: AuthenticatedClient | Client,
    language_id: str,
    path_to_project: str,
    uri: str,
    x_daytona_organization_id: str | Unset = UNSET,
    request_timeout: httpx.Timeout | None = None,
) -> Response[ErrorResponse | list[LspSymbol]]:
    """List the symbols of one document

    Args:
        sandbox_id (str):
        language_id (str):
        path_to_project (str):
        uri (str):
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | list[LspSymbol]]
    """

    kwargs = _get_kwargs(
        sandbox_id=sandbox_id,
        language_id=language_id,
        path_to_project=path_to_project,
        uri=uri,
        x_daytona_organization_id=x_daytona_organization_id,
    )

    # request_timeout: this request's httpx timeouts (None: the client's)
    _timeout = httpx.USE_CLIENT_DEFAULT if request_timeout is None else request_timeout
    response = await client.get_async_httpx_client().request(**kwargs, timeout=_timeout)

    return _build_response(client=client, response=response)


async def asyncio(
    sandbox_id: str,
    *,
    client: AuthenticatedClient | Client,
    language_id: str,
    path_to_project: str,
    uri: str,
    x_daytona_organization_id: str | Unset = UNSET,
) -> ErrorResponse | list[LspSymbol] | None:
    """List the symbols of one document

    Args:
        sandbox_id (str):
        language_id (str):
        path_to_project (str):
        uri (str):
        x_daytona_organization_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | list[LspSymbol]
    """

    return (
        await asyncio_detailed(
            sandbox_id=sandbox_id,
            client=client,
            language_id=language_id,
            path_to_project=path_to_project,
            uri=uri,
            x_daytona_organization_id=x_daytona_organization_id,
        )
    ).parsed
