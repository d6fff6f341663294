from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.lsp_document_request import LspDocumentRequest
from ...types import UNSET, Response, Unset


def _get_kwargs(
    sandbox_id: str,
    *,
    body: LspDocumentRequest,
    x_daytona_organization_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_daytona_organization_id, Unset):
        headers["X-Daytona-Organization-ID"] = x_daytona_organization_id

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/toolbox/{sandbox_id}/toolbox/lsp/did-close".format(
            sandbox_id=quote(str(sandbox_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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
    if response.status_code == 409:
        try:
            response_409 = ErrorResponse.from_dict(response.json())

            return response_409

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
) -> Response[Any | ErrorResponse]:
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
    body: LspDocumentRequest,
    x_daytona_organization_id: str | Unset = UNSET,
) -> Response[Any | ErrorResponse]:
    """Tell the language server a document was closed

    Args:
        sandbox_id (str):
        x_daytona_organization_id (str | Unset):
        body (LspDocumentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        sandbox_id=sandbox_id,
        body=body,
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
    body: LspDocumentRequest,
    x_daytona_organization_id: str | Unset = UNSET,
) -> Any | ErrorResponse | None:
    """Tell the language server a document was closed

    Args:
        sandbox_id (str):
        x_daytona_organization_id (str | Unset):
        body (LspDocumentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse
    """

    return sync_detailed(
        sandbox_id=sandbox_id,
        client=client,
        body=body,
        x_daytona_organization_id=x_daytona_organization_id,
    ).parsed


async def asyncio_detailed(
    sandbox_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: LspDocumentRequest,
    x_daytona_organization_id: str | Unset = UNSET,
    request_timeout: httpx.Timeout | None = None,
) -> Response[Any | ErrorResponse]:
    """Tell the language server a document was closed

    Args:
        sandbox_id (str):
        x_daytona_organization_id (str | Unset):
        body (LspDocumentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorResponse]
    """

    kwargs = _get_kwargs(
        sandbox_id=sandbox_id,
        body=body,
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
    body: LspDocumentRequest,
    x_daytona_organization_id: str | Unset = UNSET,
) -> Any | ErrorResponse | None:
    """Tell the language server a document was closed

    Args:
        sandbox_id (str):
        x_daytona_organization_id (str | Unset):
        body (LspDocumentRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorResponse
    """

    return (
        await asyncio_detailed(
            sandbox_id=sandbox_id,
            client=client,
            body=body,
            x_daytona_organization_id=x_daytona_organization_id,
        )
    ).parsed
