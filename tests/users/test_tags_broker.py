"""Interest tags through the real broker: a product published by the catalogue and views of
it collected by analytics earn a signed-in customer the product's brand, which puts them in
a segment reading tags, announced on its topic."""

import publishing
import tagging
from observe import event_about
from sqlalchemy import select

from chassis.db import Database
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.analytics import Action
from services.users.tags.models import InterestItem


async def test_views_on_the_broker_earn_a_tag_that_enters_a_segment(platform):
    _, operator = await platform.staff("operator")
    brand = f"acme {new_id().hex[:8]}"
    async with platform.client("users", operator) as users:
        saved = await users.post(
            "/api/v1/users/segments",
            json={
                "name": f"{brand} fans",
                "rule": {"field": "tags", "op": "has", "value": f"brand:{brand}"},
            },
        )
    assert saved.status_code == 201, saved.text
    user_id, _ = await platform.customer()
    tent = tagging.product(brand, None)
    await publishing.publish_as(platform, "/flywheel/catalog", tent)
    # Views of a product users does not know yet count nothing: wait until it has the product
    # (in its own database), then publish the views once.
    await eventually(lambda: _known(platform, tent.product_id), within=30, interval=0.2)
    views = [tagging.touched(user_id, Action.PRODUCT_VIEW, str(tent.product_id)) for _ in range(5)]
    await publishing.publish_as(platform, "/flywheel/analytics", *views)
    entered = await event_about(
        platform.broker.bootstrap_servers,
        "flywheel.users.segment",
        "flywheel.users.segment.entered.v1",
        user_id,
        within=30,
    )
    assert entered["data"]["segment_id"] == saved.json()["id"]
    async with platform.client("users", operator) as users:
        tags = (await users.get(f"/api/v1/users/users/{user_id}/tags")).json()
    assert [(t["tag"], t["origin"]) for t in tags["tags"]] == [(f"brand:{brand}", "system")]


async def _known(platform, product_id) -> bool:
    db = Database(platform.database_url("users"), service="users")
    try:
        async with db.engine.connect() as conn:
            found = select(InterestItem.item_id).where(InterestItem.item_id == product_id)
            return await conn.scalar(found) is not None
    finally:
        await db.dispose()
