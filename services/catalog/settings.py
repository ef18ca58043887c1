"""Catalog settings (environment prefix CATALOG_)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")

    service_name: str = "catalog"
    # How long stock stays reserved for an order not yet paid; orders' payment window should
    # be shorter, so a paid order finds its reservation alive.
    reservation_ttl_seconds: int = 30 * 60
    # How often the sweeper looks for reservations whose time ran out.
    reservation_sweep_seconds: float = 5.0
