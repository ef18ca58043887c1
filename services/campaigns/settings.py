"""Campaigns settings (environment prefix CAMPAIGNS_; REDIS_URL shared)."""

from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CAMPAIGNS_", extra="ignore")

    service_name: str = "campaigns"
    # How often the calendar moves campaigns whose window opened or closed: a campaign
    # starts at most this late.
    calendar_tick_seconds: float = 5.0
    # How often unpaid flash reservations past their time are expired and stock given back.
    flash_tick_seconds: float = 1.0
