"""Experiment assignment: which variant a unit (a user, a device) sees, without a call.

Every service that shows an experiment computes the same answer from the definition alone,
so a user meets the same variant in the feed, the campaign page and the push message. The
rule is a stable hash, so storefronts and partners can reproduce it in any language:

    u(salt) = first 8 bytes of SHA-256("<salt>:<experiment key>:<unit id>") as a big-endian
              unsigned integer, divided by 2**64            (uniform in [0, 1))

1. `u("traffic") >= traffic`: the unit is not in the experiment (None: the default experience).
2. `u("holdout") < holdout`: the unit is held out ("holdout": the default experience, and
   counted, to measure the experiment against doing nothing).
3. Otherwise the variant whose share of the summed weights covers `u("variant")`, in order.

Each step has its own salt, so ramping traffic up only adds units (nobody changes variant),
and a unit's variant does not depend on its holdout draw. Experiments are independent of
each other: their keys salt the hash.
"""

import hashlib
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

HOLDOUT = "holdout"


class Variant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    weight: int = Field(default=1, ge=1, le=10_000)


class Experiment(BaseModel):
    """An experiment's definition, as it travels in events between services."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(min_length=1, max_length=100)
    variants: tuple[Variant, ...] = Field(min_length=2)
    traffic: float = Field(default=1.0, ge=0.0, le=1.0, description="share of units in it")
    holdout: float = Field(default=0.0, ge=0.0, lt=1.0, description="share of those held out")

    @model_validator(mode="after")
    def _names_are_unique_and_free(self) -> Self:
        names = [variant.name for variant in self.variants]
        if len(set(names)) != len(names):
            raise ValueError("variant names must be unique")
        if HOLDOUT in names:
            raise ValueError(f"{HOLDOUT!r} is reserved for the held-out units")
        return self

    def assign(self, unit_id: str) -> str | None:
        """The variant `unit_id` sees, "holdout", or None when it is not in the experiment."""
        if _uniform("traffic", self.key, unit_id) >= self.traffic:
            return None
        if _uniform("holdout", self.key, unit_id) < self.holdout:
            return HOLDOUT
        point = _uniform("variant", self.key, unit_id) * sum(v.weight for v in self.variants)
        for variant in self.variants:
            point -= variant.weight
            if point < 0:
                return variant.name
        return self.variants[-1].name  # unreachable but for float rounding at the very top


def _uniform(salt: str, key: str, unit_id: str) -> float:
    digest = hashlib.sha256(f"{salt}:{key}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64
