"""The one declarative Base of the orders database; each domain's models.py imports it."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
