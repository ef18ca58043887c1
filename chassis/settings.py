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

    service_name: str = Field(default="service", description="Names the service's database")
    database_url: str | None = Field(
        default=None, description="This service's database (SQLAlchemy URL, async driver)"
    )
    shared_database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL"),
        description="A PostgreSQL server for every service: each gets `<name>_<service>`",
    )
    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092",
        validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"),
        description="Kafka brokers, comma-separated",
    )
    jwks_url: str = Field(
        default="http://127.0.0.1:8001/api/v1/users/.well-known/jwks.json",
        validation_alias=AliasChoices("FLYWHEEL_JWKS_URL"),
        description="The users service's signing keys, to verify access tokens",
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("REDIS_URL"),
        description="Redis for rate limits, flash stock and hot caches; unset: in process",
    )
    environment: str = Field(
        default="dev",
        validation_alias=AliasChoices("FLYWHEEL_ENV"),
        description="`production` refuses development secrets",
    )
    smtp_host: str = Field(
        default="127.0.0.1",
        validation_alias=AliasChoices("FLYWHEEL_SMTP_HOST"),
        description="Outgoing mail relay (the dev sink of `make run` by default)",
    )
    smtp_port: int = Field(default=1025, validation_alias=AliasChoices("FLYWHEEL_SMTP_PORT"))
    smtp_username: str | None = Field(
        default=None,
        validation_alias=AliasChoices("FLYWHEEL_SMTP_USERNAME"),
        description="For a relay that wants AUTH (STARTTLS is used when offered)",
    )
    smtp_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("FLYWHEEL_SMTP_PASSWORD")
    )
    mail_from: str = Field(
        default="Flywheel <no-reply@flywheel.local>",
        validation_alias=AliasChoices("FLYWHEEL_MAIL_FROM"),
        description="The sender of every email",
    )
    migrate_on_start: bool = Field(
        default=True, description="Migrate at start; false where a job runs `deploy.migrate`"
    )
    database_pre_ping: bool = Field(
        default=False,
        description="Check each pooled connection with a round trip before use (3 per tx): "
        "for firewalls that drop idle connections silently",
    )
    database_pool_size: int = Field(default=20, description="Connections kept open")
    database_max_overflow: int = Field(
        default=10, description="More connections for bursts, closed when given back"
    )
    shutdown_drain_seconds: float = Field(
        default=0,
        ge=0,
        validation_alias=AliasChoices("FLYWHEEL_SHUTDOWN_DRAIN_SECONDS"),
        description="On SIGTERM, seconds of serving with /readyz failing before the graceful "
        "stop, so that load balancers stop sending first (5 on Kubernetes)",
    )
    kafka_enabled: bool = Field(default=True, description="Run the outbox relay and consumers")
    relay_batch_size: int = Field(default=500, description="Outbox rows published per batch")
    consumer_max_attempts: int = Field(
        default=5, description="Attempts at an event before it goes to `<topic>.dlq`"
    )
    consumer_retry_backoff_ms: int = Field(default=200, description="First retry delay")
    consumer_session_timeout_ms: int = Field(
        default=10_000, description="Kafka group session timeout"
    )
    consumer_fetch_max_wait_ms: int = Field(default=100, description="Kafka fetch wait")
    inbox_retention_days: int = Field(
        default=30,
        description="How long a consumer group remembers applied events; keep it longer "
        "than the topics' retention",
    )
    topic_partitions: int = Field(default=3, description="Partitions of topics it creates")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        if self.shared_database_url:
            server = make_url(self.shared_database_url)
            name = f"{server.database or 'flywheel'}_{self.service_name}"
            return server.set(database=name).render_as_string(hide_password=False)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{VAR_DIR / self.service_name}.db"
