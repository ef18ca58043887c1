"""The provably fair draw and the prize rules, as pure functions: the roll, the pick, the
verification of an audit log, and how a won item's fulfilment moves."""

import hashlib
import hmac
from collections import Counter
from uuid import UUID

import pytest

from chassis.ids import new_id
from services.campaigns.lotteries import fairness
from services.campaigns.lotteries.fairness import AuditedDraw, AuditedPrize
from services.campaigns.lotteries.prizes import Fulfilment, can_move

SEED = bytes(range(32))
USER = UUID("01937a3c-0000-7000-8000-000000000001")


def test_the_roll_is_hmac_sha256_of_the_user_and_counter_keyed_by_the_seed():
    # The documented procedure, spelled out independently of the module.
    digest = hmac.new(SEED, b"01937a3c-0000-7000-8000-000000000001:3", hashlib.sha256)
    assert fairness.roll(SEED, USER, 3) == int(digest.hexdigest(), 16)
    assert fairness.roll(SEED, USER, 3) != fairness.roll(SEED, USER, 4)
    assert fairness.seed_hash(SEED) == hashlib.sha256(SEED).hexdigest()
    assert len(fairness.new_seed()) == 32  # 256 bits, as long as the digest
    assert fairness.new_seed() != fairness.new_seed()


def test_a_pick_walks_the_running_sum_of_the_weights_then_no_prize():
    # weights 1, 2 and no prize 3: 0 → prize 0; 1, 2 → prize 1; 3, 4, 5 → no prize.
    picks = [fairness.pick(value, [1, 2], 3) for value in range(12)]
    assert picks == [0, 1, 1, None, None, None] * 2


def test_picks_follow_the_weights():
    seed = fairness.new_seed()
    users = [new_id() for _ in range(20_000)]
    picks = Counter(fairness.outcome(seed, u, 1, [1, 3], 6) for u in users)
    assert 1_700 <= picks[0] <= 2_300  # 10%
    assert 5_400 <= picks[1] <= 6_600  # 30%
    assert 11_300 <= picks[None] <= 12_700  # 60%


def test_weights_without_a_positive_total_are_refused():
    with pytest.raises(ValueError, match="positive total"):
        fairness.pick(5, [0, 0], 0)
    with pytest.raises(ValueError, match="non-negative"):
        fairness.pick(5, [-1, 3], 1)
    with pytest.raises(ValueError, match="non-negative"):
        fairness.pick(5, [1, 3], -1)


def _log(seed, prizes, no_prize, users):
    """An honest audit log: each user's first draw, stock taken in order."""
    left = [p.stock for p in prizes]
    draws = []
    for user in users:
        picked = fairness.outcome(seed, user, 1, [p.weight for p in prizes], no_prize)
        awarded = picked if picked is not None and left[picked] > 0 else None
        if awarded is not None:
            left[awarded] -= 1
        draws.append(AuditedDraw(new_id(), user, 1, picked, awarded))
    return draws


PRIZES = [AuditedPrize(weight=1, stock=2), AuditedPrize(weight=5, stock=1_000)]


def test_an_honest_log_verifies_even_when_a_prize_ran_out():
    seed = fairness.new_seed()
    draws = _log(seed, PRIZES, 4, [new_id() for _ in range(300)])
    assert any(d.picked == 0 and d.awarded is None for d in draws)  # prize 0 ran out
    assert fairness.verify(seed, fairness.seed_hash(seed), PRIZES, 4, draws) == []


def test_verification_finds_every_kind_of_tampering():
    seed = fairness.new_seed()
    draws = _log(seed, PRIZES, 4, [new_id() for _ in range(300)])
    published = fairness.seed_hash(seed)
    assert fairness.verify(fairness.new_seed(), published, PRIZES, 4, draws) == [
        fairness.Finding(None, "the revealed seed does not hash to the published seed_hash")
    ]
    won = next(i for i, d in enumerate(draws) if d.awarded == 1)
    lost = next(i for i, d in enumerate(draws) if d.picked is None)

    def tampered(index, **change):
        log = list(draws)
        log[index] = AuditedDraw(**{**log[index].__dict__, **change})
        return fairness.verify(seed, published, PRIZES, 4, log)

    # Withheld: prize 1 had stock, the draw was marked no prize.
    [withheld] = tampered(won, awarded=None)
    assert withheld.draw_id == draws[won].draw_id
    assert withheld.problem == "awarded None though 1 had stock"
    # Rigged: a losing roll recorded as a win.
    [rigged] = tampered(lost, picked=1, awarded=1)
    assert rigged.problem == "picked 1, the roll picks None"
    # Over-awarded: a third prize 0 with stock 2.
    extra = AuditedDraw(new_id(), draws[0].user_id, 2, 0, 0)
    log = [*draws, extra]
    findings = fairness.verify(seed, published, PRIZES, 4, log)
    assert fairness.Finding(None, "prize 0 awarded 3 times, stock 2") in findings
    # A counter used twice.
    twice = [*draws, draws[0].__class__(**{**draws[0].__dict__, "draw_id": new_id()})]
    assert [f.problem for f in fairness.verify(seed, published, PRIZES, 4, twice)][:1] == [
        "a second draw with the same counter"
    ]


@pytest.mark.parametrize(
    ("current", "to", "allowed"),
    [
        (Fulfilment.PENDING, Fulfilment.SHIPPED, True),
        (Fulfilment.SHIPPED, Fulfilment.DELIVERED, True),
        (Fulfilment.PENDING, Fulfilment.DELIVERED, False),
        (Fulfilment.DELIVERED, Fulfilment.SHIPPED, False),
        (Fulfilment.ISSUED, Fulfilment.SHIPPED, False),
        (Fulfilment.NONE, Fulfilment.SHIPPED, False),
        (Fulfilment.SHIPPED, Fulfilment.SHIPPED, False),
    ],
)
def test_an_item_moves_pending_shipped_delivered_one_step_at_a_time(current, to, allowed):
    assert can_move(current, to) is allowed


def test_a_single_outcome_always_wins():
    assert [fairness.pick(value, [1], 0) for value in (0, 7, 2**255)] == [0, 0, 0]
    assert fairness.pick(7, [0], 1) is None


def test_any_other_seed_is_found_whichever_way_its_hash_sorts():
    published = fairness.seed_hash(SEED)
    others = [bytes([n]) * 32 for n in range(1, 9)]
    hashes = [fairness.seed_hash(s) for s in others]
    assert min(hashes) < published < max(hashes)  # both sides are tried
    for other in others:
        assert fairness.verify(other, published, PRIZES, 4, []) == [
            fairness.Finding(None, "the revealed seed does not hash to the published seed_hash")
        ]


def test_a_large_stock_given_out_then_a_fallback_verifies():
    # Stocks and positions past 256: equal integers, not the same objects.
    seed, prizes = fairness.new_seed(), [AuditedPrize(weight=1, stock=300)]
    draws = _log(seed, prizes, 0, [new_id() for _ in range(301)])
    assert [d.awarded for d in draws].count(None) == 1
    assert fairness.verify(seed, fairness.seed_hash(seed), prizes, 0, draws) == []
    many = [AuditedPrize(weight=1, stock=5) for _ in range(300)]

    def read_back(n: int | None) -> int | None:  # as from a database: another int object
        return None if n is None else int(str(n))

    draws = [
        AuditedDraw(d.draw_id, d.user_id, d.counter, read_back(d.picked), read_back(d.awarded))
        for d in _log(seed, many, 0, [new_id() for _ in range(200)])
    ]
    assert max(d.picked for d in draws) > 256
    assert fairness.verify(seed, fairness.seed_hash(seed), many, 0, draws) == []


def test_a_fallback_from_an_over_awarded_prize_is_not_blamed_twice():
    seed, prizes = fairness.new_seed(), [AuditedPrize(weight=1, stock=1)]
    users = [new_id() for _ in range(3)]
    draws = [
        AuditedDraw(new_id(), users[0], 1, 0, 0),
        AuditedDraw(new_id(), users[1], 1, 0, 0),  # the over-award
        AuditedDraw(new_id(), users[2], 1, 0, None),  # gone by then: no prize is right
    ]
    assert fairness.verify(seed, fairness.seed_hash(seed), prizes, 0, draws) == [
        fairness.Finding(None, "prize 0 awarded 2 times, stock 1")
    ]


def test_audit_lines_prizes_and_findings_cannot_be_changed_once_made():
    line = AuditedDraw(new_id(), USER, 1, 0, 0)
    with pytest.raises(AttributeError):
        line.awarded = None
    with pytest.raises(AttributeError):
        PRIZES[0].stock = 10
    with pytest.raises(AttributeError):
        fairness.Finding(None, "x").problem = "y"


def test_a_prize_costs_the_budget_unless_it_is_a_coupon():
    from pydantic import ValidationError

    from services.campaigns.lotteries.schemas import PrizeRequest

    cost = {"amount": 20_00, "currency": "CNY"}
    item = PrizeRequest(name="耳机", kind="item", weight=1, stock=1, cost=cost)
    assert item.cost.amount == 20_00
    with pytest.raises(ValidationError, match="cost is not given for coupon prizes"):
        PrizeRequest(
            name="¥20", kind="coupon", weight=1, stock=1, coupon_template_id=new_id(), cost=cost
        )
