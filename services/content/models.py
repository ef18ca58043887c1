"""The one declarative Base of the content database (each domain's tables import it)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
