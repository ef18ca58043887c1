"""Events the campaigns service publishes."""

from datetime import datetime
from uuid import UUID

from chassis.events import EventData, event
from chassis.money import Money


@event(
    "flywheel.campaigns.campaign.scheduled.v1",
    topic="flywheel.campaigns.campaign",
    key="campaign_id",
)
class CampaignScheduled(EventData):
    """A campaign was put on the calendar."""

    campaign_id: UUID
    name: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    budget: Money | None = None
    scheduled_by: str
