"""Probes and metrics of the gateway itself."""


async def test_liveness(gw_client):
    assert (await gw_client.get("/healthz")).json() == {"status": "ok"}


async def test_readiness_lists_every_upstream(gw_stack, gw_client):
    body = (await gw_client.get("/readyz")).json()
    assert body["checks"] == {"database": "ok"}
    assert set(body["upstreams"]) == set(gw_stack.upstreams)


async def test_metrics_by_route_and_upstream(gw_stack, gw_client):
    await gw_client.get("/api/v1/catalog/products/7")
    await gw_client.get("/api/v1/orders/orders")  # 401 at the edge
    text = (await gw_client.get("/metrics")).text
    assert (
        'flywheel_gateway_requests_total{method="GET",route="/api/v1/catalog/products",'
        'status="200",upstream="catalog"}'
    ) in text
    assert 'route="/api/v1/orders",status="401",upstream="orders"' in text
    assert (
        'flywheel_gateway_upstream_duration_seconds_bucket{le="0.005",upstream="catalog"}' in text
    )
    assert 'flywheel_http_requests_total{method="GET",route="/api/v1/catalog/products"' in text
