"""Whether a campaign could be pricing its SKUs now (pure): what checkout asks when
campaigns' quote cannot be had, to know whether the catalog's price may be charged."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

# Kinds whose mechanics carry their own prices: campaigns sets no campaign price on their
# SKUs (docs/campaigns.md, "Campaign prices in the quote").
UNPRICED_KINDS = frozenset({"flash_sale", "group_buy", "lottery"})
# Clocks of two services differ a little: a window is taken as this much wider either side.
CLOCK_SKEW = timedelta(minutes=1)


@dataclass(frozen=True)
class Window:
    campaign_id: UUID
    kind: str | None
    starts_at: datetime | None
    ends_at: datetime | None
    started_at: datetime | None = None
    closed_at: datetime | None = None


def could_price(window: Window, at: datetime) -> bool:
    """Whether campaigns may be pricing the campaign's SKUs at `at`: it takes campaign
    prices (its kind is not one of the mechanics with prices of their own), it has not
    ended or been cancelled, and it has started or its window holds `at` (campaigns starts it
    at `starts_at`, and we may not have heard yet), give or take the clocks' skew."""
    if window.closed_at is not None or window.kind in UNPRICED_KINDS:
        return False
    if window.starts_at is None or window.ends_at is None:
        return window.started_at is not None  # a start heard before its scheduling
    begun = window.started_at is not None or window.starts_at - CLOCK_SKEW <= at
    return begun and at < window.ends_at + CLOCK_SKEW
