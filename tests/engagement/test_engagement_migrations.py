"""The engagement revisions build exactly the tables the models declare, on both backends."""

from collections.abc import AsyncIterator

import pytest
from drift import drift

from chassis.db import Database
from services.engagement.app import SCHEMA
from services.engagement.models import Base


@pytest.fixture
async def db(database_url) -> AsyncIterator[Database]:
    database = Database(database_url("engagement"), service="engagement")
    await database.create_database_if_missing()
    yield database
    await database.dispose()


async def test_the_revisions_match_the_models(db):
    assert await drift(db, SCHEMA, Base.metadata) == []
