"""Content settings (environment prefix CONTENT_)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTENT_", extra="ignore")

    service_name: str = "content"
    schedule_poll_seconds: float = Field(
        default=1.0, gt=0, description="How often due scheduled posts are published"
    )
