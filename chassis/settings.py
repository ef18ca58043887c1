"""Settings shared by every service: environment variables with dev defaults."""

import os
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

# Development state (SQLite files, logs, mail): the repository's var/ unless FLYWHEEL_VAR_DIR.
VAR_DIR = Path(os.environ.get("FLYWHEEL_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")


class ServiceSettings(BaseSettings):
    """Base settings; each service subclasses it with its own `env_prefix`.

    The database URL is read from `<PREFIX>DATABASE_URL`; without it, from a
    shared `DATABASE_URL` naming a PostgreSQL server (each service then gets a
    database of its own, `<name>_<service>`); without either, a SQLite file in `var/`.
    """

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    service_name: str = "service"
    database_url: str | None = None
    shared_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL")
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    jwks_url: str = Field(
        default="http://127.0.0.1:8001/api/v1/users/.well-known/jwks.json",
        validation_alias=AliasChoices("FLYWHEEL_JWKS_URL"),
    )
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL"))
    environment: str = Field(default="dev", validation_alias=AliasChoices("FLYWHEEL_ENV"))
    # Outgoing email (chassis.mail): the dev sink of `make run` by default.
    smtp_host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("FLYWHEEL_SMTP_HOST"))
    smtp_port: int = Field(default=1025, validation_alias=AliasChoices("FLYWHEEL_SMTP_PORT"))
    smtp_username: str | None = Field(
        default=None, validation_alias=AliasChoices("FLYWHEEL_SMTP_USERNAME")
    )
    smtp_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("FLYWHEEL_SMTP_PASSWORD")
    )
    mail_from: str = Field(
        default="Flywheel <no-reply@flywheel.local>",
        validation_alias=AliasChoices("FLYWHEEL_MAIL_FROM"),
    )
    migrate_on_start: bool = True
    # Check each pooled connection with a round trip before use (see chassis.db.Database).
    database_pre_ping: bool = False
    database_pool_size: int = 20  # connections kept open (PostgreSQL)
    database_max_overflow: int = 10  # more for bursts, closed when given back
    kafka_enabled: bool = True
    relay_batch_size: int = 500
    consumer_max_attempts: int = 5
    consumer_retry_backoff_ms: int = 200
    consumer_session_timeout_ms: int = 10_000
    consumer_fetch_max_wait_ms: int = 100
    # How long a consumer group remembers applied events; longer than the topics' retention.
    inbox_retention_days: int = 30
    topic_partitions: int = 3

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.shared_database_url:
            server = make_url(self.shared_database_url)
            name = f"{server.database or 'flywheel'}_{self.service_name}"
            return server.set(database=name).render_as_string(hide_password=False)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{VAR_DIR / self.service_name}.db"
