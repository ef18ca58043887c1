"""The one declarative base of the users database: every domain's tables derive from it, so
one metadata holds them all (migrations compare against it)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
