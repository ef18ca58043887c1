"""Catalog settings (environment prefix CATALOG_)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_")

    service_name: str = "catalog"
