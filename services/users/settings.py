"""Users settings (environment prefix USERS_)."""

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_")

    service_name: str = "users"
    admin_email: str = Field(
        default="admin@flywheel.local",
        validation_alias=AliasChoices("admin_email", "FLYWHEEL_ADMIN_EMAIL"),
    )
    admin_password: str = Field(
        default="flywheel-admin",
        validation_alias=AliasChoices("admin_password", "FLYWHEEL_ADMIN_PASSWORD"),
    )
    access_token_minutes: int = 15
    refresh_token_days: int = 30
