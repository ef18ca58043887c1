"""The saga's decision (pure): which participants an order needs, and what their answers mean.

Catalog always reserves stock; campaigns locks coupons (and a flash reservation) when the
order carries any; users holds points when it redeems some. Every needed yes → the order
awaits payment; the first no → it is cancelled with that participant's reason (the others
then give back what they took, on OrderCancelled); otherwise it waits.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from contracts.orders import Attribution, CancelReason


class Participant(StrEnum):
    STOCK = "stock"
    COUPONS = "coupons"
    POINTS = "points"


REFUSAL = {
    Participant.STOCK: CancelReason.STOCK_REJECTED,
    Participant.COUPONS: CancelReason.COUPONS_REFUSED,
    Participant.POINTS: CancelReason.POINTS_REFUSED,
}


@dataclass(frozen=True)
class Answer:
    accepted: bool
    detail: str | None = None


@dataclass(frozen=True)
class Proceed:
    """Every participant the order needs said yes."""


@dataclass(frozen=True)
class Wait:
    missing: frozenset[Participant]


@dataclass(frozen=True)
class Cancel:
    reason: CancelReason
    detail: str | None


Verdict = Proceed | Wait | Cancel


def needed(attribution: Attribution, points: int) -> frozenset[Participant]:
    participants = {Participant.STOCK}
    if attribution.coupon_ids or attribution.flash_reservation_id:
        participants.add(Participant.COUPONS)
    if points:
        participants.add(Participant.POINTS)
    return frozenset(participants)


def decide(needs: frozenset[Participant], answers: Mapping[Participant, Answer]) -> Verdict:
    """What the order does next, given the answers so far (an answer nobody asked for, e.g. a
    participant's reply to an order without coupons, is ignored)."""
    for participant in (p for p in Participant if p in needs):  # one reason if two refuse
        answer = answers.get(participant)
        if answer is not None and not answer.accepted:
            return Cancel(REFUSAL[participant], answer.detail)
    missing = frozenset(p for p in needs if p not in answers)
    return Wait(missing) if missing else Proceed()
