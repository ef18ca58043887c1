"""The address book's operations: save, list, change, delete a customer's addresses (at most
MAX_ADDRESSES, one default), and the address a checkout names by id.

The limit is a counter on the customer's `address_books` row, raised by one guarded UPDATE
(`size < MAX`): concurrent creates queue on that row, so the book never holds more.
"""

from uuid import UUID

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.db import insert_if_absent
from chassis.http.problems import Conflict, InvalidInput, NotFound
from services.orders.addresses.models import Address, AddressBook
from services.orders.addresses.schemas import MAX_ADDRESSES, AddressOut, AddressRequest
from services.orders.privacy import service as privacy
from services.orders.shipping.schemas import ShippingAddress

FIELDS = ("recipient", "phone", "region", "address_lines", "postal_code")


class AddressBookFull(Conflict):
    def __init__(self) -> None:
        super().__init__(
            f"The address book holds at most {MAX_ADDRESSES} addresses; delete one first."
        )


async def create(session: AsyncSession, customer_id: UUID, body: AddressRequest) -> AddressOut:
    await privacy.refuse_erased(session, customer_id)
    await insert_if_absent(session, AddressBook.__table__, customer_id=customer_id, size=0)
    counted = await session.execute(
        update(AddressBook)
        .where(AddressBook.customer_id == customer_id, AddressBook.size < MAX_ADDRESSES)
        .values(size=AddressBook.size + 1)
        .returning(AddressBook.default_address_id)
    )
    if (row := counted.first()) is None:
        raise AddressBookFull()
    address = Address(customer_id=customer_id, **body.model_dump(include=set(FIELDS)))
    session.add(address)
    await session.flush()
    # The book's row is locked by the UPDATE above: the default is set without a race.
    default = row.default_address_id
    if body.is_default or (default is None and body.is_default is None):
        await _set_default(session, customer_id, address.id)
        default = address.id
    return _out(address, default)


async def book(session: AsyncSession, customer_id: UUID) -> list[AddressOut]:
    default = await session.scalar(
        select(AddressBook.default_address_id).where(AddressBook.customer_id == customer_id)
    )
    rows = await session.scalars(
        select(Address)
        .where(Address.customer_id == customer_id)
        .order_by(Address.created_at, Address.id)
    )
    return [_out(address, default) for address in rows]


async def change(
    session: AsyncSession, customer_id: UUID, address_id: UUID, body: AddressRequest
) -> AddressOut:
    """Replace the address (orders placed with it keep their own copy)."""
    await privacy.refuse_erased(session, customer_id)
    address = await _own(session, customer_id, address_id, lock=True)
    for name in FIELDS:
        setattr(address, name, getattr(body, name))
    if body.is_default:
        await _set_default(session, customer_id, address_id)
    elif body.is_default is False:
        await session.execute(
            update(AddressBook)
            .where(
                AddressBook.customer_id == customer_id,
                AddressBook.default_address_id == address_id,
            )
            .values(default_address_id=None)
        )
    await session.flush()
    default = await session.scalar(
        select(AddressBook.default_address_id).where(AddressBook.customer_id == customer_id)
    )
    return _out(address, default)


async def remove(session: AsyncSession, customer_id: UUID, address_id: UUID) -> None:
    deleted = await session.execute(
        delete(Address).where(Address.id == address_id, Address.customer_id == customer_id)
    )
    if deleted.rowcount != 1:  # not theirs, or deleted meanwhile: counted down once
        raise NotFound(f"No address {address_id}.")
    was_default = AddressBook.default_address_id == address_id
    await session.execute(
        update(AddressBook)
        .where(AddressBook.customer_id == customer_id)
        .values(
            size=AddressBook.size - 1,
            default_address_id=case((was_default, None), else_=AddressBook.default_address_id),
        )
    )


async def for_checkout(
    session: AsyncSession, customer_id: UUID, address_id: UUID
) -> ShippingAddress:
    """The customer's saved address as the order will keep it; another's, or none, is a 422
    naming `body.address_id` (it reveals nothing about its owner)."""
    address = await session.get(Address, address_id)
    if address is None or address.customer_id != customer_id:
        raise InvalidInput("body.address_id", f"no address {address_id} in your address book")
    return ShippingAddress.model_validate(address)


async def _own(
    session: AsyncSession, customer_id: UUID, address_id: UUID, *, lock: bool
) -> Address:
    query = select(Address).where(Address.id == address_id, Address.customer_id == customer_id)
    address = await session.scalar(query.with_for_update() if lock else query)
    if address is None:
        raise NotFound(f"No address {address_id}.")
    return address


async def _set_default(session: AsyncSession, customer_id: UUID, address_id: UUID) -> None:
    await session.execute(
        update(AddressBook)
        .where(AddressBook.customer_id == customer_id)
        .values(default_address_id=address_id)
    )


def _out(address: Address, default: UUID | None) -> AddressOut:
    return AddressOut(
        id=address.id,
        is_default=address.id == default,
        created_at=address.created_at,
        updated_at=address.updated_at,
        **{name: getattr(address, name) for name in FIELDS},
    )
