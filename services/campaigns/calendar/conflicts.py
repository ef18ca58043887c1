"""Calendar conflicts: campaigns whose windows overlap on the same SKUs or segments."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.campaigns.calendar.windows import overlap


@dataclass(frozen=True)
class Plan:
    """What conflict detection needs to know of a campaign."""

    id: UUID
    name: str
    starts_at: datetime
    ends_at: datetime
    sku_ids: frozenset[UUID]
    segments: frozenset[str]


@dataclass(frozen=True)
class Conflict:
    campaign_id: UUID
    name: str
    sku_ids: frozenset[UUID]
    segments: frozenset[str]


def conflicts(plan: Plan, calendar: list[Plan]) -> list[Conflict]:
    """The campaigns of `calendar` that overlap `plan` in time and share a SKU or a segment
    with it, each with what they share. Campaigns on no SKU and no segment (a site-wide
    sale) share nothing by this rule: operators stack those on purpose."""
    found = []
    for other in calendar:
        if other.id == plan.id or not overlap(
            (plan.starts_at, plan.ends_at), (other.starts_at, other.ends_at)
        ):
            continue
        skus, segments = plan.sku_ids & other.sku_ids, plan.segments & other.segments
        if skus or segments:
            found.append(Conflict(other.id, other.name, skus, segments))
    return found
