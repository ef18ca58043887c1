"""RFC 9457 problem details: the error hierarchy and its one mapping to responses."""

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://flywheel.dev/problems/"


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class ProblemDetail(BaseModel):
    """The body of every error response (documented in OpenAPI)."""

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


class Problem(Exception):
    """An error that becomes a problem+json response; subclasses fix status and type."""

    status = 500
    slug = "internal-error"

    def __init__(
        self, detail: str | None = None, *, headers: dict[str, str] | None = None, **extra: Any
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        self.extra = extra

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase


class BadRequest(Problem):
    status, slug = 400, "bad-request"


class Unauthorized(Problem):
    status, slug = 401, "unauthorized"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"}, **extra)


class Forbidden(Problem):
    status, slug = 403, "forbidden"


class NotFound(Problem):
    status, slug = 404, "not-found"


class Conflict(Problem):
    status, slug = 409, "conflict"


class InvalidInput(Problem):
    """Input that parses but breaks a rule; names the field like a validation error."""

    status, slug = 422, "validation-error"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"{field}: {message}",
            errors=[FieldError(field=field, message=message, type="value_error").model_dump()],
        )


class ServiceUnavailable(Problem):
    status, slug = 503, "service-unavailable"


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    instance: str | None = None,
    slug: str | None = None,
    title: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + (slug or HTTPStatus(status).phrase.lower().replace(" ", "-")),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    body = {k: v for k, v in body.items() if v is not None}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def field_errors(error: RequestValidationError) -> list[dict[str, str]]:
    return [
        {
            # A body that is not JSON is located at the offset where parsing failed: the
            # field at fault is the body itself.
            "field": "body" if e["type"] == "json_invalid" else ".".join(map(str, e["loc"])),
            "message": e["msg"],
            "type": e["type"],
        }
        for e in error.errors()
    ]


def render(problem: Problem, instance: str) -> JSONResponse:
    """The response for `problem`; also for ASGI middleware, outside FastAPI's handlers."""
    return problem_response(
        problem.status,
        detail=problem.detail,
        instance=instance,
        slug=problem.slug,
        title=problem.title,
        headers=problem.headers,
        **problem.extra,
    )


async def _on_problem(request: Request, error: Problem) -> JSONResponse:
    return render(error, request.url.path)


async def _on_validation(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = field_errors(error)
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem_response(
        422, detail=detail, instance=request.url.path, slug="validation-error", errors=errors
    )


async def _on_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
    detail = error.detail if isinstance(error.detail, str) else None
    headers = error.headers
    if error.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(_allowed(request))}
    return problem_response(
        error.status_code, detail=detail, instance=request.url.path, headers=headers
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed(request: Request) -> list[str]:
    """Every method some route serves at this path: the router's 405 names only the first
    route it tried (one route per method in FastAPI)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]


def unexpected(instance: str) -> JSONResponse:
    """The 500 of an error nobody expected: it says nothing of the error (the log does)."""
    return problem_response(500, detail="An unexpected error occurred.", instance=instance)


async def _on_unexpected(request: Request, error: Exception) -> JSONResponse:
    return unexpected(request.url.path)


def install(app: FastAPI) -> None:
    app.add_exception_handler(Problem, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_unexpected)


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries for the problems a route may return."""
    return {
        status: {
            "description": HTTPStatus(status).phrase,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}},
        }
        for status in statuses
    }
