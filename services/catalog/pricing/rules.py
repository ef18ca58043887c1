"""Pricing rules, without I/O: the margin guard, which price applies at a moment (the base
price or a scheduled one), and the life of a scheduled change."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from chassis.http.problems import Conflict

BPS = 10_000  # basis points in a whole: a margin of 1000 bps is 10% of the price


def floor(cost: int, min_margin_bps: int) -> int:
    """The lowest price (minor units) that keeps `min_margin_bps` of it as margin over
    `cost`: the smallest p with (p - cost) / p >= margin, i.e. p >= cost / (1 - margin),
    rounded up to the next minor unit, in integers."""
    if not 0 <= min_margin_bps < BPS:
        raise ValueError(f"a margin of {min_margin_bps} bps leaves nothing for the cost")
    return -(-cost * BPS // (BPS - min_margin_bps))


def margin_bps(price: int, cost: int) -> int | None:
    """The margin `price` keeps over `cost`, in basis points of the price (rounded down;
    negative when it sells below cost); None for a price of 0."""
    if price == 0:  # pragma: no mutate (prices are never negative: <= 0 is the same test)
        return None
    return (price - cost) * BPS // price


def below_floor(price: int, cost: int | None, min_margin_bps: int) -> int | None:
    """The floor `price` falls below, or None when it keeps the margin (or there is no
    cost to guard: a SKU without a known cost is not guarded)."""
    if cost is None:
        return None
    lowest = floor(cost, min_margin_bps)
    return lowest if price < lowest else None


def base_price(list_amount: int, sale_amount: int | None) -> int:
    """What a SKU sells for outside any scheduled change: its sale price if it has one."""
    return list_amount if sale_amount is None else sale_amount


@dataclass(frozen=True)
class Window:
    """A scheduled price: `amount` from `starts_at` until `ends_at` (None: until cancelled),
    scheduled at `scheduled_at`."""

    id: UUID
    amount: int
    starts_at: datetime
    scheduled_at: datetime
    ends_at: datetime | None = None

    def covers(self, at: datetime) -> bool:
        return self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


@dataclass(frozen=True)
class Resolved:
    amount: int
    window: UUID | None  # the scheduled change that sets it; None: the base price


def resolve(base: int, windows: Iterable[Window], at: datetime) -> Resolved:
    """The price that applies at `at`: of the scheduled changes covering it, the one that
    started last (a short flash price inside a long promotion wins while it lasts; of two
    starting together, the one scheduled last; the id settles a tie of both); the base price
    when none covers it."""
    covering = [w for w in windows if w.covers(at)]
    if not covering:
        return Resolved(base, None)
    winner = max(covering, key=lambda w: (w.starts_at, w.scheduled_at, w.id))
    return Resolved(winner.amount, winner.id)


class ScheduleState(StrEnum):
    PENDING = "pending"  # waiting for its start
    ACTIVE = "active"  # started: it applies unless a later-starting one covers it too
    ENDED = "ended"  # its end came
    CANCELLED = "cancelled"  # an operator cancelled it, before or during
    REFUSED = "refused"  # at its start the cost had risen: it would break the margin guard


class ScheduleAction(StrEnum):
    START = "start"
    END = "end"
    CANCEL = "cancel"
    REFUSE = "refuse"


MOVES: dict[ScheduleAction, tuple[frozenset[ScheduleState], ScheduleState]] = {
    ScheduleAction.START: (frozenset({ScheduleState.PENDING}), ScheduleState.ACTIVE),
    ScheduleAction.REFUSE: (frozenset({ScheduleState.PENDING}), ScheduleState.REFUSED),
    ScheduleAction.END: (frozenset({ScheduleState.ACTIVE}), ScheduleState.ENDED),
    ScheduleAction.CANCEL: (
        frozenset({ScheduleState.PENDING, ScheduleState.ACTIVE}),
        ScheduleState.CANCELLED,
    ),
}


class IllegalTransition(Conflict):
    slug = "illegal-transition"


def move(
    current: ScheduleState, action: ScheduleAction
) -> tuple[frozenset[ScheduleState], ScheduleState]:
    """The states `action` may leave and the one it reaches; a 409 from any other state."""
    leaves, reaches = MOVES[action]
    if current not in leaves:
        raise IllegalTransition(f"A scheduled change that is {current} cannot {action}.")
    return leaves, reaches
