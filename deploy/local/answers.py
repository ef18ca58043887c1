"""Checking the answers the demo loaders get: a failure says what the API answered."""

import httpx


def checked(response: httpx.Response) -> httpx.Response:
    """`response` if it is a success; otherwise an error naming the request and quoting the
    problem the API answered (raise_for_status() leaves the body out)."""
    if response.is_error:
        request = response.request
        raise httpx.HTTPStatusError(
            f"{response.status_code} for {request.method} {request.url}: {response.text[:500]}",
            request=request,
            response=response,
        )
    return response
