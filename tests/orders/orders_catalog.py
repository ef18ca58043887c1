"""Catalog SKUs for the orders tests, told to the orders read model as catalog's events
would tell them (through `prices.service`, the operations its consumers call)."""

from uuid import UUID

from chassis.clock import now
from chassis.db import Database
from chassis.ids import new_id
from chassis.money import Money
from contracts.catalog import SkuPrice
from services.orders.prices import service as prices


async def offer_sku(db: Database, amount: int = 1999, currency: str = "CNY") -> UUID:
    """A listed product of one SKU at `amount`, told to the read model as a catalog event
    would tell it (through `prices.service`, the consumers' operations)."""
    sku = new_id()
    price = Money(amount=amount, currency=currency)
    async with db.session() as session, session.begin():
        await prices.describe(
            session,
            sku,
            name=f"Tea {sku.hex[-6:]}",
            state="listed",
            skus=[SkuPrice(sku_id=sku, code=f"P{sku.hex}", price=price)],
            at=now(),
        )
    return sku


def address(region: str = "CN-ZJ", **fields) -> dict:
    """A complete shipping address in `region`, as a checkout or the address book takes it."""
    return {
        "recipient": "Mei Chen",
        "phone": "138 0013 8000",
        "region": region,
        "address_lines": ["88 Wensan Road", "Building 3, Unit 1201"],
        "postal_code": "310000",
    } | fields
