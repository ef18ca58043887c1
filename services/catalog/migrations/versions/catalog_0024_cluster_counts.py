"""cluster counts: each demand cluster's signals, searches, wants, wishlists, askers and last
signal, kept on its row as signals arrive (filled from the signals there are), and the askers
counted once each

Revision ID: catalog_0024
Revises: catalog_0023
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "catalog_0024"
down_revision: str | None = "catalog_0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("signals", "searches", "wants", "wishlists", "askers")
KINDS = {"searches": "search_missed", "wants": "want", "wishlists": "wishlist"}


def upgrade() -> None:
    for name in COUNTS:
        op.add_column(
            "demand_clusters",
            sa.Column(name, sa.Integer(), server_default="0", nullable=False),
        )
    op.add_column(
        "demand_clusters", sa.Column("last_asked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_demand_clusters_signals", "demand_clusters", ["signals", "id"])
    op.create_table(
        "demand_askers",
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["demand_clusters.id"]),
        sa.PrimaryKeyConstraint("cluster_id", "customer_id"),
    )
    op.execute(
        "INSERT INTO demand_askers (cluster_id, customer_id) "
        "SELECT DISTINCT cluster_id, customer_id FROM demand_signals "
        "WHERE customer_id IS NOT NULL"
    )
    of_cluster = "FROM demand_signals s WHERE s.cluster_id = demand_clusters.id"
    counted = {
        name: f"(SELECT count(*) {of_cluster} AND s.kind = '{kind}')"
        for name, kind in KINDS.items()
    }
    counted["signals"] = f"(SELECT count(*) {of_cluster})"
    counted["askers"] = (
        "(SELECT count(*) FROM demand_askers a WHERE a.cluster_id = demand_clusters.id)"
    )
    counted["last_asked_at"] = f"(SELECT max(s.created_at) {of_cluster})"
    op.execute("UPDATE demand_clusters SET " + ", ".join(f"{c} = {q}" for c, q in counted.items()))


def downgrade() -> None:
    op.drop_table("demand_askers")
    op.drop_index("ix_demand_clusters_signals", table_name="demand_clusters")
    for name in ("last_asked_at", *COUNTS):
        op.drop_column("demand_clusters", name)
