"""Interest tags through the real broker: a product published by the catalogue and views of
it collected by analytics earn a signed-in customer the product's brand, which puts them in
a segment reading tags, announced on its topic."""

import tagging
from observe import event_about

from chassis.ids import new_id
from contracts.analytics import Action


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
    await tagging.publish(platform, "/flywheel/catalog", tent)
    entered = None
    # the product may reach the users service after the first views: views of an unknown
    # product count nothing, so publish until the tag is earned
    for _ in range(3):
        view = Action.PRODUCT_VIEW
        views = [tagging.touched(user_id, view, str(tent.product_id)) for _ in range(5)]
        await tagging.publish(platform, "/flywheel/analytics", *views)
        try:
            entered = await event_about(
                platform.broker.bootstrap_servers,
                "flywheel.users.segment",
                "flywheel.users.segment.entered.v1",
                user_id,
                within=20,
            )
            break
        except AssertionError:
            continue
    assert entered is not None
    assert entered["data"]["segment_id"] == saved.json()["id"]
    async with platform.client("users", operator) as users:
        tags = (await users.get(f"/api/v1/users/users/{user_id}/tags")).json()
    assert [(t["tag"], t["origin"]) for t in tags["tags"]] == [(f"brand:{brand}", "system")]
