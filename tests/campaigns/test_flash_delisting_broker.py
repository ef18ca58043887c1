"""A SKU the catalog delists during a flash session, through the real broker and HTTP: its
item takes no reservation (a 409 naming `body.sku_id`) while the session's other item sells
on; relisted, it sells again, and the delisting delivered again stops nothing (inbox)."""

from uuid import UUID

import publishing
import pytest
from catalog_skus import (
    customer_reserving,
    held_session,
    listed_with_stock,
    refused_as_delisted,
    stopped,
    taken,
)

from chassis.clock import now
from chassis.events.outbox import envelope_for
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.catalog import SkuListingChanged

pytestmark = pytest.mark.asyncio


def _change(sku: str, listed: bool):
    data = SkuListingChanged(
        sku_id=UUID(sku), product_id=new_id(), listed=listed, by=new_id(), at=now()
    )
    return envelope_for(data, source="/flywheel/catalog")


async def test_a_delisted_sku_stops_selling_and_the_others_sell_on(platform, operator_token):
    delisted, other = [await listed_with_stock(platform, 10) for _ in range(2)]
    flash = await held_session(platform, operator_token, delisted, other)
    reserve = await customer_reserving(platform, flash["id"])

    assert (await reserve(delisted)).status_code == 201
    delisting = _change(delisted, listed=False)
    await publishing.publish(platform, delisting)
    page = await eventually(lambda: stopped(platform, flash["id"], {delisted}), within=30)
    assert [i["stopped_at"] is not None for i in page["items"]].count(True) == 1

    refused_as_delisted(await reserve(delisted))
    assert (await reserve(other)).status_code == 201

    # Relisted, it sells again; the delisting delivered again (then a marker behind it on
    # the SKU's partition) stops nothing.
    await publishing.publish(platform, _change(delisted, listed=True))
    await eventually(lambda: stopped(platform, flash["id"], set()), within=30)
    assert (await reserve(delisted)).status_code == 201
    marker = _change(delisted, listed=True)
    await publishing.publish(platform, delisting, marker)
    await eventually(lambda: taken(platform, marker.id), within=30)
    assert await stopped(platform, flash["id"], set())
    assert (await reserve(delisted)).status_code == 201
