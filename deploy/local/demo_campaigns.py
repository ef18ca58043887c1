"""Demo campaigns for `make run`: a running holiday sale with coupons and a sale price, a
win-back grant rule, a flash session, a group buy with an open group, a bargain with a first
help, and a lottery about to open, on the demo shop's products. Through the campaigns API
only, so it runs against the gateway or the campaigns service alike."""

from datetime import UTC, datetime, timedelta

import httpx

from deploy.local.answers import checked
from deploy.local.demo_catalog import PRODUCTS, orderable

CAMPAIGNS = "/api/v1/campaigns"


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


def _demo_on_hand() -> int:
    """What the demo catalog stocks of the SKU demo.py gives the flash session
    (`demo_catalog.orderable`'s pick, by its own rule, over the assortment's positions)."""
    return PRODUCTS[int(orderable([str(n) for n in range(len(PRODUCTS))]))][4]


def flash_stock(on_hand: int) -> int:
    """Units the flash session asks of its SKU: half what the catalog stocks of it (at
    least one), leaving the rest to the demo's orders of that SKU (the first order takes 2,
    the day's orders a few more). Catalog holds them, or refuses the whole session."""
    return max(1, on_hand // 2)


# What the demo catalog stocks of the flash SKU (35 glass tumblers).
DEMO_ON_HAND = _demo_on_hand()


async def _post(client: httpx.AsyncClient, path: str, body: dict | None, headers: dict) -> dict:
    return checked(await client.post(f"{CAMPAIGNS}{path}", json=body, headers=headers)).json()


async def seed_campaigns(
    client: httpx.AsyncClient,
    staff: dict,
    customers: list[dict],
    products: list[str],
    flash_sku: str,
    flash_on_hand: int = DEMO_ON_HAND,
) -> dict:
    """Everything set up, by name: the ids a storefront would link to. The flash session
    sells `flash_sku`, of which the catalog stocks `flash_on_hand` units (the demo
    catalog's, by default): it asks `flash_stock(flash_on_hand)` of them, which catalog
    holds for the session (it refuses a session it cannot hold)."""
    mei, tom = customers
    longjing, jasmine, cup, tray = products[:4]
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    sale = await _post(
        client,
        "/campaigns",
        {
            "name": "Double 12 tea festival",
            "kind": "holiday_sale",
            "starts_at": start.isoformat(),  # the calendar's scheduler starts it in seconds
            "ends_at": (start + timedelta(days=14)).isoformat(),
            "budget": _cny(5_000_000),
            "sku_ids": [longjing, jasmine, cup, tray],
        },
        staff,
    )
    checked(
        await client.put(
            f"{CAMPAIGNS}/campaigns/{sale['id']}/prices",
            json={"prices": [{"sku_id": tray, "price": _cny(29_90)}]},  # the sale's price
            headers=staff,
        )
    )
    await _post(client, f"/campaigns/{sale['id']}/schedule", {}, staff)
    coupon = await _post(
        client,
        "/coupons",
        {
            "name": "满 ¥300 减 ¥40",
            "kind": "threshold",
            "currency": "CNY",
            "amount_off": 40_00,
            "threshold": 300_00,
            "valid_days": 7,
            "total_quantity": 1_000,
            "campaign_id": sale["id"],
        },
        staff,
    )
    await _post(client, f"/coupons/{coupon['id']}/claims", None, mei)
    win_back = await _post(
        client,
        "/coupons",
        {
            "name": "好久不见 ¥15",
            "kind": "fixed",
            "currency": "CNY",
            "amount_off": 15_00,
            "threshold": 99_00,
            "valid_days": 14,
            "total_quantity": 10_000,
        },
        staff,
    )
    rule = await _post(
        client,
        "/coupon-grant-rules",
        {
            "name": "Win-back: a coupon for customers turning dormant",
            "template_id": win_back["id"],
            "trigger": "lifecycle",
            "to_stages": ["dormant"],
        },
        staff,
    )
    flash = await _post(
        client,
        "/flash/sessions",
        {
            "name": "20:00 秒杀 · 玻璃水杯",
            "campaign_id": sale["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "items": [
                {
                    "sku_id": flash_sku,
                    "flash_price": _cny(19_00),
                    "stock": flash_stock(flash_on_hand),
                }
            ],
        },
        staff,
    )
    group_buy = await _post(
        client,
        "/group-templates",
        {
            "name": "3 人团 · 茉莉花茶",
            "campaign_id": sale["id"],
            "sku_id": jasmine,
            "group_size": 3,
            "group_price": _cny(59_00),
            "time_limit_minutes": 24 * 60,
        },
        staff,
    )
    group = await _post(client, f"/group-templates/{group_buy['id']}/groups", None, mei)
    await _post(client, f"/groups/{group['group']['code']}/members", None, tom)
    bargain_terms = await _post(
        client,
        "/bargain-templates",
        {
            "name": "砍到 ¥9.9 · 青瓷杯",
            "campaign_id": sale["id"],
            "sku_id": cup,
            "start_price": _cny(89_00),
            "helps": 5,
            "floor_price": _cny(9_90),
        },
        staff,
    )
    bargain = await _post(client, f"/bargain-templates/{bargain_terms['id']}/bargains", None, mei)
    await _post(client, f"/bargains/{bargain['id']}/cuts", None, tom)
    lottery = await _post(
        client,
        "/lotteries",
        {
            "name": "双十二茶会抽奖",
            "campaign_id": sale["id"],
            "opens_at": (start + timedelta(seconds=3)).isoformat(),
            "closes_at": (start + timedelta(days=14)).isoformat(),
            "time_zone": "Asia/Shanghai",
            "draws_per_day": 1,
            "no_prize_weight": 80,
            "prizes": [
                {"name": "竹制茶盘", "kind": "item", "weight": 1, "stock": 5},
                {
                    "name": "满减券",
                    "kind": "coupon",
                    "weight": 9,
                    "stock": 200,
                    "coupon_template_id": coupon["id"],
                },
                {"name": "50 积分", "kind": "points", "weight": 10, "stock": 1_000, "points": 50},
            ],
        },
        staff,
    )
    return {
        "campaign": sale["id"],
        "coupon_template": coupon["id"],
        "win_back_rule": rule["id"],
        "flash_session": flash["id"],
        "group_code": group["group"]["code"],
        "bargain": bargain["id"],
        "lottery": lottery["id"],
    }
