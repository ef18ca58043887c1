"""Tables of alerts: the rules with their state, and the webhook deliveries to make."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from contracts.analytics import AlertCondition, AlertMetric
from services.analytics.alerts.rules import AlertState
from services.analytics.models import Base


class AlertRule(Base):
    """A condition on a metric over a trailing window. `state` changes only in one guarded
    UPDATE that names the state it leaves, so replicas evaluating at once fire once."""

    __tablename__ = "alert_rules"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    metric: Mapped[AlertMetric] = mapped_column(enum_column(AlertMetric))
    currency: Mapped[str] = mapped_column(String(3))
    window_s: Mapped[int] = mapped_column(Integer)
    condition: Mapped[AlertCondition] = mapped_column(enum_column(AlertCondition))
    threshold: Mapped[float] = mapped_column(Float)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str] = mapped_column(Text)  # sealed (chassis.secrets)
    state: Mapped[AlertState] = mapped_column(enum_column(AlertState), default=AlertState.OK)
    state_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class WebhookDelivery(Base):
    """An alert event to POST to a rule's webhook: written in the transaction that changes
    the rule's state, sent after it commits by the webhook sender."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index(
            "ix_webhook_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    # Deleting a rule drops what it had yet to deliver.
    rule_id: Mapped[UUID] = mapped_column(Uuid, ForeignKey("alert_rules.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
