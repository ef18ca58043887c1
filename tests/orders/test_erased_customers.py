"""Users' `user.erased` through the real broker: orders scrubs the customer's cart, tier,
address book, after-sales texts and their orders' addresses (all but the region), keeps
their orders, payments and refunds (anonymous), applies it once, refuses the erased
customer's still-valid token at checkout, cart, address book and after-sales, keeps no tier
for them again, and leaves every other customer as they were. On PostgreSQL, cart lines
put while the erasure runs are refused or scrubbed, never left."""

import asyncio
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from uuid import UUID

import pytest
from orders_catalog import address, offer_sku
from sqlalchemy import func, select

from chassis.clock import now
from chassis.db import Database
from chassis.events.tables import idempotency_keys, outbox
from chassis.ids import new_id
from chassis.testing import eventually
from contracts.users import Tier, TierChanged, TierReason, UserErased
from services.orders.addresses import service as addresses
from services.orders.addresses.models import Address, AddressBook
from services.orders.addresses.schemas import AddressRequest
from services.orders.aftersales.models import AfterSale
from services.orders.carts import service as carts
from services.orders.carts.models import CartLine
from services.orders.carts.service import CartOwner
from services.orders.checkout.models import Order
from services.orders.members.models import MemberTier
from services.orders.payments.models import Payment
from services.orders.privacy import service as privacy
from services.orders.privacy.models import ErasedCustomer
from services.orders.refunds.models import Refund

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
AFTERSALES = "/api/v1/orders/aftersales"
CART = "/api/v1/orders/carts/me/items"
BOOK = "/api/v1/orders/addresses/me"
PHOTO = "https://img.example.com/my-kitchen.jpg"
REASON = "cracked; call Mei Chen at +86 138 0000 0000"


def _tier(user_id: str, to: Tier, at) -> TierChanged:
    return TierChanged(
        user_id=UUID(user_id),
        from_tier=Tier.REGULAR,
        to_tier=to,
        reason=TierReason.UPGRADE,
        spend_12m=100_000,
        review_at=None,
        changed_at=at,
    )


def _erased(user_id: str, at=None) -> UserErased:
    return UserErased(user_id=UUID(user_id), erased_at=at or now())


async def _shopper(trade, operator) -> dict:
    """A customer with a paid order, an approved refund-only request (asked with an
    Idempotency-Key), a line in their cart and a gold tier: their ids, client and rows."""
    user_id, client = await trade.customer()
    order = await trade.paid_lines(client, (1000, 2), (500, 1))
    asked = await client.post(
        f"{ORDERS}/{order['id']}/aftersales",
        json={
            "kind": "refund_only",
            "reason": REASON,
            "lines": [{"line_no": 0, "quantity": 1}],
            "photo_urls": [PHOTO],
        },
        headers={"Idempotency-Key": new_id().hex},
    )
    assert asked.status_code == 201, asked.text
    approved = await operator.post(
        f"{AFTERSALES}/{asked.json()['id']}/approve", json={"note": "Mei was called back"}
    )
    assert approved.status_code == 200, approved.text
    sku = await trade.product(700)
    carted = await client.put(f"{CART}/{sku}", json={"quantity": 2})
    assert carted.status_code == 200, carted.text
    tier = await trade.reply(_tier(user_id, Tier.GOLD, now()))
    await eventually(lambda: trade.applied(tier))

    async def published() -> bool:  # the request's events, with its reason, sent
        async with trade.db.session() as session:
            sent = select(outbox.c.published_at).where(outbox.c.key == asked.json()["id"])
            return all(await session.scalars(sent))

    await eventually(published)
    return {"id": user_id, "client": client, "order": order, "aftersale": asked.json()["id"]}


async def _kept(trade, user_id: str) -> dict:
    """What the orders database holds about the customer."""
    uid = UUID(user_id)
    async with trade.db.session() as session:
        aftersales = list(
            await session.scalars(select(AfterSale).where(AfterSale.customer_id == uid))
        )
        orders = list(await session.scalars(select(Order).where(Order.customer_id == uid)))
        order_ids = [o.id for o in orders]
        refunds = list(await session.scalars(select(Refund).where(Refund.order_id.in_(order_ids))))
        payments = list(
            await session.scalars(select(Payment).where(Payment.order_id.in_(order_ids)))
        )
        keys = await session.scalar(
            select(func.count())
            .select_from(idempotency_keys)
            .where(idempotency_keys.c.caller == user_id)
        )
        aftersale_events = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.key.in_([str(a.id) for a in aftersales]))
        )
        return {
            "addresses": list(
                await session.scalars(select(Address.region).where(Address.customer_id == uid))
            ),
            "address_book": await session.get(AddressBook, uid) is not None,
            "order_addresses": [o.shipping_address for o in orders],
            "aftersale_events": aftersale_events,
            "cart": list(
                await session.scalars(select(CartLine.sku_id).where(CartLine.owner_id == uid))
            ),
            "tier": await session.scalar(select(MemberTier.tier).where(MemberTier.user_id == uid)),
            "aftersales": [
                (a.reason, a.photo_urls, a.decision_note, [s.cause for s in a.history])
                for a in aftersales
            ],
            "orders": [
                (
                    o.id,
                    o.status,
                    o.total_amount,
                    [(li.paid_amount, li.claimed_refund) for li in o.lines],
                )
                for o in orders
            ],
            "refunds": [(r.amount_minor, r.reason) for r in refunds],
            "payments": [(p.amount_minor, p.status) for p in payments],
            "idempotency_keys": keys,
            "erased_at": await session.scalar(
                select(ErasedCustomer.erased_at).where(ErasedCustomer.user_id == uid)
            ),
        }


async def test_an_erased_customer_is_scrubbed_once_and_their_ledger_stays(trade):
    _, operator_token = await trade.platform.staff("operator")
    async with trade.platform.client("orders", operator_token) as operator:
        mei = await _shopper(trade, operator)
        other = await _shopper(trade, operator)
    before, others_before = await _kept(trade, mei["id"]), await _kept(trade, other["id"])
    assert before["cart"]
    assert (before["tier"], before["idempotency_keys"], before["aftersale_events"]) == (
        "gold",
        1,
        2,
    )
    assert before["refunds"][0][1].endswith(REASON)

    erasure = await trade.reply(_erased(mei["id"]))
    await eventually(lambda: trade.applied(erasure))
    after = await _kept(trade, mei["id"])

    assert (after["cart"], after["tier"], after["idempotency_keys"]) == ([], None, 0)
    assert after["aftersale_events"] == 0  # their published copies in the outbox
    assert after["aftersales"] == [("", [], None, [privacy.ERASED_CAUSE] * 3)]
    assert after["refunds"] == [(1000, f"after-sales {mei['aftersale']}")]
    # The ledger stays, whole: every order, line, payment and refund amount as it was.
    assert (after["orders"], after["payments"]) == (before["orders"], before["payments"])
    assert after["erased_at"] is not None
    # Another customer is untouched.
    assert await _kept(trade, other["id"]) == others_before

    # The same event again, and another erasure of the same customer: nothing changes.
    again = await trade.reply(_erased(mei["id"]), again=erasure)
    later = await trade.reply(_erased(mei["id"], now() + timedelta(minutes=1)))
    await eventually(lambda: trade.applied(later))
    assert await trade.applied(again)
    assert await _kept(trade, mei["id"]) == after

    # A tier change for them after the erasure keeps no tier again.
    tier = await trade.reply(_tier(mei["id"], Tier.PLATINUM, now()))
    await eventually(lambda: trade.applied(tier))
    assert (await _kept(trade, mei["id"]))["tier"] is None

    await mei["client"].aclose()
    await other["client"].aclose()


async def test_an_erased_customers_valid_token_cannot_order_fill_a_cart_or_ask_back(trade):
    user_id, client = await trade.customer()
    _, other = await trade.customer()
    sku = await trade.product(900)
    async with client, other:
        order = await trade.paid(client, 1200)
        erasure = await trade.reply(_erased(user_id))
        await eventually(lambda: trade.applied(erasure))
        before = await _kept(trade, user_id)

        ordered = await client.post(
            ORDERS,
            json={
                "lines": [{"sku_id": sku, "quantity": 1}],
                "shipping_address": address("CN-ZJ"),
            },
            headers={"Idempotency-Key": new_id().hex},
        )
        carted = await client.put(f"{CART}/{sku}", json={"quantity": 1})
        saved = await client.post(BOOK, json=address())
        asked = await client.post(
            f"{ORDERS}/{order['id']}/aftersales",
            json={
                "kind": "refund_only",
                "reason": REASON,
                "lines": [{"line_no": 0, "quantity": 1}],
            },
        )
        read = await client.get(f"{ORDERS}/{order['id']}")
        others = await other.put(f"{CART}/{sku}", json={"quantity": 1})

    for refused in (ordered, carted, asked, saved):
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "erased" in refused.json()["detail"]
    assert await _kept(trade, user_id) == before  # nothing written
    assert read.status_code == 200  # their anonymous order is still theirs to read
    assert others.status_code == 200


async def test_an_erasure_deletes_the_address_book_and_keeps_only_the_region_on_orders(trade):
    sku = await trade.product(900)
    _, operator_token = await trade.platform.staff("operator")
    mei_id, mei = await trade.customer()
    other_id, other = await trade.customer()
    async with mei, other, trade.platform.client("orders", operator_token) as operator:
        placed = {}
        for client in (mei, other):
            saved = (await client.post(BOOK, json=address("CN-GD"))).json()
            assert (await client.post(BOOK, json=address("CN-SH"))).status_code == 201
            by_id = await trade.place(client, sku, address_id=saved["id"])
            given = await trade.place(client, sku, shipping_address=address("CN-ZJ"))
            bare = await trade.place(client, sku)
            placed[client] = [by_id["id"], given["id"], bare["id"]]
        before, others_before = await _kept(trade, mei_id), await _kept(trade, other_id)
        assert (before["addresses"], before["address_book"]) == (["CN-GD", "CN-SH"], True)

        erasure = await trade.reply(_erased(mei_id))
        await eventually(lambda: trade.applied(erasure))
        after = await _kept(trade, mei_id)
        own = [(await mei.get(f"{ORDERS}/{i}")).json() for i in placed[mei]]
        staff = [(await operator.get(f"{ORDERS}/{i}")).json() for i in placed[mei]]
        book = await mei.get(BOOK)
        others_book = await other.get(BOOK)

        again = await trade.reply(_erased(mei_id), again=erasure)
        await eventually(lambda: trade.applied(again))

    blank = {"recipient": "", "phone": "", "address_lines": [], "postal_code": None}
    expected = [blank | {"region": "CN-GD"}, blank | {"region": "CN-ZJ"}, None]
    assert (after["addresses"], after["address_book"]) == ([], False)
    assert sorted(after["order_addresses"], key=str) == sorted(expected, key=str)
    assert [o["shipping_address"] for o in own] == expected
    assert [o["shipping_address"] for o in staff] == expected
    assert book.json() == []
    # The ledger stays; the other customer keeps their book and their orders' addresses.
    assert after["orders"] == before["orders"]
    assert await _kept(trade, other_id) == others_before
    assert len(others_book.json()) == 2
    assert await _kept(trade, mei_id) == after


async def _race(db: Database, user_id: UUID, writes: list[Callable]) -> None:
    """Run every write (of one customer's data; given a session) at once while the customer
    is erased."""
    start = asyncio.Event()

    async def write(one: Callable) -> None:
        await start.wait()
        async with db.session() as session, session.begin():
            try:
                await one(session)
            except privacy.CustomerErased:
                return

    async def erase() -> None:
        await start.wait()
        await asyncio.sleep(0.01)
        async with db.session() as session, session.begin():
            assert await privacy.erase(session, user_id, now())

    tasks = [asyncio.create_task(write(one)) for one in writes]
    erasing = asyncio.create_task(erase())
    start.set()
    await asyncio.gather(*tasks, erasing)


async def test_cart_lines_put_while_the_erasure_runs_are_refused_or_scrubbed(orders_db):
    if orders_db.is_sqlite:
        pytest.skip("SQLite lets one writer at a time; the race is PostgreSQL's")
    skus = [await offer_sku(orders_db, 100) for _ in range(20)]
    for _ in range(5):
        user_id = new_id()
        puts = [
            partial(carts.put_item, owner=CartOwner.customer(user_id), sku_id=s, quantity=1)
            for s in skus
        ]
        await _race(orders_db, user_id, puts)
        async with orders_db.session() as session:
            left = await session.scalar(
                select(func.count()).select_from(CartLine).where(CartLine.owner_id == user_id)
            )
        assert left == 0


async def test_addresses_saved_while_the_erasure_runs_are_refused_or_scrubbed(orders_db):
    if orders_db.is_sqlite:
        pytest.skip("SQLite lets one writer at a time; the race is PostgreSQL's")
    body = AddressRequest.model_validate(address())
    for _ in range(5):
        user_id = new_id()
        saves = [partial(addresses.create, customer_id=user_id, body=body)] * 20
        await _race(orders_db, user_id, saves)
        async with orders_db.session() as session:
            left = await session.scalar(
                select(func.count()).select_from(Address).where(Address.customer_id == user_id)
            )
            book = await session.get(AddressBook, user_id)
        assert (left, book) == (0, None)
