"""Who acts in the content tests."""

import pytest


@pytest.fixture(scope="session")
async def operator(platform) -> str:
    """A token of a user who is an operator and nothing else."""
    _, token = await platform.staff("operator")
    return token


@pytest.fixture
async def customer(platform) -> tuple[str, str]:
    """A fresh customer: (user id, token)."""
    return await platform.customer()
