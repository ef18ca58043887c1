"""Statements whose spelling differs between PostgreSQL and SQLite, for every domain."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS = {dialect.dialect.name: dialect.insert for dialect in (postgresql, sqlite)}


def insert(session: AsyncSession, table):
    """An INSERT that takes `on_conflict_do_nothing` / `on_conflict_do_update` on the
    session's database (both spell ON CONFLICT the same way; SQLAlchemy has one per dialect)."""
    return _INSERTS[session.bind.dialect.name](table)
