"""The SKU offer rules (pure): the price in force at a time, and why a SKU is refused."""

from datetime import UTC, datetime, timedelta

from chassis.ids import new_id
from chassis.money import Money
from services.orders.prices.offers import Offer, PricePoint, in_force, refusal

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _cny(amount: int) -> Money:
    return Money(amount=amount, currency="CNY")


def test_the_price_in_force_is_the_latest_started_whatever_the_order_of_points():
    points = [PricePoint(T0 + HOUR, _cny(900)), PricePoint(T0, _cny(1000))]
    assert in_force(points, T0 - HOUR) is None
    assert in_force(points, T0) == _cny(1000)
    assert in_force(points, T0 + HOUR - timedelta(microseconds=1)) == _cny(1000)
    assert in_force(points, T0 + HOUR) == _cny(900)
    assert in_force(reversed(points), T0 + 2 * HOUR) == _cny(900)
    assert in_force([], T0) is None


def test_a_sku_is_refused_unknown_gone_delisted_or_unpriced_and_taken_otherwise():
    sku = new_id()

    def offer(**changes) -> Offer:
        base = {"present": True, "listing": "listed", "price": _cny(100)}
        return Offer(sku_id=sku, product_id=new_id(), **{**base, **changes})

    assert refusal(sku, None) == f"{sku} is not a SKU the catalog sells"
    assert refusal(sku, offer(present=False)) == f"{sku} is no longer one of its product's SKUs"
    assert refusal(sku, offer(listing="delisted")) == f"{sku} was delisted: it is not on sale"
    read_back = "".join(["de", "listed"])  # as a database hands it back: not the literal
    assert refusal(sku, offer(listing=read_back)) == f"{sku} was delisted: it is not on sale"
    assert refusal(sku, offer(price=None)) == f"{sku} has no price yet, so it cannot be ordered"
    for orderable in ("listed", "draft", "in_review", None):
        assert refusal(sku, offer(listing=orderable)) is None
