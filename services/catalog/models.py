"""The catalog's one declarative Base: each domain's tables (categories, products, inventory,
search) are declared on it in that domain's `models.py`."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
