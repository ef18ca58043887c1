"""After-sales over HTTP: a customer asks for lines of their own order back (refund only, or
return and refund) within the window; an operator approves or rejects; a return is refunded
once the goods are received back; each refund goes through the provider and is published
with its lines and amounts; bad requests are refused naming the field."""

from datetime import timedelta
from uuid import UUID

import pytest
from sqlalchemy import update

from chassis.clock import now
from chassis.ids import new_id
from services.orders.checkout.models import Order

pytestmark = pytest.mark.asyncio

ORDERS = "/api/v1/orders/orders"
AFTERSALES = "/api/v1/orders/aftersales"
REQUESTED = "flywheel.orders.aftersale.requested.v1"
APPROVED = "flywheel.orders.aftersale.approved.v1"
REJECTED = "flywheel.orders.aftersale.rejected.v1"
WITHDRAWN = "flywheel.orders.aftersale.withdrawn.v1"
REFUNDED = "flywheel.orders.refund.completed.v1"
PARCEL = {"carrier": "SF Express", "tracking_number": "SF1234567890"}
PHOTO = "https://img.example.com/crack.jpg"


def _cny(amount: int) -> dict:
    return {"amount": amount, "currency": "CNY"}


def _ask(kind: str, *lines: tuple[int, int], reason: str = "cracked", **extra) -> dict:
    return {
        "kind": kind,
        "reason": reason,
        "lines": [{"line_no": n, "quantity": q} for n, q in lines],
        **extra,
    }


async def _operator(trade):
    _, token = await trade.platform.staff("operator")
    return trade.platform.client("orders", token)


async def _delivered(trade, client, operator, *lines) -> dict:
    order = await trade.paid_lines(client, *lines)
    shipped = await operator.post(f"{ORDERS}/{order['id']}/shipments", json=PARCEL)
    assert shipped.status_code == 201, shipped.text
    received = await client.post(f"{ORDERS}/{order['id']}/receipt")
    assert received.json()["status"] == "delivered"
    return received.json()


def _provider(trade):
    return trade.platform.servers["orders"].app.state.payment_provider


async def test_a_refund_only_is_refunded_when_an_operator_approves_it(trade):
    customer_id, client = await trade.customer()
    _, someone_else = await trade.customer()
    async with client, someone_else, await _operator(trade) as operator:
        order = await trade.paid_lines(client, (1000, 3), (500, 1))
        asked = await client.post(
            f"{ORDERS}/{order['id']}/aftersales",
            json=_ask("refund_only", (0, 1), photo_urls=[PHOTO]),
        )
        aftersale = asked.json()
        theirs = await someone_else.get(f"{AFTERSALES}/{aftersale['id']}")
        mine = (await client.get(AFTERSALES)).json()
        by_customer = await client.post(f"{AFTERSALES}/{aftersale['id']}/approve", json={})
        approved = await operator.post(
            f"{AFTERSALES}/{aftersale['id']}/approve", json={"note": "sorry"}
        )
        twice = await operator.post(f"{AFTERSALES}/{aftersale['id']}/approve", json={})
        refunds = (await client.get(f"{ORDERS}/{order['id']}/refunds")).json()

    assert asked.status_code == 201
    assert asked.headers["Location"] == f"{AFTERSALES}/{aftersale['id']}"
    assert (aftersale["status"], aftersale["amount"], aftersale["photo_urls"]) == (
        "requested",
        _cny(1000),
        [PHOTO],
    )
    assert aftersale["lines"] == [
        {"line_no": 0, "sku_id": order["lines"][0]["sku_id"], "quantity": 1, "amount": _cny(1000)}
    ]
    assert theirs.status_code == 404
    assert [a["id"] for a in mine["items"]] == [aftersale["id"]]
    assert by_customer.status_code == 403
    assert approved.status_code == 200
    assert [(s["status"], s["cause"]) for s in approved.json()["history"]] == [
        ("requested", "asked: cracked"),
        ("approved", "approved: sorry"),
        ("refunded", f"refunded ({approved.json()['refund_id']})"),
    ]
    assert twice.status_code == 409
    assert twice.json()["current"] == "refunded"

    (refund,) = refunds
    assert refund["id"] == approved.json()["refund_id"]
    assert (refund["amount"], refund["status"], refund["restock"]) == (
        _cny(1000),
        "succeeded",
        False,
    )
    assert _provider(trade).refunds[UUID(refund["id"])][1].amount == 1000
    (requested,) = await trade.staged(REQUESTED, aftersale["id"])
    assert requested["data"]["kind"] == "refund_only"
    assert requested["data"]["customer_id"] == customer_id
    (approval,) = await trade.staged(APPROVED, aftersale["id"])
    assert approval["data"]["note"] == "sorry"
    (completed,) = await trade.staged(REFUNDED, order["id"])
    assert completed["data"]["aftersale_id"] == aftersale["id"]
    assert completed["data"]["amount"] == _cny(1000)
    assert completed["data"]["lines"] == [
        {
            "line_no": 0,
            "sku_id": order["lines"][0]["sku_id"],
            "quantity": 0,
            "amount": _cny(1000),
        }
    ]


async def test_a_return_is_refunded_only_once_the_goods_are_received_back(trade):
    _, client = await trade.customer()
    async with client, await _operator(trade) as operator:
        order = await _delivered(trade, client, operator, (999, 2))
        asked = await client.post(
            f"{ORDERS}/{order['id']}/aftersales", json=_ask("return_and_refund", (0, 2))
        )
        aftersale_id = asked.json()["id"]
        approved = await operator.post(f"{AFTERSALES}/{aftersale_id}/approve", json={})
        waiting = await trade.staged(REFUNDED, order["id"])
        by_customer = await client.post(
            f"{AFTERSALES}/{aftersale_id}/receipt", json={"resaleable": True}
        )
        not_a_bool = await operator.post(
            f"{AFTERSALES}/{aftersale_id}/receipt", json={"resaleable": "yes"}
        )
        received = await operator.post(
            f"{AFTERSALES}/{aftersale_id}/receipt", json={"resaleable": True, "note": "sealed"}
        )
        again = await operator.post(
            f"{AFTERSALES}/{aftersale_id}/receipt", json={"resaleable": True}
        )

    assert asked.json()["amount"] == _cny(1998)
    assert approved.json()["status"] == "approved"
    assert approved.json()["refund_id"] is None
    assert waiting == []
    assert by_customer.status_code == 403
    assert not_a_bool.json()["errors"][0]["field"] == "body.resaleable"
    assert received.json()["status"] == "refunded"
    assert received.json()["resaleable"] is True
    assert [s["cause"] for s in received.json()["history"]][2] == (
        "goods received back, resaleable: sealed"
    )
    assert again.status_code == 409
    (completed,) = await trade.staged(REFUNDED, order["id"])
    assert completed["data"]["restock"] is True
    assert [(line["quantity"], line["amount"]) for line in completed["data"]["lines"]] == [
        (2, _cny(1998))
    ]


async def test_a_rejected_request_gives_its_units_back_to_ask_for_again(trade):
    _, client = await trade.customer()
    async with client, await _operator(trade) as operator:
        order = await trade.paid_lines(client, (1000, 1))
        first = (
            await client.post(
                f"{ORDERS}/{order['id']}/aftersales", json=_ask("refund_only", (0, 1))
            )
        ).json()
        while_open = await client.post(
            f"{ORDERS}/{order['id']}/aftersales", json=_ask("refund_only", (0, 1))
        )
        no_reason = await operator.post(f"{AFTERSALES}/{first['id']}/reject", json={"reason": " "})
        rejected = await operator.post(
            f"{AFTERSALES}/{first['id']}/reject", json={"reason": "no damage in the photos"}
        )
        approve_now = await operator.post(f"{AFTERSALES}/{first['id']}/approve", json={})
        second = await client.post(
            f"{ORDERS}/{order['id']}/aftersales", json=_ask("refund_only", (0, 1))
        )
        queue = (await operator.get(f"{AFTERSALES}/queue", params={"order_id": order["id"]})).json()
        by_status = (
            await operator.get(
                f"{AFTERSALES}/queue", params={"order_id": order["id"], "status": "rejected"}
            )
        ).json()
        customer_queue = await client.get(f"{AFTERSALES}/queue")

    assert while_open.status_code == 422
    assert while_open.json()["errors"] == [
        {
            "field": "body.lines.0.quantity",
            "message": "line 0 has 0 of its 1 units left to ask back",
            "type": "value_error",
        }
    ]
    assert no_reason.json()["errors"][0]["field"] == "body.reason"
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "no damage in the photos"
    assert approve_now.status_code == 409
    assert second.status_code == 201
    assert [a["id"] for a in queue["items"]] == [second.json()["id"], first["id"]]
    assert [a["id"] for a in by_status["items"]] == [first["id"]]
    assert customer_queue.status_code == 403
    (event,) = await trade.staged(REJECTED, first["id"])
    assert event["data"]["reason"] == "no damage in the photos"


async def test_a_customer_withdraws_their_own_undecided_request(trade):
    _, client = await trade.customer()
    _, someone_else = await trade.customer()
    async with client, someone_else, await _operator(trade) as operator:
        order = await trade.paid_lines(client, (1000, 1))
        ask = _ask("refund_only", (0, 1))
        first = (await client.post(f"{ORDERS}/{order['id']}/aftersales", json=ask)).json()
        not_theirs = await someone_else.post(f"{AFTERSALES}/{first['id']}/withdraw")
        withdrawn = await client.post(f"{AFTERSALES}/{first['id']}/withdraw")
        again = await client.post(f"{AFTERSALES}/{first['id']}/withdraw")
        approve_now = await operator.post(f"{AFTERSALES}/{first['id']}/approve", json={})
        second = await client.post(f"{ORDERS}/{order['id']}/aftersales", json=ask)
        approved = await operator.post(f"{AFTERSALES}/{second.json()['id']}/approve", json={})
        late = await client.post(f"{AFTERSALES}/{second.json()['id']}/withdraw")

    assert not_theirs.status_code == 404
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["history"][-1]["cause"] == "withdrawn by the customer"
    assert (again.status_code, approve_now.status_code) == (409, 409)
    assert second.status_code == 201  # the withdrawn request's unit was released
    assert approved.json()["status"] == "refunded"
    assert late.status_code == 409
    assert late.json()["current"] == "refunded"
    (event,) = await trade.staged(WITHDRAWN, first["id"])
    assert event["data"]["order_id"] == order["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_ask("refund_only", (1, 1)), "body.lines.0.line_no"),
        (_ask("refund_only", (0, 3)), "body.lines.0.quantity"),
        (_ask("refund_only", (0, 0)), "body.lines.0.quantity"),
        (_ask("refund_only", (0, 1), (0, 1)), "body.lines"),
        (_ask("refund_only"), "body.lines"),
        (_ask("refund_only", (0, 1), reason=""), "body.reason"),
        (_ask("exchange", (0, 1)), "body.kind"),
        (_ask("refund_only", (0, 1), photo_urls=["not a url"]), "body.photo_urls.0"),
        (_ask("refund_only", (0, 1), photo_urls=[PHOTO] * 10), "body.photo_urls"),
        ({**_ask("refund_only", (0, 1)), "amount": _cny(1)}, "body.amount"),
    ],
)
async def test_a_bad_request_is_a_422_naming_the_field_and_asks_nothing(trade, body, field):
    _, client = await trade.customer()
    async with client:
        order = await trade.paid_lines(client, (1000, 2))
        response = await client.post(f"{ORDERS}/{order['id']}/aftersales", json=body)
        whole = await client.post(
            f"{ORDERS}/{order['id']}/aftersales", json=_ask("refund_only", (0, 2))
        )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert whole.status_code == 201  # nothing was claimed by the refused request


async def test_only_ones_own_order_within_its_window_may_be_asked_about(trade):
    _, client = await trade.customer()
    _, someone_else = await trade.customer()
    async with client, someone_else, await _operator(trade) as operator:
        unpaid = await trade.place(client, await trade.product())
        paid = await trade.paid_lines(client, (1000, 1))
        late = await _delivered(trade, client, operator, (1000, 2))
        # An open request on one unit keeps the order from completing meanwhile.
        open_one = await client.post(
            f"{ORDERS}/{late['id']}/aftersales", json=_ask("return_and_refund", (0, 1))
        )
        assert open_one.status_code == 201
        async with trade.db.session() as session, session.begin():
            await session.execute(
                update(Order)
                .where(Order.id == UUID(late["id"]))
                .values(delivered_at=now() - timedelta(days=7, seconds=1))
            )
        responses = {
            "unpaid": await client.post(
                f"{ORDERS}/{unpaid['id']}/aftersales", json=_ask("refund_only", (0, 1))
            ),
            "nothing shipped to return": await client.post(
                f"{ORDERS}/{paid['id']}/aftersales", json=_ask("return_and_refund", (0, 1))
            ),
            "window closed": await client.post(
                f"{ORDERS}/{late['id']}/aftersales", json=_ask("return_and_refund", (0, 1))
            ),
            "not theirs": await someone_else.post(
                f"{ORDERS}/{paid['id']}/aftersales", json=_ask("refund_only", (0, 1))
            ),
            "unknown order": await client.post(
                f"{ORDERS}/{new_id()}/aftersales", json=_ask("refund_only", (0, 1))
            ),
            "unknown request": await operator.post(f"{AFTERSALES}/{new_id()}/approve", json={}),
        }

    assert {name: r.status_code for name, r in responses.items()} == {
        "unpaid": 409,
        "nothing shipped to return": 409,
        "window closed": 409,
        "not theirs": 404,
        "unknown order": 404,
        "unknown request": 404,
    }
    assert "return window closed" in responses["window closed"].json()["detail"]
    assert responses["unpaid"].json()["order_status"] == "placed"


async def test_an_order_waits_to_complete_while_a_request_is_open(trade):
    _, client = await trade.customer()
    async with client, await _operator(trade) as operator:
        order = await _delivered(trade, client, operator, (1000, 1))
        other = await _delivered(trade, client, operator, (1000, 1))
        asked = await client.post(
            f"{ORDERS}/{order['id']}/aftersales", json=_ask("return_and_refund", (0, 1))
        )
        async with trade.db.session() as session, session.begin():
            await session.execute(
                update(Order)
                .where(Order.id.in_([UUID(order["id"]), UUID(other["id"])]))
                .values(delivered_at=now() - timedelta(days=8))
            )
        # The other order completing shows the sweep ran past both.
        await trade.order_when(client, other["id"], "completed")
        waiting = (await client.get(f"{ORDERS}/{order['id']}")).json()
        await operator.post(f"{AFTERSALES}/{asked.json()['id']}/reject", json={"reason": "used"})
        completed = await trade.order_when(client, order["id"], "completed")

    assert waiting["status"] == "delivered"
    assert completed["history"][-1]["cause"] == "the return window closed"


async def test_an_operator_refunds_per_line_then_fully_and_never_beyond_what_was_paid(trade):
    _, client = await trade.customer()
    async with client, await _operator(trade) as operator:
        order = await trade.paid_lines(client, (1000, 1), (300, 2))
        url = f"{ORDERS}/{order['id']}/refunds"

        def line(line_no: int, amount: int, currency: str = "CNY") -> dict:
            return {"line_no": line_no, "amount": {"amount": amount, "currency": currency}}

        part = await operator.post(url, json={"lines": [line(1, 250)], "reason": "late"})
        beyond = await operator.post(url, json={"lines": [line(1, 351)], "reason": "late"})
        refused = {
            "customer": await client.post(url, json={"full": True, "reason": "mine"}),
            "unknown order": await operator.post(
                f"{ORDERS}/{new_id()}/refunds", json={"full": True, "reason": "x"}
            ),
            "unpaid": await operator.post(
                f"{ORDERS}/{(await trade.place(client, await trade.product()))['id']}/refunds",
                json={"full": True, "reason": "x"},
            ),
        }
        bad = {
            "body.lines.0.amount.currency": await operator.post(
                url, json={"lines": [line(0, 1, "USD")], "reason": "x"}
            ),
            "body.lines.0.line_no": await operator.post(
                url, json={"lines": [line(2, 1)], "reason": "x"}
            ),
            "body": await operator.post(
                url, json={"full": True, "lines": [line(0, 1)], "reason": "x"}
            ),
            "body.lines.0": await operator.post(url, json={"lines": [line(0, 0)], "reason": "x"}),
            "body.reason": await operator.post(url, json={"full": True}),
        }
        full = await operator.post(url, json={"full": True, "reason": "shop closed"})
        nothing_left = await operator.post(url, json={"full": True, "reason": "again"})
        listed = (await client.get(url)).json()

    assert part.status_code == 201
    assert [(x["line_no"], x["quantity"], x["amount"]) for x in part.json()["lines"]] == [
        (1, 0, _cny(250))
    ]
    assert beyond.json()["errors"] == [
        {
            "field": "body.lines.0.amount",
            "message": "line 1 was paid 600 and 250 of it is refunded or asked back: 351 more "
            "would exceed it",
            "type": "value_error",
        }
    ]
    assert {name: r.status_code for name, r in refused.items()} == {
        "customer": 403,
        "unknown order": 404,
        "unpaid": 409,
    }
    assert {field: [e["field"] for e in r.json()["errors"]] for field, r in bad.items()} == {
        field: [field] for field in bad
    }
    assert full.status_code == 201
    assert full.json()["amount"] == _cny(1000 + 350)
    assert [(x["line_no"], x["amount"]["amount"]) for x in full.json()["lines"]] == [
        (0, 1000),
        (1, 350),
    ]
    assert nothing_left.status_code == 409
    assert [r["amount"]["amount"] for r in listed] == [250, 1350]
    events = await trade.staged(REFUNDED, order["id"])
    assert [(e["data"]["amount"]["amount"], e["data"]["aftersale_id"]) for e in events] == [
        (250, None),
        (1350, None),
    ]
