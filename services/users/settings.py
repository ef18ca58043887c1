"""Users settings (environment prefix USERS_)."""

from typing import Annotated, Self

from fastapi import Depends, Request
from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from chassis.settings import ServiceSettings

DEV_ADMIN_PASSWORD = "flywheel-admin"  # printed by `make run`: for development only


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="USERS_")

    service_name: str = "users"
    admin_email: str = Field(
        default="admin@flywheel.local",
        validation_alias=AliasChoices("admin_email", "FLYWHEEL_ADMIN_EMAIL"),
    )
    admin_password: str = Field(
        default=DEV_ADMIN_PASSWORD,
        validation_alias=AliasChoices("admin_password", "FLYWHEEL_ADMIN_PASSWORD"),
    )
    access_token_minutes: int = 15
    refresh_token_days: int = 30

    @model_validator(mode="after")
    def _no_known_password_in_production(self) -> Self:
        if self.environment == "production" and self.admin_password == DEV_ADMIN_PASSWORD:
            raise ValueError("set FLYWHEEL_ADMIN_PASSWORD: the development one is public")
        return self


def _settings(request: Request) -> Settings:
    return request.app.state.runtime.settings


SettingsDep = Annotated[Settings, Depends(_settings)]
