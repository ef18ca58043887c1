"""Response bodies of the cohorts API."""

from datetime import date

from pydantic import BaseModel, Field


class Cohort(BaseModel):
    week: date = Field(description="Monday of the week of these buyers' first order (UTC)")
    buyers: int
    retained: list[int] = Field(
        description="Buyers who ordered again in week 0 (all), 1, 2... after their first"
    )
    rates: list[float] = Field(description="`retained` as shares of `buyers` (0 to 1)")


class Cohorts(BaseModel):
    weeks: int = Field(description="Weeks followed after the first")
    cohorts: list[Cohort]
