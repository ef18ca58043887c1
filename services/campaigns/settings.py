"""Campaigns settings (environment prefix CAMPAIGNS_; REDIS_URL shared)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CAMPAIGNS_", extra="ignore")

    service_name: str = "campaigns"
    calendar_tick_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often campaigns are started and ended on time: at most this late",
    )
    flash_tick_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often unpaid flash reservations expire and their stock goes back",
    )
    flash_write_down_seconds: float = Field(
        default=0.05,
        gt=0,
        description="How often flash reservations taken in Redis are written to the database, "
        "in one batch (with REDIS_URL)",
    )
    grants_tick_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often coupon grants to a segment look for work (each goes on in "
        "batches until done)",
    )
    coupons_expiry_seconds: float = Field(
        default=60.0,
        gt=0,
        description="How often claimed coupons past their validity expire (coupon.expired)",
    )
    groups_tick_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often group buys still open past their time limit fail",
    )
    bargains_tick_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often bargains past their time expire and unordered ones lapse",
    )
