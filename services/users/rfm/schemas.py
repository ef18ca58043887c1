"""Request and response bodies of RFM."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from chassis.http.fields import JsonInt
from services.users.rfm import scoring


def _ascending(cuts: list[int]) -> list[int]:
    if not scoring.ascending(cuts):
        raise ValueError("must be four cut-offs, each above the one before")
    return cuts


CutOffs = Annotated[
    list[Annotated[int, Strict(), Field(ge=0, le=2**53 - 1)]],
    Field(min_length=4, max_length=4),
    AfterValidator(_ascending),
]


class CutsIn(BaseModel):
    """Four ascending cut-offs per dimension separating the scores 1..5 (a value equal to a
    cut-off takes the lower band)."""

    model_config = ConfigDict(extra="forbid")

    recency_days: CutOffs = Field(description="Days since the last paid order (fewer: better)")
    frequency: CutOffs = Field(description="Paid orders")
    monetary: CutOffs = Field(description="Net spend, minor units")

    def edges(self) -> scoring.Edges:
        return scoring.Edges(tuple(self.recency_days), tuple(self.frequency), tuple(self.monetary))


class CutsOut(BaseModel):
    basis: str = Field(description="`quintiles` (recomputed nightly) or `operator`")
    recency_days: list[int]
    frequency: list[int]
    monetary: list[JsonInt]
    population: int = Field(description="Users with a paid order when last computed")
    computed_at: datetime


class RfmOut(BaseModel):
    cuts: CutsOut | None = Field(description="Null until first computed")
    recency: dict[str, int] = Field(description="Users per recency score, 1..5")
    frequency: dict[str, int]
    monetary: dict[str, int]
    codes: dict[str, int] = Field(description='Users per RFM code, e.g. "543"')


class UserRfmOut(BaseModel):
    user_id: UUID
    r: int | None = Field(description="Recency score 1..5 (null: never paid, or no cut-offs)")
    f: int | None
    m: int | None
    code: str | None
    recency_days: int | None
    frequency: int | None
    monetary: JsonInt | None
    scored_at: datetime | None
