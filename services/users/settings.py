"""Users settings (environment prefix USERS_)."""

from datetime import time, timedelta
from typing import Annotated, Self

from fastapi import Depends
from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import SettingsConfigDict

from chassis.http import deps
from chassis.settings import ServiceSettings
from services.users.accounts.passwords import HashCost
from services.users.logins.lockout import LockoutPolicy

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
    password_time_cost: int = Field(default=3, ge=1, description="argon2id passes per hash")
    password_memory_kib: int = Field(
        default=65_536, ge=8, description="argon2id memory per hash, in KiB"
    )
    password_parallelism: int = Field(default=4, ge=1, description="argon2id lanes per hash")
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    points_per_currency_unit: int = Field(
        default=1,
        ge=0,
        description="points per whole currency unit (100 minor units) paid on an order's lines",
    )
    lockout_failures: int = Field(
        default=5, ge=1, description="failed logins within the window that lock the email (423)"
    )
    lockout_window_minutes: int = Field(
        default=15, ge=1, description="minutes over which failed logins are counted"
    )
    lockout_minutes: int = Field(default=15, ge=1, description="minutes a lock lasts")
    schedule_seconds: float = Field(
        default=30,
        ge=0.1,
        description="seconds between the scheduler's turns (lifecycle timers, tier reviews, "
        "daily jobs)",
    )
    rfm_recompute_at: time = Field(
        default=time(2, 0), description="time of day (UTC) the RFM quintiles are recomputed"
    )
    lifecycle_sweep_at: time = Field(
        default=time(3, 0),
        description="time of day (UTC) of the lifecycle safety sweep behind the timers",
    )
    password_reset_minutes: int = Field(
        default=30, ge=1, le=1440, description="minutes a mailed password reset token works"
    )
    referral_monthly_cap: int = Field(
        default=20, ge=0, description="referrals rewarded per referrer per calendar month (UTC)"
    )
    tier_review_days: int = Field(
        default=365, ge=1, description="days a tier is held before its review (downgrades then)"
    )

    tag_evidence_days: int = Field(
        default=180,
        ge=1,
        le=3650,
        description="days a touch counts as evidence of an interest tag (from the start of "
        "its UTC day); a system tag drops when what still counts falls below the threshold",
    )

    @property
    def tag_evidence_window(self) -> timedelta:
        return timedelta(days=self.tag_evidence_days)

    @property
    def lockout(self) -> LockoutPolicy:
        return LockoutPolicy(
            max_failures=self.lockout_failures,
            window=timedelta(minutes=self.lockout_window_minutes),
            duration=timedelta(minutes=self.lockout_minutes),
        )

    @property
    def password_cost(self) -> HashCost:
        return HashCost(
            self.password_time_cost, self.password_memory_kib, self.password_parallelism
        )

    @property
    def password_reset_lifetime(self) -> timedelta:
        return timedelta(minutes=self.password_reset_minutes)

    @property
    def tier_review_period(self) -> timedelta:
        return timedelta(days=self.tier_review_days)

    @model_validator(mode="after")
    def _memory_for_every_lane(self) -> Self:
        if self.password_memory_kib < 8 * self.password_parallelism:
            raise ValueError("password_memory_kib must be at least 8 KiB per lane")
        return self

    @model_validator(mode="after")
    def _no_known_password_in_production(self) -> Self:
        if self.environment == "production" and self.admin_password == DEV_ADMIN_PASSWORD:
            raise ValueError("set FLYWHEEL_ADMIN_PASSWORD: the development one is public")
        return self


SettingsDep = Annotated[Settings, Depends(deps.settings)]
