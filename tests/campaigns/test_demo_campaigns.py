"""The demo campaigns of `make run` load against the campaigns service and show what a
storefront shows: a running holiday sale with a sale price, a win-back rule, a flash
session on sale (the test platform's catalog, stocking its SKU as the demo catalog does,
holds what it asks), an open group one seat short, a bargain with a help, a lottery whose
seed hash is public."""

import pytest
from catalog_skus import in_state, listed_with_stock

from chassis.ids import new_id
from chassis.testing import eventually
from deploy.local.demo_campaigns import CAMPAIGNS, DEMO_ON_HAND, flash_stock, seed_campaigns

pytestmark = pytest.mark.asyncio


async def test_the_demo_campaigns_load_and_run(platform, operator_token):
    (_, mei), (_, tom) = await platform.customer(), await platform.customer()
    headers = [{"Authorization": f"Bearer {t}"} for t in (operator_token, mei, tom)]
    products = [str(new_id()) for _ in range(4)]
    flash_sku = await listed_with_stock(platform, DEMO_ON_HAND)
    async with platform.client("campaigns") as campaigns:
        ids = await seed_campaigns(campaigns, headers[0], headers[1:], products, flash_sku)

        async def running() -> bool:
            shown = await campaigns.get(
                f"{CAMPAIGNS}/campaigns/{ids['campaign']}", headers=headers[0]
            )
            return shown.json()["state"] == "running"

        assert await eventually(running, within=30)
        flash = await in_state(platform, ids["flash_session"], "held")  # catalog holds it
        group = (await campaigns.get(f"{CAMPAIGNS}/groups/{ids['group_code']}")).json()
        bargain = (await campaigns.get(f"{CAMPAIGNS}/bargains/{ids['bargain']}")).json()
        lottery = (await campaigns.get(f"{CAMPAIGNS}/lotteries/{ids['lottery']}")).json()
        coupons = (await campaigns.get(f"{CAMPAIGNS}/me/coupons", headers=headers[1])).json()
        prices = (await campaigns.get(f"{CAMPAIGNS}/campaigns/{ids['campaign']}/prices")).json()
        rule = await campaigns.get(
            f"{CAMPAIGNS}/coupon-grant-rules/{ids['win_back_rule']}", headers=headers[0]
        )
    assert 0 < flash_stock(DEMO_ON_HAND) <= DEMO_ON_HAND
    assert flash["items"][0]["stock"] == flash["items"][0]["left"] == flash_stock(DEMO_ON_HAND)
    assert (group["members"], group["size"], group["status"]) == (2, 3, "open")
    assert (bargain["helps_done"], bargain["status"]) == (1, "open")
    assert bargain["price"]["amount"] < 89_00
    assert len(lottery["seed_hash"]) == 64
    assert [p["kind"] for p in lottery["prizes"]] == ["item", "coupon", "points"]
    assert [c["template_id"] for c in coupons["items"]] == [ids["coupon_template"]]
    assert [(p["sku_id"], p["price"]["amount"]) for p in prices] == [(products[3], 29_90)]
    assert (rule.json()["trigger"], rule.json()["active"]) == ("lifecycle", True)
