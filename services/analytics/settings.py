"""Analytics settings (environment prefix ANALYTICS_)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANALYTICS_")

    service_name: str = "analytics"
