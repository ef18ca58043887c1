"""The order's pure rules: every lifecycle transition, the saga's decision, signed callbacks."""

from datetime import UTC, datetime, timedelta
from itertools import product
from uuid import UUID, uuid4

import pytest

from chassis.money import Money
from contracts.orders import Attribution, CancelReason
from services.orders.carts.pricing import price_cart
from services.orders.checkout.lifecycle import (
    FINAL,
    IllegalTransition,
    OrderStatus,
    check,
    check_customer_cancel,
)
from services.orders.payments import signatures
from services.orders.prices.offers import Offer
from services.orders.saga.coordinator import (
    Answer,
    Cancel,
    Participant,
    Proceed,
    Wait,
    decide,
    needed,
)

S = OrderStatus
LEGAL = {
    (S.PLACED, S.AWAITING_PAYMENT),
    (S.PLACED, S.CANCELLED),
    (S.AWAITING_PAYMENT, S.PAID),
    (S.AWAITING_PAYMENT, S.CANCELLED),
    (S.PAID, S.SHIPPED),
    (S.PAID, S.CANCELLED),  # refunded whole: its group buy failed
    (S.SHIPPED, S.DELIVERED),
    (S.DELIVERED, S.COMPLETED),
}


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_a_legal_transition_passes(current, target):
    check(current, target)


@pytest.mark.parametrize(
    ("current", "target"), sorted(set(product(S, S)) - LEGAL), ids=lambda s: str(s)
)
def test_every_other_transition_is_a_409(current, target):
    with pytest.raises(IllegalTransition) as raised:
        check(current, target)
    assert raised.value.status == 409
    assert (raised.value.extra["current"], raised.value.extra["target"]) == (current, target)


@pytest.mark.parametrize("current", list(S), ids=str)
def test_a_customer_cancels_only_an_unpaid_order(current):
    if current in {S.PLACED, S.AWAITING_PAYMENT}:
        check_customer_cancel(current)
    else:
        with pytest.raises(IllegalTransition):
            check_customer_cancel(current)


def test_completed_and_cancelled_are_final():
    assert {S.COMPLETED, S.CANCELLED} == FINAL


STOCK, COUPONS, POINTS = Participant.STOCK, Participant.COUPONS, Participant.POINTS
YES, NO = Answer(True), Answer(False, "no stock")


@pytest.mark.parametrize(
    ("attribution", "points", "participants"),
    [
        (Attribution(), 0, {STOCK}),
        (Attribution(coupon_ids=[uuid4()]), 0, {STOCK, COUPONS}),
        (Attribution(flash_reservation_id=uuid4()), 0, {STOCK, COUPONS}),
        (Attribution(), 100, {STOCK, POINTS}),
        (Attribution(coupon_ids=[uuid4()]), 1, {STOCK, COUPONS, POINTS}),
    ],
)
def test_the_participants_an_order_needs(attribution, points, participants):
    assert needed(attribution, points) == participants


EVERYONE = frozenset({STOCK, COUPONS, POINTS})


@pytest.mark.parametrize(
    ("needs", "answers", "verdict"),
    [
        (frozenset({STOCK}), {}, Wait(frozenset({STOCK}))),
        (frozenset({STOCK}), {STOCK: YES}, Proceed()),
        (frozenset({STOCK}), {STOCK: NO}, Cancel(CancelReason.STOCK_REJECTED, "no stock")),
        (EVERYONE, {STOCK: YES, COUPONS: YES}, Wait(frozenset({POINTS}))),
        (EVERYONE, {STOCK: YES, COUPONS: YES, POINTS: YES}, Proceed()),
        # A refusal cancels at once, without waiting for the others.
        (EVERYONE, {POINTS: Answer(False, "5 > 2")}, Cancel(CancelReason.POINTS_REFUSED, "5 > 2")),
        (
            EVERYONE,
            {STOCK: YES, COUPONS: Answer(False, "used")},
            Cancel(CancelReason.COUPONS_REFUSED, "used"),
        ),
        # Two refusals: one reason, always the same.
        (EVERYONE, {POINTS: NO, STOCK: NO}, Cancel(CancelReason.STOCK_REJECTED, "no stock")),
        # An answer the order did not ask for changes nothing.
        (frozenset({STOCK}), {STOCK: YES, COUPONS: NO}, Proceed()),
    ],
)
def test_the_saga_decides_from_the_answers(needs, answers, verdict):
    assert decide(needs, answers) == verdict


SECRET = b"s3cret"
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BODY = b'{"payment_id": "x"}'
TOLERANCE = timedelta(minutes=5)


def _signed(body=BODY, at=AT, nonce="n-1", secret=SECRET) -> dict:
    ts = int(at.timestamp())
    return {
        "timestamp": str(ts),
        "nonce": nonce,
        "signature": signatures.sign(secret, ts, nonce, body),
    }


def _verify(body=BODY, now=AT, **headers):
    return signatures.verify(SECRET, body, at=now, tolerance=TOLERANCE, **headers)


def test_a_signed_fresh_callback_is_verified():
    assert _verify(**_signed()) == signatures.Signed("n-1", AT)
    assert _verify(now=AT + TOLERANCE, **_signed()).nonce == "n-1"


@pytest.mark.parametrize(
    ("headers", "body", "now"),
    [
        (_signed(), b'{"payment_id": "y"}', AT),  # body changed
        (_signed(secret=b"guess"), BODY, AT),  # forged
        ({**_signed(), "nonce": "n-2"}, BODY, AT),  # nonce changed
        ({**_signed(), "timestamp": str(int(AT.timestamp()) + 1)}, BODY, AT),  # time changed
        (_signed(), BODY, AT + TOLERANCE + timedelta(seconds=1)),  # stale
        (_signed(), BODY, AT - TOLERANCE - timedelta(seconds=1)),  # from the future
        ({**_signed(), "signature": None}, BODY, AT),
        ({**_signed(), "timestamp": "yesterday"}, BODY, AT),
        ({**_signed(), "nonce": "n" * 101}, BODY, AT),
    ],
)
def test_a_forged_changed_stale_or_incomplete_callback_is_refused(headers, body, now):
    with pytest.raises(signatures.InvalidSignature) as raised:
        _verify(body=body, now=now, **headers)
    assert raised.value.status == 401


CNY, USD = "CNY", "USD"
TEA, MUG = uuid4(), uuid4()


def _money(amount: int, currency: str = CNY) -> Money:
    return Money(amount=amount, currency=currency)


def _offers(prices: dict, listing: str = "listed") -> dict[UUID, Offer]:
    return {
        sku: Offer(sku_id=sku, product_id=sku, present=True, listing=listing, price=price)
        for sku, price in prices.items()
    }


@pytest.mark.parametrize(
    ("lines", "offers", "total"),
    [
        ([], {}, None),
        ([(TEA, 2), (MUG, 1)], _offers({TEA: _money(150), MUG: _money(80)}), _money(380)),
        ([(TEA, 2), (MUG, 1)], _offers({TEA: _money(150), MUG: None}), None),  # no price today
        ([(TEA, 2), (MUG, 1)], _offers({TEA: _money(150)}), None),  # no longer known
        ([(TEA, 2), (MUG, 1)], _offers({TEA: _money(150), MUG: _money(80, USD)}), None),
        (
            [(TEA, 2), (MUG, 1)],
            {**_offers({TEA: _money(150)}), **_offers({MUG: _money(80)}, "delisted")},
            None,
        ),
    ],
)
def test_a_cart_has_a_total_only_when_every_line_can_be_ordered_in_one_currency(
    lines, offers, total
):
    cart = price_cart(lines, offers)
    assert cart.total == total
    assert [line.sku_id for line in cart.lines] == [sku for sku, _ in lines]
    assert cart.lines[:1] == [] or cart.lines[0].line_total == _money(300)
