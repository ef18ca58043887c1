"""The analytics database's declarative base (each domain's tables import it).

Events themselves live in the ClickHouse store (`store/`); this database keeps what the
service needs transactions for: the outbox and inbox, and collection's dedup keys."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
