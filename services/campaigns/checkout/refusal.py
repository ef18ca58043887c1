"""Why a part of an order's campaign benefits could not be held for it."""

from typing import NamedTuple
from uuid import UUID


class Refusal(NamedTuple):
    reason: str
    exhausted_campaign: UUID | None = None  # the budget that could not take its share
