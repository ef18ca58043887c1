"""INSERT ... ON CONFLICT for the database the session is on (PostgreSQL or SQLite): the
statement behind every "at most one" and every counter that starts at zero here."""

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert(session: AsyncSession, table):
    return _INSERTS[session.bind.dialect.name](table)
