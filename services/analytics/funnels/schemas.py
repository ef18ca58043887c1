"""Response bodies of the funnels API."""

from datetime import datetime

from pydantic import BaseModel, Field


class FunnelStep(BaseModel):
    name: str
    people: int = Field(description="People who did every step up to this one, in order")
    conversion_from_previous: float = Field(description="Share of the step before (0 to 1)")
    conversion_from_first: float = Field(description="Share of the first step (0 to 1)")
    median_seconds_from_previous: float | None = Field(
        default=None,
        description="Median time from the step before, over the people who reached this one; "
        "null for the first step and a step nobody reached",
    )


class Funnel(BaseModel):
    start: datetime = Field(serialization_alias="from")
    end: datetime = Field(serialization_alias="to")
    window_s: int = Field(description="The steps happen within this many seconds of the first")
    steps: list[FunnelStep]
