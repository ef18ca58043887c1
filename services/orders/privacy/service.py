"""Erasure: what orders keeps about a customer that users erased is scrubbed once, their
ledger stays (anonymous), and nothing personal is stored for them again.

What goes and what stays, field by field, is in docs/orders.md ("Privacy: erased customers").
An erasure and a write for the same customer (checkout, a cart line, an after-sales request,
a tier change) are serialized on PostgreSQL by a transaction-level advisory lock keyed by the
customer: the writer holds it shared while it checks the marker and writes, the erasure
exclusively while it writes the marker and scrubs, so a write either sees the marker or is
committed before the scrub reads. SQLite (development) has one writer at a time.
"""

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_if_absent, lock_until_commit
from chassis.events.tables import idempotency_keys, outbox
from chassis.http.problems import Forbidden
from services.orders.addresses.models import Address, AddressBook
from services.orders.aftersales.models import AfterSale, AfterSaleStep
from services.orders.carts.models import CartLine
from services.orders.checkout.models import Order
from services.orders.members.models import MemberTier
from services.orders.privacy.models import ErasedCustomer
from services.orders.refunds.models import Refund

# The advisory locks' first key (int4): erasures of customers; the second is the customer's.
ERASURES = 0x0E7A5E
ERASED_CAUSE = "details erased with the customer's personal data"


class CustomerErased(Forbidden):
    def __init__(self, user_id: UUID) -> None:
        super().__init__(
            f"The account {user_id} was erased: it can no longer order, fill a cart or ask "
            "for after-sales."
        )


async def is_erased(session: AsyncSession, user_id: UUID) -> bool:
    """Whether the customer was erased; holds the erasure off (PostgreSQL) until the caller's
    transaction ends, so what the caller writes next is scrubbed or refused, never left."""
    await lock_until_commit(session, ERASURES, user_id, shared=True)
    return bool(await session.scalar(select(exists().where(ErasedCustomer.user_id == user_id))))


async def refuse_erased(session: AsyncSession, user_id: UUID) -> None:
    """A 403 for an erased customer (their access token lives on until it expires)."""
    if await is_erased(session, user_id):
        raise CustomerErased(user_id)


async def erase(session: AsyncSession, user_id: UUID, erased_at: datetime) -> bool:
    """Mark the customer erased and scrub what orders keeps about them; False (and nothing
    done) if they were already."""
    await lock_until_commit(session, ERASURES, user_id)
    if not await insert_if_absent(
        session, ErasedCustomer.__table__, user_id=user_id, erased_at=erased_at
    ):
        return False
    await session.execute(delete(CartLine).where(CartLine.owner_id == user_id))
    await session.execute(delete(Address).where(Address.customer_id == user_id))
    await session.execute(delete(AddressBook).where(AddressBook.customer_id == user_id))
    # Their orders' addresses, but the region (freight and tax statistics need no more).
    await session.execute(
        update(Order)
        .where(Order.customer_id == user_id, Order.ship_region.is_not(None))
        .values(ship_recipient="", ship_phone="", ship_address_lines=[], ship_postal_code=None)
    )
    await session.execute(delete(MemberTier).where(MemberTier.user_id == user_id))
    theirs = select(AfterSale.id).where(AfterSale.customer_id == user_id)
    aftersale_ids = [str(aftersale_id) for aftersale_id in await session.scalars(theirs)]
    await session.execute(
        update(AfterSale)
        .where(AfterSale.customer_id == user_id)
        .values(reason="", photo_urls=[], decision_note=None)
    )
    await session.execute(
        update(AfterSaleStep)
        .where(AfterSaleStep.aftersale_id.in_(theirs))
        .values(cause=ERASED_CAUSE)
    )
    # An after-sales refund's reason quotes the customer's; an operator's refund keeps its own.
    refunds = await session.scalars(select(Refund).where(Refund.aftersale_id.in_(theirs)))
    for refund in refunds:
        refund.reason = f"after-sales {refund.aftersale_id}"
    # Responses stored for their retried commands (an after-sales request, with its reason).
    keys = idempotency_keys
    await session.execute(delete(keys).where(keys.c.caller == str(user_id)))
    # Their after-sales events (reason, photos, notes) already published: the outbox's copy,
    # which the hourly prune would delete within days. Unpublished ones still go out.
    await session.execute(
        delete(outbox).where(outbox.c.key.in_(aftersale_ids), outbox.c.published_at.is_not(None))
    )
    return True
