"""Bodies of the budget routes."""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from chassis.money import Money


class BudgetOut(BaseModel):
    campaign_id: UUID
    budget: Money
    spent: Money
    remaining: Money
    exhausted_at: datetime | None
