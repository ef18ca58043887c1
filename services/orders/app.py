"""The orders service: carts, checkout, the order saga, payments, fulfilment, after-sales,
refunds."""

import asyncio
from datetime import timedelta

from fastapi import FastAPI

from chassis.http.service import build_service
from chassis.migrations import Schema
from services.orders.addresses import api as addresses
from services.orders.aftersales import api as aftersales
from services.orders.campaigns.consumers import HANDLERS as CAMPAIGN_HANDLERS
from services.orders.carts import api as carts
from services.orders.checkout import api as checkout
from services.orders.checkout.quotes import CampaignsQuotes
from services.orders.deals.consumers import deal_handlers
from services.orders.fulfilment import api as fulfilment
from services.orders.members.consumers import HANDLERS as MEMBER_HANDLERS
from services.orders.models import Base
from services.orders.payments import api as payments
from services.orders.payments.provider import SimulatedProvider
from services.orders.prices.consumers import HANDLERS as CATALOG_HANDLERS
from services.orders.privacy.consumers import HANDLERS as PRIVACY_HANDLERS
from services.orders.refunds import api as refunds
from services.orders.saga.consumers import saga_handlers
from services.orders.scheduler import run_schedule
from services.orders.settings import Settings
from services.orders.shipping import api as shipping

SCHEMA = Schema.beside(__file__, Base.metadata)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    provider = SimulatedProvider(
        settings.payment_secret.get_secret_value().encode(),
        timedelta(seconds=settings.payment_callback_tolerance_seconds),
        settings.payment_page_base,
    )
    campaigns = CampaignsQuotes(settings.campaigns_url, settings.campaigns_timeout_seconds)

    async def close_campaigns(runtime) -> None:
        try:
            await asyncio.Event().wait()  # as long as the service runs
        finally:
            await campaigns.close()

    app = build_service(
        name="orders",
        settings=settings,
        routers=[
            carts.router,
            carts.anonymous_router,
            addresses.router,
            checkout.router,
            payments.router,
            fulfilment.router,
            aftersales.router,
            refunds.router,
            shipping.router,
        ],
        schema=SCHEMA,
        consumers=[
            *CATALOG_HANDLERS,
            *MEMBER_HANDLERS,
            *CAMPAIGN_HANDLERS,
            *PRIVACY_HANDLERS,
            *saga_handlers(timedelta(seconds=settings.payment_timeout_seconds)),
            *deal_handlers(provider),
        ],
        background=[run_schedule, close_campaigns],
        description="Trade: orders priced from the catalog, placed once per idempotency key, "
        "through a saga with catalog, campaigns and users; signed payment callbacks; "
        "fulfilment, after-sales and refunds.",
    )
    app.state.payment_provider = provider
    app.state.campaigns = campaigns
    return app
