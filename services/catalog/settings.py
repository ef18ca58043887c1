"""Catalog settings (environment prefix CATALOG_)."""

from typing import Annotated

from fastapi import Depends
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.http import deps
from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")

    service_name: str = "catalog"
    reservation_ttl_seconds: int = Field(
        default=30 * 60,
        gt=0,
        description="How long stock stays reserved for an unpaid order; the orders' payment "
        "window should be shorter, so a paid order finds its reservation alive",
    )
    reservation_sweep_seconds: float = Field(
        default=5.0, gt=0, description="How often expired reservations are looked for"
    )
    min_margin_bps: int = Field(
        default=1000,
        ge=0,
        lt=10_000,
        description="The margin guard: the least share of a price, in basis points (1000 = "
        "10%), that must be left over the SKU's cost; a lower price needs an admin's override",
    )
    schedule_seconds: float = Field(
        default=1.0,
        gt=0,
        description="How often scheduled price changes are started and ended and scheduled "
        "listings and delistings carried out: at most this late",
    )
    reorder_cover_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="A suggested purchase order fills a SKU up to its reorder point plus this "
        "many days of sales",
    )


SettingsDep = Annotated[Settings, Depends(deps.settings)]
