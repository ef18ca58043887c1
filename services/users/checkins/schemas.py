"""Response bodies of check-ins."""

from datetime import date, datetime

from pydantic import BaseModel, Field


class CheckInOut(BaseModel):
    local_date: date = Field(description="The day checked in, in the user's time zone")
    streak: int = Field(description="Consecutive days checked in, this one included")
    points: int = Field(description="Points this check-in earned")
    checked_in_at: datetime
