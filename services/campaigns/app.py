"""The campaigns service."""

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.campaigns.budgets import api as budgets
from services.campaigns.calendar import api as calendar
from services.campaigns.calendar import scheduler
from services.campaigns.coupons import api as coupons
from services.campaigns.coupons import consumers as coupon_saga
from services.campaigns.models import Base
from services.campaigns.prices import api as prices
from services.campaigns.prices.consumers import on_product_created
from services.campaigns.settings import Settings

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    return build_service(
        name="campaigns",
        settings=settings or Settings(),
        routers=[calendar.router, budgets.router, coupons.router, prices.router],
        schema=SCHEMA,
        consumers=[
            on_product_created,
            coupon_saga.on_order_placed,
            coupon_saga.on_order_paid,
            coupon_saga.on_order_cancelled,
        ],
        background=[scheduler.run],
        description=(
            "Campaign operations: the campaign calendar, coupons and the best-price quote, "
            "and the SKU prices campaigns start from."
        ),
    )
