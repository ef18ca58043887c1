"""The order saga over the real broker: participants' replies (published here as catalog,
campaigns and users would) move the order to awaiting payment or cancel it with the reason;
redelivered replies change nothing; an unpaid order is cancelled when its window closes."""

from datetime import datetime, timedelta
from uuid import UUID

import pytest
from observe import event_about
from sqlalchemy import update

from chassis.clock import now
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.campaigns import CouponsLocked, CouponsRefused
from contracts.catalog import RejectedLine, StockLine, StockRejected, StockReserved
from contracts.users import PointsHeld, PointsRefused
from services.orders.checkout.models import Order

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
AWAITING = ("flywheel.orders.order", "flywheel.orders.order.awaiting_payment.v1")
CANCELLED = ("flywheel.orders.order", "flywheel.orders.order.cancelled.v1")


def _reserved(order: dict) -> StockReserved:
    return StockReserved(
        order_id=UUID(order["id"]),
        lines=[
            StockLine(sku_id=UUID(line["sku_id"]), quantity=line["quantity"])
            for line in order["lines"]
        ],
        expires_at=now() + timedelta(minutes=30),
    )


async def test_stock_reserved_puts_the_order_in_awaiting_payment_with_its_history(trade):
    sku = await trade.product(2500)
    customer_id, client = await trade.customer()
    async with client:
        order = await trade.place(client, sku, 2)
        assert order["status"] == "placed"
        await trade.reply(_reserved(order))

        awaiting = await trade.order_when(client, order["id"], "awaiting_payment")

    assert [(s["status"], s["cause"]) for s in awaiting["history"]] == [
        ("placed", "placed by the customer"),
        ("awaiting_payment", "stock reserved; every participant agreed"),
    ]
    event = await event_about(trade.bootstrap_servers, *AWAITING, order["id"])
    assert event["data"]["amount"] == {"amount": 5000, "currency": "CNY"}
    assert event["data"]["customer_id"] == customer_id
    expires = datetime.fromisoformat(event["data"]["expires_at"])
    assert expires == datetime.fromisoformat(awaiting["payment_expires_at"])
    # The window is the default 15 minutes from the moment every participant agreed.
    entered = datetime.fromisoformat(awaiting["history"][1]["at"])
    assert abs(expires - entered - timedelta(minutes=15)) < timedelta(seconds=5)


async def test_stock_rejected_cancels_the_order_naming_the_lines(trade):
    sku = await trade.product()
    _, client = await trade.customer()
    async with client:
        order = await trade.place(client, sku, 5)
        await trade.reply(
            StockRejected(
                order_id=UUID(order["id"]),
                lines=[RejectedLine(sku_id=UUID(sku), requested=5, available=2)],
            )
        )
        cancelled = await trade.order_when(client, order["id"], "cancelled")

    assert [s["status"] for s in cancelled["history"]] == ["placed", "cancelled"]
    assert cancelled["history"][-1]["cause"] == "stock rejected"
    event = await event_about(trade.bootstrap_servers, *CANCELLED, order["id"])
    assert event["data"]["reason"] == "stock_rejected"
    assert event["data"]["detail"] == f"{sku}: 5 requested, 2 available"
    assert [line["sku_id"] for line in event["data"]["lines"]] == [sku]


async def test_an_order_with_coupons_and_points_waits_for_every_participant(trade):
    sku = await trade.product()
    customer_id, client = await trade.customer()
    coupon = str(new_id())
    async with client:
        order = await trade.place(client, sku, coupon_ids=[coupon], points=300)
        order_id = UUID(order["id"])
        await trade.reply(_reserved(order))
        await trade.reply(
            CouponsLocked(order_id=order_id, customer_id=UUID(customer_id), coupon_ids=[coupon])
        )
        # Stock and coupons agreed, points have not answered: the order waits.
        await eventually(lambda: _answered(trade, order["id"], {"stock", "coupons"}))
        assert (await client.get(f"{ORDERS}/{order['id']}")).json()["status"] == "placed"
        assert await trade.staged(AWAITING[1], order["id"]) == []

        await trade.reply(PointsHeld(order_id=order_id, user_id=UUID(customer_id), points=300))
        awaiting = await trade.order_when(client, order["id"], "awaiting_payment")

    assert awaiting["history"][-1]["cause"] == "points held; every participant agreed"
    placed = await event_about(
        trade.bootstrap_servers,
        "flywheel.orders.order",
        "flywheel.orders.order.placed.v1",
        order["id"],
    )
    assert placed["data"]["points"] == 300
    assert placed["data"]["attribution"]["coupon_ids"] == [coupon]


async def _answered(trade, order_id: str, participants: set[str]) -> bool:
    return await trade.answered(order_id) == participants


@pytest.mark.parametrize(
    ("refusal", "reason", "detail"),
    [
        (
            lambda o, c: CouponsRefused(order_id=o, customer_id=c, coupon_ids=[], reason="expired"),
            "coupons_refused",
            "expired",
        ),
        (
            lambda o, c: PointsRefused(order_id=o, user_id=c, points=300, available=120),
            "points_refused",
            "300 points asked, 120 available",
        ),
    ],
)
async def test_a_refusal_after_stock_was_reserved_cancels_so_stock_is_released(
    trade, refusal, reason, detail
):
    sku = await trade.product()
    customer_id, client = await trade.customer()
    async with client:
        order = await trade.place(client, sku, coupon_ids=[str(new_id())], points=300)
        await trade.reply(_reserved(order))
        await trade.reply(refusal(UUID(order["id"]), UUID(customer_id)))
        await trade.order_when(client, order["id"], "cancelled")

    event = await event_about(trade.bootstrap_servers, *CANCELLED, order["id"])
    assert (event["data"]["reason"], event["data"]["detail"]) == (reason, detail)
    # What catalog reserved is in the event, so catalog knows what to release.
    assert [(line["sku_id"], line["quantity"]) for line in event["data"]["lines"]] == [(sku, 1)]


async def test_redelivered_and_repeated_replies_change_nothing(trade):
    sku = await trade.product()
    _, client = await trade.customer()
    async with client:
        order = await trade.place(client, sku)
        first = await trade.reply(_reserved(order))
        await trade.order_when(client, order["id"], "awaiting_payment")

        again = await trade.reply(_reserved(order), again=first)  # redelivered
        twice = await trade.reply(_reserved(order))  # the participant answered twice
        # A late refusal after the decision: the first answer of each participant stands.
        late = await trade.reply(
            StockRejected(
                order_id=UUID(order["id"]),
                lines=[RejectedLine(sku_id=UUID(sku), requested=1, available=0)],
            )
        )
        for reply in (twice, late):
            await eventually(lambda reply=reply: trade.applied(reply))
        final = (await client.get(f"{ORDERS}/{order['id']}")).json()

    assert again.id == first.id
    assert final["status"] == "awaiting_payment"
    assert [s["status"] for s in final["history"]] == ["placed", "awaiting_payment"]
    assert len(await trade.staged(AWAITING[1], order["id"])) == 1
    assert await trade.staged(CANCELLED[1], order["id"]) == []


async def test_an_unpaid_order_is_cancelled_when_its_payment_window_closes(trade):
    sku = await trade.product()
    _, client = await trade.customer()
    async with client:
        order = await trade.place(client, sku)
        unpaid_placed = await trade.place(client, sku)  # never answered: it waits, untouched
        await trade.reply(_reserved(order))
        await trade.order_when(client, order["id"], "awaiting_payment")
        # The window closes: moved into the past rather than waited for (15 minutes).
        async with trade.db.session() as session, session.begin():
            await session.execute(
                update(Order)
                .where(Order.id == UUID(order["id"]))
                .values(payment_expires_at=now() - timedelta(seconds=1))
            )
        cancelled = await trade.order_when(client, order["id"], "cancelled")
        waiting = (await client.get(f"{ORDERS}/{unpaid_placed['id']}")).json()

    assert cancelled["history"][-1]["cause"] == "unpaid when its payment window closed"
    event = await event_about(trade.bootstrap_servers, *CANCELLED, order["id"])
    assert event["data"]["reason"] == "payment_timeout"
    assert len(await trade.staged(CANCELLED[1], order["id"])) == 1
    assert waiting["status"] == "placed"
