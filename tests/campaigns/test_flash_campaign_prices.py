"""A flash line keeps its flash price when a running campaign prices its SKU lower: the rule
(pure), the quote (a line at the flash price of a reservation the customer holds), and the
order saga, whose coupon lock would otherwise price the coupons on the campaign price (a
¥40-off-¥300 coupon on a ¥320 flash tea under a ¥280 campaign price) and refuse the order."""

from datetime import UTC, datetime, timedelta

from flash_setup import held_by_catalog, reservation, reserve
from saga_events import apply_step, claimed_coupon, cny, placed
from test_campaign_prices import CUP, TEA, _campaign, _set

from chassis.clock import now
from chassis.ids import new_id
from contracts.orders import Attribution, OrderLine
from services.campaigns.checkout import saga
from services.campaigns.coupons import pricing
from services.campaigns.coupons import service as coupons
from services.campaigns.coupons.models import Coupon
from services.campaigns.coupons.schemas import QuoteRequest
from services.campaigns.flash import service as flash
from services.campaigns.flash.models import FlashReservation, ReservationStatus
from services.campaigns.flash.schemas import SessionRequest
from services.campaigns.flash.stock import DatabaseStock
from services.campaigns.prices import offers
from services.campaigns.prices.offers import Offer

STOCK = DatabaseStock()


def test_a_flash_line_keeps_its_flash_price_below_which_a_campaign_prices_its_sku():
    cart = pricing.Cart(
        currency="CNY", lines=(pricing.Line(TEA, 320_00, 1), pricing.Line(CUP, 50_00, 1))
    )
    running = [Offer(new_id(), TEA, 280_00), Offer(new_id(), CUP, 40_00)]
    assert offers.best(cart, running)[0] == running[0]  # a line not flash takes it
    assert offers.best(cart, running, kept=frozenset({TEA})) == (None, running[1])


async def _flash_reservation(db, holder):
    """The holder's reservation of the tea at a flash price of ¥320, in a session on sale."""
    at = datetime.now(UTC)
    body = SessionRequest(
        name="秒杀",
        starts_at=at - timedelta(minutes=1),
        ends_at=at + timedelta(hours=1),
        items=[{"sku_id": TEA, "flash_price": cny(320_00), "stock": 5, "per_user_limit": 1}],
    )
    async with db.session() as session:
        terms = await flash.create_session(session, body, new_id(), STOCK)
    await held_by_catalog(db, terms)
    return reservation(await reserve(db, STOCK, terms.id, holder, TEA))


async def test_a_campaign_price_below_the_flash_price_neither_reprices_nor_refuses_it(
    campaigns_db,
):
    campaign = await _campaign(campaigns_db)
    await _set(campaigns_db, campaign.id, tea=(TEA, 280_00))
    holder = new_id()
    reserved = await _flash_reservation(campaigns_db, holder)
    coupon = await claimed_coupon(campaigns_db, holder)  # ¥40 off ¥300

    # The quote orders asks: the flash line stays at ¥320, so the coupon still applies.
    request = QuoteRequest(
        lines=[{"sku_id": TEA, "unit_price": cny(320_00), "quantity": 1}], coupon_ids=[coupon.id]
    )
    async with campaigns_db.session() as session:
        priced, quote = await coupons.quote(session, holder, request, now())
    assert [ln.unit_price for ln in priced.cart.lines] == [320_00]
    assert quote.discount == 40_00

    # The order placed at it: locked, the coupon's discount on the flash price.
    flash_line = OrderLine(
        sku_id=TEA,
        quantity=1,
        list_price=cny(400_00),
        unit_price=cny(320_00),
        coupon_discount=cny(40_00),
        paid=cny(280_00),
    )
    order = placed(holder, [coupon.id], flash_line)
    order = order.model_copy(
        update={
            "attribution": Attribution(
                coupon_ids=[coupon.id],
                flash_reservation_id=reserved.id,
                flash_session_id=reserved.session_id,
                flash_sku_id=TEA,
            )
        }
    )
    assert await apply_step(campaigns_db, saga.lock, order)
    async with campaigns_db.session() as session:
        assert (await session.get(Coupon, coupon.id)).discount == 40_00
        held = await session.get(FlashReservation, reserved.id)
        assert (held.status, held.order_id) == (ReservationStatus.ORDERED, order.order_id)
