"""The provably fair draw: pure functions anyone can run to check a lottery's every draw.

Before a lottery opens, SHA-256 of its 32-byte server seed is published (`seed_hash`, hex).
A draw is the `counter`-th draw (from 1) of the user `user_id` in that lottery; its roll is

    roll = int.from_bytes(HMAC-SHA256(key=seed, msg=f"{user_id}:{counter}"), "big")

with `user_id` in the canonical lowercase hyphenated form. The outcomes are the prizes in
their published order, then no prize, with their weights `w_1 .. w_n, w_0`; the roll picks
`roll mod (w_1 + .. + w_n + w_0)` on the running sum: the first outcome whose running sum
exceeds it. (A 256-bit roll over a total below 2^32 has a bias under 2^-224.)

A prize whose stock is gone when it is picked is not awarded: the draw falls back to no
prize. Falling back to the next prize instead would hand the rare prize's odds to the one
below it, which is not what the operator published. So a check of the audit log, after the
seed is revealed, holds for any order the draws were served in: every draw's pick is its
roll's; every award is its pick, or no prize where the picked prize was given out to its
whole stock; and no prize was awarded more than its stock.
"""

import hashlib
import hmac
import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

SEED_BYTES = 32


def new_seed() -> bytes:
    return secrets.token_bytes(SEED_BYTES)


def seed_hash(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def roll(seed: bytes, user_id: UUID, counter: int) -> int:
    digest = hmac.new(seed, f"{user_id}:{counter}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest, "big")


def pick(value: int, weights: Sequence[int], no_prize_weight: int) -> int | None:
    """The index of the prize `value` picks among `weights` (in order), or None for no
    prize."""
    if any(w < 0 for w in weights) or no_prize_weight < 0:
        raise ValueError("weights must be non-negative")
    total = sum(weights) + no_prize_weight
    if total == 0:  # pragma: no mutate (`<= 0` is the same: no weight is negative here)
        raise ValueError("weights must have a positive total")
    point = value % total
    for index, weight in enumerate(weights):
        if point < weight:
            return index
        point -= weight
    return None


def outcome(
    seed: bytes, user_id: UUID, counter: int, weights: Sequence[int], no_prize_weight: int
) -> int | None:
    return pick(roll(seed, user_id, counter), weights, no_prize_weight)


@dataclass(frozen=True)
class AuditedPrize:
    weight: int
    stock: int


@dataclass(frozen=True)
class AuditedDraw:
    """One line of the audit log: who drew, their counter, what was picked and awarded
    (prize indexes, None for no prize)."""

    draw_id: UUID
    user_id: UUID
    counter: int
    picked: int | None
    awarded: int | None


@dataclass(frozen=True)
class Finding:
    draw_id: UUID | None
    problem: str


def verify(
    seed: bytes,
    published_hash: str,
    prizes: Sequence[AuditedPrize],
    no_prize_weight: int,
    draws: Sequence[AuditedDraw],
) -> list[Finding]:
    """Everything wrong with a lottery's audit log (an empty list: every draw is fair)."""
    if seed_hash(seed) != published_hash:
        return [Finding(None, "the revealed seed does not hash to the published seed_hash")]
    weights = [p.weight for p in prizes]
    findings: list[Finding] = []
    awarded = Counter(d.awarded for d in draws if d.awarded is not None)
    seen: set[tuple[UUID, int]] = set()
    for draw in draws:
        if (draw.user_id, draw.counter) in seen:
            findings.append(Finding(draw.draw_id, "a second draw with the same counter"))
        seen.add((draw.user_id, draw.counter))
        expected = outcome(seed, draw.user_id, draw.counter, weights, no_prize_weight)
        if draw.picked != expected:
            findings.append(
                Finding(draw.draw_id, f"picked {draw.picked}, the roll picks {expected}")
            )
        elif draw.awarded != draw.picked and not (
            draw.awarded is None and awarded[draw.picked] >= prizes[draw.picked].stock
        ):
            findings.append(
                Finding(draw.draw_id, f"awarded {draw.awarded} though {draw.picked} had stock")
            )
    for index, count in sorted(awarded.items()):
        if count > prizes[index].stock:
            findings.append(
                Finding(None, f"prize {index} awarded {count} times, stock {prizes[index].stock}")
            )
    return findings
