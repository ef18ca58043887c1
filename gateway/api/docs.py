"""API documentation: merged OpenAPI with Swagger UI, served offline; AsyncAPI and its page."""

from importlib.resources import files
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from contracts import load_contracts
from gateway import asyncapi, eventspage

# Swagger UI's assets ship in the `fastapi-offline` wheel, so /docs needs no CDN.
SWAGGER_ASSETS = str(files("fastapi_offline") / "static")
ASSETS_PATH = "/docs/assets"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)

router = APIRouter(tags=["documentation"])


@router.get("/openapi.json", include_in_schema=False)
async def openapi(
    request: Request,
    refresh: Annotated[bool, Query(description="Fetch every service's document now")] = False,
) -> dict[str, Any]:
    return await request.app.state.openapi.document(refresh=refresh)


@router.get("/docs", include_in_schema=False)
async def swagger_ui() -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Flywheel API",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        swagger_ui_parameters={"validatorUrl": None, "persistAuthorization": True},
    )
    page.headers["content-security-policy"] = DOCS_CSP
    return page


@router.get("/asyncapi.json", summary="AsyncAPI 3.0 document of the domain events")
async def asyncapi_document(request: Request) -> dict[str, Any]:
    return _events(request)


@router.get("/events", include_in_schema=False)
async def events_page(request: Request) -> HTMLResponse:
    page = HTMLResponse(eventspage.render(_events(request)))
    page.headers["content-security-policy"] = eventspage.PAGE_CSP
    return page


def _events(request: Request) -> dict[str, Any]:
    """Built on first use: the registry is complete once the services' modules are imported."""
    state = request.app.state
    if getattr(state, "asyncapi", None) is None:
        state.asyncapi = asyncapi.build(
            load_contracts(), broker=state.settings.kafka_bootstrap_servers
        )
    return state.asyncapi
