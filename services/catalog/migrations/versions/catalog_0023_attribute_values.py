"""attribute values: every name and value products declared or wants asked for, the
vocabulary C2M reads missed searches against (filled from the products and clusters there are)

Revision ID: catalog_0023
Revises: catalog_0022
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0023"
down_revision: str | None = "catalog_0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    values = op.create_table(
        "attribute_values",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("name", "value"),
    )
    bind = op.get_bind()
    pairs: set[tuple[str, str]] = set()
    for (declared,) in bind.execute(sa.text("SELECT attributes FROM products")):
        for name, listed in _decoded(declared).items():
            pairs.update((name, value) for value in listed)
    for (asked,) in bind.execute(sa.text("SELECT attributes FROM demand_clusters")):
        pairs.update(_decoded(asked).items())
    if pairs:
        op.bulk_insert(values, [{"name": n, "value": v} for n, v in sorted(pairs)])


def _decoded(column) -> dict:
    """A JSON column as the driver gives it: decoded already, or its text."""
    return (json.loads(column) if isinstance(column, str) else column) or {}


def downgrade() -> None:
    op.drop_table("attribute_values")
