"""Catalog settings (environment prefix CATALOG_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

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
