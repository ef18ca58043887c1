"""Orders settings (environment prefix ORDERS_)."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends
from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from chassis.http import deps
from chassis.settings import ServiceSettings
from contracts.manifest import service


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    service_name: str = "orders"
    payment_timeout_seconds: float = Field(
        default=15 * 60,
        gt=0,
        description="How long an order awaits payment before it is cancelled (payment_timeout)",
    )
    schedule_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often the scheduler looks for orders now due (unpaid, unconfirmed, "
        "past the return window)",
    )
    delivery_auto_confirm_days: float = Field(
        default=10, gt=0, description="Receipt of a shipped order is confirmed after this"
    )
    return_window_days: float = Field(
        default=7,
        gt=0,
        description="After delivery, customers may ask for after-sales this long; then the "
        "order completes (once no request is open)",
    )
    payment_secret: SecretStr = Field(
        default=SecretStr("flywheel-dev-payment-secret"),
        description="The simulated provider's secret for signing callbacks (HMAC-SHA256)",
    )
    payment_callback_tolerance_seconds: float = Field(
        default=300,
        gt=0,
        description="A callback signed further than this from now, either way, is stale",
    )
    payment_page_base: str = Field(
        default="http://127.0.0.1:8007/simulated-pay",
        description="Where the simulated provider's payment pages are (page URL = base/id)",
    )

    campaigns_url: str = Field(
        default=f"http://127.0.0.1:{service('campaigns').port}",
        description="The campaigns service, whose quote prices every order at checkout (campaign "
        "prices, coupons)",
    )
    campaigns_timeout_seconds: float = Field(
        default=2.0,
        gt=0,
        description="How long checkout waits for campaigns' quote before it refuses an order "
        "with coupons or a SKU under a running campaign (503, Retry-After), or charges the "
        "catalog's price for any other",
    )
    anonymous_cart_days: float = Field(
        default=30,
        gt=0,
        description="An anonymous cart (a visitor's, before they sign in) that no one has put "
        "a line in or taken one out of for this long is gone: its token finds nothing, and the "
        "scheduler deletes it",
    )

    @property
    def anonymous_cart_ttl(self) -> timedelta:
        return timedelta(days=self.anonymous_cart_days)

    @property
    def return_window(self) -> timedelta:
        return timedelta(days=self.return_window_days)


SettingsDep = Annotated[Settings, Depends(deps.settings)]
