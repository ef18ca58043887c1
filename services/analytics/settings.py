"""Analytics settings (environment prefix ANALYTICS_)."""

from pathlib import Path
from typing import Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from chassis.http.destinations import Destinations
from chassis.secrets import DEV_KEY, SecretBox
from chassis.settings import VAR_DIR, ServiceSettings

DATABASE_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANALYTICS_")

    service_name: str = "analytics"
    clickhouse_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("CLICKHOUSE_URL", "clickhouse_url"),
        description="A ClickHouse server for the event store (http://user:password@host:8123"
        "/database); unset: chDB in the process",
    )
    clickhouse_database: str = Field(
        default="flywheel",
        pattern=DATABASE_NAME,
        description="The event store's database when the URL names none (and for chDB)",
    )
    chdb_path: Path | None = Field(
        default=None, description="chDB's directory; unset: `analytics-chdb` in the var directory"
    )
    store_timeout_s: float = Field(
        default=30.0, description="A store query that takes longer answers 503"
    )
    alert_interval_s: float = Field(
        default=60.0, gt=0, description="How often alert rules are evaluated, in seconds"
    )

    webhook_private_allowed: bool | None = Field(
        default=None,
        description="Let alert webhooks reach private, loopback and link-local addresses; "
        "unset: allowed unless FLYWHEEL_ENV=production",
    )
    webhook_allowed_networks: list[str] = Field(
        default_factory=list,
        description="Private networks webhooks may reach all the same (JSON list of CIDRs, "
        'e.g. ["10.20.0.0/16"])',
    )

    webhook_secrets_keys: SecretStr = Field(
        default=SecretStr(DEV_KEY),
        description="Fernet keys that seal webhook signing secrets at rest, comma-separated: "
        "the first seals, each opens (rotate by putting a new key first)",
    )

    @model_validator(mode="after")
    def _no_known_key_in_production(self) -> Self:
        if (
            self.environment == "production"
            and DEV_KEY in self.webhook_secrets_keys.get_secret_value()
        ):
            raise ValueError("set ANALYTICS_WEBHOOK_SECRETS_KEYS: the development key is public")
        return self

    def secret_box(self) -> SecretBox:
        return SecretBox(self.webhook_secrets_keys.get_secret_value())

    def webhook_destinations(self) -> Destinations:
        private = self.webhook_private_allowed
        if private is None:
            private = self.environment != "production"
        return Destinations(private_allowed=private, networks=self.webhook_allowed_networks)

    def store_database(self) -> str:
        named = urlsplit(self.clickhouse_url).path.strip("/") if self.clickhouse_url else ""
        return named or self.clickhouse_database

    def store_path(self) -> Path:
        return (self.chdb_path or VAR_DIR / "analytics-chdb").resolve()
