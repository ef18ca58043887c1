"""The campaigns service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.campaigns.bargains import api as bargains
from services.campaigns.bargains import consumers as bargain_orders
from services.campaigns.bargains import scheduler as bargain_expiry
from services.campaigns.budgets import api as budgets
from services.campaigns.calendar import api as calendar
from services.campaigns.calendar import scheduler
from services.campaigns.checkout import consumers as checkout
from services.campaigns.coupons import api as coupons
from services.campaigns.coupons import consumers as coupon_grants
from services.campaigns.coupons import scheduler as grant_worker
from services.campaigns.flash import api as flash
from services.campaigns.flash import consumers as flash_stock
from services.campaigns.flash.scheduler import expiry, write_down
from services.campaigns.flash.sessions import SessionCache
from services.campaigns.flash.stock import DatabaseStock, FlashStock, RedisStock
from services.campaigns.groups import api as groups
from services.campaigns.groups import consumers as group_orders
from services.campaigns.groups import scheduler as group_expiry
from services.campaigns.lotteries import api as lotteries
from services.campaigns.lotteries import consumers as lottery_chances
from services.campaigns.models import Base
from services.campaigns.performance import api as performance
from services.campaigns.performance import consumers as attribution
from services.campaigns.prices import api as prices
from services.campaigns.prices.consumers import on_product_created
from services.campaigns.segments import consumers as segments
from services.campaigns.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    stock: FlashStock = (
        RedisStock.connect(settings.redis_url) if settings.redis_url else DatabaseStock()
    )
    app = build_service(
        name="campaigns",
        settings=settings,
        routers=[
            calendar.router,
            budgets.router,
            performance.router,
            coupons.router,
            flash.router,
            groups.router,
            bargains.router,
            lotteries.router,
            prices.router,
        ],
        schema=SCHEMA,
        consumers=[
            on_product_created,
            coupon_grants.on_user_registered,
            coupon_grants.on_lifecycle_changed,
            coupon_grants.on_tier_changed,
            coupon_grants.on_birthday_reached,
            coupon_grants.on_call_winner_chosen,
            segments.on_segment_entered,
            segments.on_segment_left,
            segments.on_segment_deleted,
            checkout.on_order_placed,
            checkout.on_order_paid,
            checkout.on_order_cancelled,
            checkout.on_refund_completed,
            attribution.on_order_paid,
            attribution.on_refund_completed,
            group_orders.on_order_placed,
            bargain_orders.on_order_placed,
            lottery_chances.on_points_earned,
            flash_stock.on_stock_held,
            flash_stock.on_stock_refused,
            flash_stock.on_stock_returned,
            flash_stock.on_sku_listing_changed,
            flash_stock.on_product_skus,
            flash_stock.on_product_listed,
            flash_stock.on_product_delisted,
        ],
        background=[
            scheduler.run,
            expiry(stock),
            write_down(stock),
            group_expiry.run,
            bargain_expiry.run,
            grant_worker.run,
            grant_worker.expire,
        ],
        description=(
            "Campaign operations: the campaign calendar, budgets, coupons and the best-price "
            "quote, flash sales, group buys, bargains, provably fair lotteries, and the SKU "
            "prices campaigns start from."
        ),
    )
    app.state.flash_stock = stock
    app.state.flash_sessions = SessionCache()
    return app
