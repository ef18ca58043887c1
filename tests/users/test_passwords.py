"""Password hashing cost: production's by default, and a raised cost reaches every account
at its next sign-in (the suite itself runs at the least cost: tests/conftest.py)."""

import pytest

from services.users.accounts import passwords
from services.users.accounts.passwords import HashCost
from services.users.settings import Settings

COST_VARIABLES = (
    "USERS_PASSWORD_TIME_COST",
    "USERS_PASSWORD_MEMORY_KIB",
    "USERS_PASSWORD_PARALLELISM",
)


def test_unset_the_cost_is_argon2_cffis_default(monkeypatch):
    for name in COST_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert Settings().password_cost == HashCost(time_cost=3, memory_kib=65_536, parallelism=4)


def test_memory_below_eight_kib_per_lane_is_refused():
    with pytest.raises(ValueError, match="8 KiB per lane"):
        Settings(password_memory_kib=16, password_parallelism=4)


async def stored_hash(users, email: str) -> str:
    rows = await users.sql("SELECT password_hash FROM users WHERE email = :e", e=email)
    return rows[0][0]


async def test_a_raised_cost_rehashes_at_the_next_sign_in(users):
    _, email = await users.register()
    before = await stored_hash(users, email)
    low = Settings().password_cost
    raised = HashCost(low.time_cost + 1, low.memory_kib, low.parallelism)
    passwords.configure(raised)
    try:
        assert (await users.login(email))["access_token"]
        after = await stored_hash(users, email)
        assert (await users.login(email))["access_token"]  # the new hash verifies
        again = await stored_hash(users, email)
    finally:
        passwords.configure(low)
    assert f"t={low.time_cost}," in before
    assert f"t={raised.time_cost}," in after
    assert again == after  # once at the new cost, it stays
