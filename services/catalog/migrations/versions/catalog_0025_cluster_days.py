"""cluster days: each demand cluster's signals a UTC day, kept as signals arrive and leave, so
the cluster list reads its volumes and trends from a few rows a cluster (filled from the
signals there are)

Revision ID: catalog_0025
Revises: catalog_0024
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0025"
down_revision: str | None = "catalog_0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A signal's UTC day: PostgreSQL keeps `timestamptz`, SQLite the UTC time as text.
DAY = {
    "postgresql": "CAST(created_at AT TIME ZONE 'UTC' AS DATE)",
    "sqlite": "date(created_at)",
}


def upgrade() -> None:
    op.create_table(
        "demand_cluster_days",
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("signals", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["demand_clusters.id"]),
        sa.PrimaryKeyConstraint("cluster_id", "day"),
    )
    day = DAY[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO demand_cluster_days (cluster_id, day, signals) "
        f"SELECT cluster_id, {day}, count(*) FROM demand_signals GROUP BY cluster_id, {day}"
    )


def downgrade() -> None:
    op.drop_table("demand_cluster_days")
