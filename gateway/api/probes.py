"""Liveness, readiness (with each upstream's state) and Prometheus metrics of the gateway."""

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Liveness: the process serves requests")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: the gateway's database, and which upstreams are up",
    description="503 only when the gateway itself cannot serve (its database is down, or "
    "it is draining after SIGTERM). "
    "A down upstream makes the gateway `degraded`, not unready: taking every replica out of "
    "rotation would turn one service's outage into a whole-platform one.",
)
async def readyz(request: Request) -> JSONResponse:
    upstreams = request.app.state.upstreams
    database = "ok"
    try:
        await asyncio.wait_for(request.app.state.db.ping(), 2.0)
    except Exception as error:
        database = f"down: {error!r}"[:200]
    probes = await asyncio.gather(*(u.probe() for u in upstreams.values()))
    states = {
        name: {"status": probe, "breaker": upstream.breaker.state}
        for (name, upstream), probe in zip(upstreams.items(), probes, strict=True)
    }
    phase = getattr(request.app.state, "phase", "serving")
    ready = database == "ok" and phase == "serving"
    degraded = any(s["status"] != "up" or s["breaker"] != "closed" for s in states.values())
    body = {
        "status": "not ready" if not ready else "degraded" if degraded else "ready",
        "checks": {"database": database},
        "upstreams": states,
    }
    if phase != "serving":
        body["phase"] = phase
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get(
    "/metrics", summary="Prometheus metrics, by route and upstream", include_in_schema=False
)
async def prometheus() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
