"""Analytics settings (environment prefix ANALYTICS_)."""

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from chassis.settings import VAR_DIR, ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ANALYTICS_")

    service_name: str = "analytics"
    # The event store: a ClickHouse server when a URL is set, else chDB in this process.
    clickhouse_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CLICKHOUSE_URL", "ANALYTICS_CLICKHOUSE_URL")
    )
    clickhouse_database: str = Field(default="flywheel", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    chdb_path: Path = VAR_DIR / "analytics-chdb"
    store_timeout_s: float = 30.0
