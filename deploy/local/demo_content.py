"""Demo content for `make run`: guides, an article, a live session, reviews, a question and a
content call, in Chinese and English, on the demo shop's products. Through the content API
only, so it runs against the gateway or the content service alike."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx

from deploy.local.answers import checked

CONTENT = "/api/v1/content"


def _posts(products: list[str]) -> list[dict]:
    longjing, jasmine, cup, tray, travel = products
    tomorrow = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return [
        {
            "kind": "guide",
            "scenario": "room",
            "title": "小户型也能有的茶角落",
            "body": "## 选一张托盘\n\n竹制茶盘吸水、好清理，一张就能撑起一个角落。\n\n"
            "## 再配两只杯\n\n青瓷杯衬出龙井的嫩绿。",
            "tags": ["布置"],
            "topics": ["茶室"],
            "product_ids": [tray, cup],
        },
        {
            "kind": "guide",
            "scenario": "outfit",
            "title": "A tea picnic for a summer weekend",
            "body": "Pack the **travel set**, a tin of jasmine pearls and a linen cloth.\n\n"
            "1. Brew at 80 °C.\n2. Pour within two minutes.",
            "tags": ["搭配"],
            "topics": ["picnic"],
            "product_ids": [travel, jasmine],
        },
        {
            "kind": "article",
            "title": "Longjing, tasted three ways",
            "body": "We brewed this year's Longjing in glass, porcelain and celadon. "
            "Celadon kept the chestnut note longest.",
            "tags": ["测评"],
            "topics": ["green tea"],
            "product_ids": [longjing, cup],
        },
        {
            "kind": "live",
            "title": "龙井品鉴直播 · Longjing tasting live",
            "body": "Ask the grower anything; live-only prices on the tea set.",
            "starts_at": tomorrow.isoformat(),
            "tags": ["教程"],
            "topics": ["green tea"],
            "product_ids": [longjing],
            "sku_ids": [longjing],
        },
    ]


async def seed_content(
    client: httpx.AsyncClient, staff: dict, customers: list[dict], products: list[str]
) -> None:
    """`staff` and each of `customers` are Authorization headers; `products` are the five
    demo products in their order (each product is its own SKU today)."""
    for post in _posts(products):
        created = await _linked(client, f"{CONTENT}/posts", post, staff)
        post_id = created["id"]
        checked(await client.post(f"{CONTENT}/posts/{post_id}/submit", headers=staff))
        approved = await client.post(f"{CONTENT}/posts/{post_id}/approve", json={}, headers=staff)
        checked(approved)
    mei, tom = customers
    reviews = [
        (mei, {"sku_id": products[0], "rating": 5, "text": "香气清高，回甘明显，会回购。"}),
        (tom, {"sku_id": products[0], "rating": 4, "text": "Fresh and nutty; a bit pricey."}),
        (tom, {"sku_id": products[2], "rating": 5, "text": "The glaze is lovely in daylight."}),
    ]
    for customer, review in reviews:
        response = await client.post(f"{CONTENT}/reviews", json=review, headers=customer)
        if response.status_code != 409:  # reviewed already by an earlier load
            checked(response)
    question = await _linked(
        client,
        f"{CONTENT}/questions",
        {"product_id": products[3], "text": "竹茶盘需要养护吗？ Does the tray need oiling?"},
        mei,
    )
    answer = await client.post(
        f"{CONTENT}/questions/{question['id']}/answers",
        json={"text": "Wipe it dry after use; oil it twice a year. 用后擦干即可。"},
        headers=staff,
    )
    checked(answer)
    now = datetime.now(UTC).replace(microsecond=0)
    call = await client.post(
        f"{CONTENT}/calls",
        json={
            "title": "我的夏日茶搭配 · My summer tea outfit",
            "description": "Show us your tea corner or picnic; the most loved entry wins.",
            "topic": "summer",
            "starts_at": now.isoformat(),
            "ends_at": (now + timedelta(days=30)).isoformat(),
            "judging": "engagement",
            "winners": 3,
            "reward": {"kind": "points", "points": 500},
        },
        headers=staff,
    )
    checked(call)


async def _linked(client: httpx.AsyncClient, path: str, body: dict, headers: dict) -> dict:
    """Content links only products it has heard of from the catalog: retry until it has."""
    for _ in range(100):
        response = await client.post(path, json=body, headers=headers)
        if response.status_code == 201:
            return response.json()
        if response.status_code != 422:
            checked(response)
        await asyncio.sleep(0.2)
    checked(response)
    return response.json()
