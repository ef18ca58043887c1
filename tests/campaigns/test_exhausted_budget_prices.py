"""An exhausted budget stops its campaign's prices: the quote (over HTTP, the service on
SQLite and on PostgreSQL) prices a SKU at another running campaign's price once a charge
did not fit the budget, or once the budget is spent to the last unit, and at the campaign's
price again after a release makes room. The saga prices an order's coupons the same way,
and charges a gap to the campaign whose price the order was charged."""

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from saga_events import apply_step, cancelled, claimed_coupon, cny, placed
from sqlalchemy import select

from chassis.db import Database
from chassis.events.tables import outbox
from chassis.ids import new_id
from chassis.testing import ServiceServer, eventually
from contracts.orders import Attribution, OrderLine
from services.campaigns.app import create_app
from services.campaigns.budgets.models import Budget
from services.campaigns.checkout import consumers, saga
from services.campaigns.coupons.models import Coupon
from services.campaigns.coupons.pricing import CouponStatus
from services.campaigns.settings import Settings

pytestmark = pytest.mark.asyncio

CAMPAIGNS = "/api/v1/campaigns/campaigns"
TEA_LIST = 320_00
COUPONS_REFUSED = "flywheel.campaigns.coupons.refused.v1"


@pytest.fixture
async def campaigns(platform, database_url):
    """The campaigns service on its own database (both backends), its consumers off: the
    handlers are given the order events directly, in transactions of their own."""
    settings = Settings(
        database_url=database_url("campaigns"),
        kafka_enabled=False,
        jwks_url=f"{platform.servers['users'].url}/api/v1/users/.well-known/jwks.json",
        calendar_tick_seconds=0.2,
    )
    server = await ServiceServer(create_app(settings)).start()
    db = Database(settings.database_url, service="campaigns")
    yield server, db
    await db.dispose()
    await server.stop()


async def _running_campaign(staff, tea: str, price: int, budget: int | None, **extra) -> str:
    start = datetime.now(UTC) - timedelta(minutes=1)
    body = {
        "name": "双十二 sale",
        "kind": "holiday_sale",
        "time_zone": "UTC",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=1)).isoformat(),
        "sku_ids": [tea],
    }
    if budget is not None:
        body["budget"] = {"amount": budget, "currency": "CNY"}
    created = await staff.post(CAMPAIGNS, json=body)
    assert created.status_code == 201, created.text
    campaign = created.json()["id"]
    prices = {"prices": [{"sku_id": tea, "price": {"amount": price, "currency": "CNY"}}]}
    assert (await staff.put(f"{CAMPAIGNS}/{campaign}/prices", json=prices)).is_success
    scheduled = await staff.post(f"{CAMPAIGNS}/{campaign}/schedule", json=extra)
    assert scheduled.is_success, scheduled.text

    async def running() -> bool:
        return (await staff.get(f"{CAMPAIGNS}/{campaign}")).json()["state"] == "running"

    assert await eventually(running, within=30)
    return campaign


def _order(customer, tea, campaign_id: str, teas: int, unit_price: int):
    """`teas` teas at `unit_price`, as orders places them after the quote named the campaign."""
    line = OrderLine(
        sku_id=tea,
        quantity=teas,
        list_price=cny(TEA_LIST),
        unit_price=cny(unit_price),
        paid=cny(unit_price * teas),
    )
    order = placed(customer, [], line)
    return order.model_copy(update={"attribution": Attribution(campaign_ids=[campaign_id])})


async def _consume(db, handler, event) -> None:
    async with db.session() as session, session.begin():
        await handler(event, session)


async def test_an_exhausted_budget_stops_its_campaigns_prices_until_a_release_makes_room(
    platform, operator_token, campaigns
):
    server, db = campaigns
    tea = new_id()
    headers = {"Authorization": f"Bearer {operator_token}"}
    async with httpx.AsyncClient(base_url=server.url, timeout=10, headers=headers) as staff:
        # ¥40 off each tea, within ¥120; beside it an unbudgeted sale at ¥300.
        sale = await _running_campaign(staff, str(tea), 280_00, budget=120_00)
        other = await _running_campaign(
            staff, str(tea), 300_00, budget=None, override_reason="the fallback price"
        )
    _, token = await platform.customer()

    async def quoted() -> tuple[str | None, int]:
        cart = {
            "lines": [{"sku_id": str(tea), "unit_price": cny(TEA_LIST).model_dump(), "quantity": 1}]
        }
        async with httpx.AsyncClient(
            base_url=server.url, timeout=10, headers={"Authorization": f"Bearer {token}"}
        ) as customer:
            response = await customer.post(
                "/api/v1/campaigns/quote", json=cart | {"coupon_ids": []}
            )
        assert response.status_code == 200, response.text
        (line,) = response.json()["lines"]
        return line["campaign_id"], line["unit_price"]["amount"]

    async def spent() -> tuple[int, bool]:
        async with db.session() as session:
            budget = await session.get(Budget, UUID(sale))
            return budget.spent, budget.exhausted_at is not None

    assert await quoted() == (sale, 280_00)
    first = _order(new_id(), tea, sale, 2, 280_00)
    await _consume(db, consumers.on_order_placed, first)  # ¥80 of ¥120: room left
    assert await spent() == (80_00, False)
    assert await quoted() == (sale, 280_00)

    second = _order(new_id(), tea, sale, 2, 280_00)  # quoted before: ¥80 more does not fit
    await _consume(db, consumers.on_order_placed, second)
    assert await spent() == (80_00, True)
    assert await quoted() == (other, 300_00)  # the other campaign's price, not the exhausted one's

    await _consume(db, consumers.on_order_cancelled, cancelled(first))  # a release: room again
    assert await spent() == (0, False)
    assert await quoted() == (sale, 280_00)

    third = _order(new_id(), tea, sale, 3, 280_00)  # ¥120: the budget spent to the last unit
    await _consume(db, consumers.on_order_placed, third)
    assert await spent() == (120_00, False)
    assert await quoted() == (other, 300_00)
    await _consume(db, consumers.on_order_cancelled, cancelled(third))
    assert await quoted() == (sale, 280_00)


async def test_the_saga_prices_coupons_as_the_quote_did_past_an_exhausted_budget(
    platform, operator_token, campaigns
):
    """A ¥320 tea, its sale price ¥280 stopped by the exhausted budget: the quote priced the
    order at ¥320, where ¥40 off ¥300 applies; the saga's lock does not reprice it at ¥280
    (below the threshold) and locks the coupon."""
    server, db = campaigns
    tea = new_id()
    headers = {"Authorization": f"Bearer {operator_token}"}
    async with httpx.AsyncClient(base_url=server.url, timeout=10, headers=headers) as staff:
        sale = await _running_campaign(staff, str(tea), 280_00, budget=40_00)
    await _consume(db, consumers.on_order_placed, _order(new_id(), tea, sale, 1, 280_00))
    holder = new_id()
    coupon = await claimed_coupon(db, holder)  # ¥40 off ¥300, no campaign's
    order = placed(holder, [coupon.id], _order(holder, tea, sale, 1, TEA_LIST).lines[0])
    assert await apply_step(db, saga.lock, order)
    async with db.session() as session:
        locked = await session.get(Coupon, coupon.id)
        assert (locked.status, locked.discount) == (CouponStatus.LOCKED, 40_00)

    # An order quoted at the sale price before the budget ran out is charged to it: ¥40 does
    # not fit the spent budget, so the order is refused rather than sold at a price unpaid.
    other = await claimed_coupon(db, holder, kind="fixed", amount_off=1_00, threshold=0)
    late = _order(holder, tea, sale, 1, 280_00)
    late = late.model_copy(
        update={"attribution": Attribution(campaign_ids=[sale], coupon_ids=[other.id])}
    )
    assert await apply_step(db, saga.lock, late) is False
    async with db.session() as session:
        refused = await session.scalar(
            select(outbox.c.payload).where(outbox.c.type == COUPONS_REFUSED)
        )
    assert json.loads(refused)["data"]["reason"] == f"the budget of campaign {sale} is spent"
