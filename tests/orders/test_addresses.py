"""Shipping addresses over HTTP: the order keeps the one it was placed with (a copy: address
book edits leave it), shown to its customer and to operators, never to another customer; the
address book (save, list, change, delete, one default, at most 20, also under concurrent
creates on PostgreSQL; a save retried with its `Idempotency-Key` saves once); checkout by
`address_id`, never another customer's; bad phones and fields named in a 422 with nothing
written."""

import asyncio

import pytest
from orders_catalog import address
from sqlalchemy import func, select

from chassis.ids import new_id
from services.orders.addresses import service as book
from services.orders.addresses.models import Address, AddressBook
from services.orders.addresses.schemas import MAX_ADDRESSES, AddressRequest

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
BOOK = "/api/v1/orders/addresses/me"
AS_STORED = {
    "recipient": "Mei Chen",
    "phone": "+8613800138000",
    "region": "CN-ZJ",
    "address_lines": ["88 Wensan Road", "Building 3, Unit 1201"],
    "postal_code": "310000",
}


def _fields(body: dict) -> list[str]:
    return [error["field"] for error in body["errors"]]


async def test_an_order_keeps_its_address_for_its_customer_and_operators_only(trade):
    sku = await trade.product()
    customer_id, client = await trade.customer()
    _, other = await trade.customer()
    _, operator_token = await trade.platform.staff("operator")
    async with client, other, trade.platform.client("orders", operator_token) as operator:
        order = await trade.place(client, sku, shipping_address=address())
        bare = await trade.place(client, sku)
        own = await client.get(f"{ORDERS}/{order['id']}")
        listed = await client.get(ORDERS)
        by_operator = await operator.get(f"{ORDERS}/{order['id']}")
        searched = await operator.get(f"{ORDERS}/search", params={"customer_id": customer_id})
        by_other = await other.get(f"{ORDERS}/{order['id']}")
        others_list = await other.get(ORDERS)

    assert order["shipping_address"] == AS_STORED  # the phone as E.164
    assert bare["shipping_address"] is None
    assert own.json()["shipping_address"] == AS_STORED
    assert [o["shipping_address"] for o in listed.json()["items"]] == [None, AS_STORED]
    assert by_operator.status_code == 200, by_operator.text
    assert by_operator.json()["shipping_address"] == AS_STORED
    assert searched.json()["items"][1]["shipping_address"] == AS_STORED
    assert by_other.status_code == 404
    assert "Mei" not in by_other.text
    assert "138" not in by_other.text
    assert others_list.json()["items"] == []


async def test_bad_addresses_are_refused_naming_the_field_and_nothing_is_written(trade):
    sku = await trade.product()
    _, client = await trade.customer()
    _, other = await trade.customer()
    lines = [{"sku_id": sku, "quantity": 1}]
    async with client, other:
        theirs = await other.post(BOOK, json=address("CN-BJ"))
        assert theirs.status_code == 201, theirs.text
        mine = await client.post(BOOK, json=address("CN-SH"))
        refused = {
            "landline": address(phone="0571-8888 8888"),
            "short": address(phone="+86"),
            "letters": address(phone="1380013800a"),
            "number": address(phone=13800138000),
            "no_recipient": address(recipient="  "),
            "no_lines": address(address_lines=[]),
            "four_lines": address(address_lines=["a", "b", "c", "d"]),
            "postal": address(postal_code="!!"),
            "region": address(region="Zhejiang"),
        }
        answers = {
            name: await client.post(ORDERS, json={"lines": lines, "shipping_address": body})
            for name, body in refused.items()
        }
        both = await client.post(
            ORDERS,
            json={
                "lines": lines,
                "shipping_address": address(),
                "address_id": mine.json()["id"],
            },
        )
        others = await client.post(ORDERS, json={"lines": lines, "address_id": theirs.json()["id"]})
        unknown = await client.post(ORDERS, json={"lines": lines, "address_id": str(new_id())})
        saved_bad = await client.post(BOOK, json=address(phone="12345"))
        international = await client.post(
            ORDERS, json={"lines": lines, "shipping_address": address(phone="+1 415 555 0123")}
        )
        placed = await client.get(ORDERS)

    fields = {name: _fields(answer.json()) for name, answer in answers.items()}
    assert fields == {
        "landline": ["body.shipping_address.phone"],
        "short": ["body.shipping_address.phone"],
        "letters": ["body.shipping_address.phone"],
        "number": ["body.shipping_address.phone"],
        "no_recipient": ["body.shipping_address.recipient"],
        "no_lines": ["body.shipping_address.address_lines"],
        "four_lines": ["body.shipping_address.address_lines"],
        "postal": ["body.shipping_address.postal_code"],
        "region": ["body.shipping_address.region"],
    }
    assert {a.status_code for a in answers.values()} == {422}
    for refusal in (both, others, unknown, saved_bad):
        assert refusal.status_code == 422, refusal.text
        assert refusal.headers["content-type"] == "application/problem+json"
    assert _fields(both.json()) == ["body.address_id"]
    assert _fields(others.json()) == ["body.address_id"]
    assert "CN-BJ" not in others.text
    assert _fields(unknown.json()) == ["body.address_id"]
    assert _fields(saved_bad.json()) == ["body.phone"]
    assert international.status_code == 201, international.text
    assert international.json()["shipping_address"]["phone"] == "+14155550123"
    # Only the international order was placed.
    assert [o["id"] for o in placed.json()["items"]] == [international.json()["id"]]


async def test_checkout_by_address_id_keeps_a_copy_that_book_edits_leave(trade):
    sku = await trade.product()
    _, client = await trade.customer()
    async with client:
        saved = (await client.post(BOOK, json=address("CN-GD"))).json()
        order = await trade.place(client, sku, address_id=saved["id"])
        changed = await client.put(
            f"{BOOK}/{saved['id']}", json=address("CN-BJ", recipient="Lei Wang")
        )
        removed = await client.delete(f"{BOOK}/{saved['id']}")
        later = await client.get(f"{ORDERS}/{order['id']}")

    assert order["shipping_address"] == AS_STORED | {"region": "CN-GD"}
    assert changed.status_code == 200, changed.text
    assert changed.json()["recipient"] == "Lei Wang"
    assert removed.status_code == 204
    assert later.json()["shipping_address"] == AS_STORED | {"region": "CN-GD"}


async def test_the_address_book_saves_lists_changes_deletes_and_keeps_one_default(trade):
    _, client = await trade.customer()
    _, other = await trade.customer()
    async with client, other:
        home = await client.post(BOOK, json=address("CN-ZJ"))
        office = await client.post(BOOK, json=address("CN-SH", postal_code=None))
        first_two = await client.get(BOOK)
        made_default = await client.put(
            f"{BOOK}/{office.json()['id']}", json=address("CN-SH", is_default=True)
        )
        after_switch = await client.get(BOOK)
        not_theirs_put = await other.put(f"{BOOK}/{home.json()['id']}", json=address())
        not_theirs_delete = await other.delete(f"{BOOK}/{home.json()['id']}")
        others_book = await other.get(BOOK)
        removed = await client.delete(f"{BOOK}/{office.json()['id']}")
        again = await client.delete(f"{BOOK}/{office.json()['id']}")
        after_delete = await client.get(BOOK)
        undefaulted = await client.put(
            f"{BOOK}/{home.json()['id']}", json=address("CN-ZJ", is_default=True)
        )
        unset = await client.put(
            f"{BOOK}/{home.json()['id']}", json=address("CN-ZJ", is_default=False)
        )

    assert home.status_code == 201, home.text
    assert home.json() | {"id": None, "created_at": None, "updated_at": None} == AS_STORED | {
        "id": None,
        "is_default": True,  # the first one
        "created_at": None,
        "updated_at": None,
    }
    assert office.json()["is_default"] is False
    assert [(a["region"], a["is_default"]) for a in first_two.json()] == [
        ("CN-ZJ", True),
        ("CN-SH", False),
    ]
    assert made_default.json()["is_default"] is True
    assert [(a["region"], a["is_default"]) for a in after_switch.json()] == [
        ("CN-ZJ", False),
        ("CN-SH", True),
    ]
    assert (not_theirs_put.status_code, not_theirs_delete.status_code) == (404, 404)
    assert others_book.json() == []
    assert (removed.status_code, again.status_code) == (204, 404)
    # The default deleted: none is the default until one is made so.
    assert [(a["region"], a["is_default"]) for a in after_delete.json()] == [("CN-ZJ", False)]
    assert undefaulted.json()["is_default"] is True
    assert unset.json()["is_default"] is False


async def test_the_address_book_holds_at_most_twenty(trade):
    _, client = await trade.customer()
    async with client:
        saved = [await client.post(BOOK, json=address()) for _ in range(MAX_ADDRESSES)]
        full = await client.post(BOOK, json=address())
        removed = await client.delete(f"{BOOK}/{saved[0].json()['id']}")
        room_again = await client.post(BOOK, json=address())
        full_again = await client.post(BOOK, json=address())
        listed = await client.get(BOOK)

    assert {s.status_code for s in saved} == {201}
    assert full.status_code == 409, full.text
    assert full.headers["content-type"] == "application/problem+json"
    assert removed.status_code == 204
    assert room_again.status_code == 201
    assert full_again.status_code == 409
    assert len(listed.json()) == MAX_ADDRESSES


async def test_a_retried_save_with_its_idempotency_key_saves_once(trade):
    _, client = await trade.customer()
    _, other = await trade.customer()
    key = {"Idempotency-Key": str(new_id())}
    async with client, other:
        first = await client.post(BOOK, json=address("CN-ZJ"), headers=key)
        retried = await client.post(BOOK, json=address("CN-ZJ"), headers=key)
        changed = await client.post(BOOK, json=address("CN-SH"), headers=key)
        theirs = await other.post(BOOK, json=address("CN-ZJ"), headers=key)
        listed = await client.get(BOOK)
        without = [await other.post(BOOK, json=address("CN-BJ")) for _ in range(2)]
        others = await other.get(BOOK)

    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    assert (retried.status_code, retried.json()) == (201, first.json())
    assert retried.headers["idempotent-replayed"] == "true"
    assert changed.status_code == 422, changed.text
    assert _fields(changed.json()) == ["header.Idempotency-Key"]
    assert [a["id"] for a in listed.json()] == [first.json()["id"]]  # saved once, CN-SH never
    # A key is the caller's: another customer's same key saves their own address.
    assert theirs.status_code == 201
    assert theirs.json()["id"] != first.json()["id"]
    # Without a key every save is a new address.
    assert {w.status_code for w in without} == {201}
    assert len(others.json()) == 3


async def test_concurrent_creates_never_overfill_the_book(orders_db):
    if orders_db.is_sqlite:
        pytest.skip("SQLite lets one writer at a time; the race is PostgreSQL's")
    customer_id = new_id()
    body = AddressRequest.model_validate(address())
    start = asyncio.Event()

    async def create() -> bool:
        await start.wait()
        async with orders_db.session() as session, session.begin():
            try:
                await book.create(session, customer_id, body)
            except book.AddressBookFull:
                return False
            return True

    tasks = [asyncio.create_task(create()) for _ in range(MAX_ADDRESSES + 15)]
    start.set()
    created = await asyncio.gather(*tasks)

    async with orders_db.session() as session:
        stored = await session.scalar(
            select(func.count()).select_from(Address).where(Address.customer_id == customer_id)
        )
        counted = await session.get(AddressBook, customer_id)
    assert sum(created) == stored == counted.size == MAX_ADDRESSES
    assert counted.default_address_id is not None
