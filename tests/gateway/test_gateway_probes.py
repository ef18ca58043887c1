"""Probes, metrics and the access log of the gateway itself."""

import logging

from conftest import DEGRADED, NOT_READY

from gateway import accesslog


async def test_liveness(gw_client):
    assert (await gw_client.get("/healthz")).json() == {"status": "ok"}


async def test_readiness_lists_every_upstream_and_what_is_wrong(gw_stack, gw_client):
    response = await gw_client.get("/readyz")
    body = response.json()
    assert response.status_code == 200  # one service unready does not take the gateway out
    assert body["checks"] == {"database": "ok"}
    assert set(body["upstreams"]) == set(gw_stack.upstreams)
    assert body["upstreams"][NOT_READY]["status"] == "not ready: database down: refused"
    assert body["upstreams"][DEGRADED]["status"] == "degraded: broker down"
    assert body["status"] == "degraded"
    others = {
        n: s["status"] for n, s in body["upstreams"].items() if n not in (NOT_READY, DEGRADED)
    }
    assert set(others.values()) == {"up"}


async def test_metrics_by_route_and_upstream(gw_stack, gw_client):
    await gw_client.get("/api/v1/catalog/products/7")
    await gw_client.get("/api/v1/orders/orders")  # 401 at the edge
    text = (await gw_client.get("/metrics")).text
    assert (
        'flywheel_gateway_requests_total{method="GET",'
        'route="/api/v1/catalog/products/{product_id}",status="200",upstream="catalog"}'
    ) in text  # the learned path template: one series per route, not per id
    assert 'route="/api/v1/orders",status="401",upstream="orders"' in text
    assert (
        'flywheel_gateway_upstream_duration_seconds_bucket{le="0.005",upstream="catalog"}' in text
    )
    assert (
        'flywheel_http_requests_total{method="GET",route="/api/v1/catalog/products/{product_id}"'
        in text
    )


def test_access_log_keeps_problems_and_slow_requests_by_default():
    logger = logging.getLogger(accesslog.ACCESS_LOGGER)

    def kept(status: int, duration_ms: float) -> bool:
        record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, "x", (), None)
        record.status, record.duration_ms = status, duration_ms
        return logger.filter(record)

    accesslog.apply("problems", slow_ms=1000)
    try:
        assert not kept(200, 3.0)
        assert kept(401, 1.0)
        assert kept(503, 1.0)
        assert kept(200, 1500.0)
    finally:
        accesslog.apply("all", slow_ms=1000)
    assert kept(200, 3.0)
