"""Request and response bodies of the alerts API."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from chassis.http.fields import JsonInt, WebUrl
from contracts.analytics import AlertCondition, AlertMetric
from services.analytics.alerts.rules import AlertState

MIN_WINDOW_S, MAX_WINDOW_S = 300, 86_400

Name = Annotated[str, Field(min_length=1, max_length=200)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. CNY")]
Window = Annotated[
    JsonInt,
    Field(
        ge=MIN_WINDOW_S,
        le=MAX_WINDOW_S,
        description="The trailing window in seconds (3600: the last hour), 5 minutes to a day",
    ),
]
Threshold = Annotated[
    float,
    Field(
        strict=True,
        ge=0,
        allow_inf_nan=False,
        description="`above`/`below`: the value (GMV in minor units, a count, a refund rate "
        "as a share); `up_percent`/`down_percent`: the change in percent",
    ),
]
WebhookUrl = Annotated[
    WebUrl,
    Field(description="Where fired and recovered alerts are POSTed, signed (docs/analytics.md)"),
]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    metric: AlertMetric
    currency: Currency
    window_s: Window = 3600
    condition: AlertCondition
    threshold: Threshold
    webhook_url: WebhookUrl | None = None


class RulePatch(BaseModel):
    """The fields to change; `webhook_url: null` stops deliveries."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    window_s: Window | None = None
    condition: AlertCondition | None = None
    threshold: Threshold | None = None
    webhook_url: WebhookUrl | None = None


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    name: str
    metric: AlertMetric
    currency: str
    window_s: int
    condition: AlertCondition
    threshold: float
    webhook_url: str | None
    state: AlertState = Field(description="`firing` from when it fired until it recovers")
    state_changed_at: datetime | None
    created_at: datetime


class RuleCreated(RuleOut):
    webhook_secret: str = Field(
        description="Signs this rule's webhook deliveries; shown only in this answer"
    )
