"""Tables of C2M: the demand clusters, the signals in them, and the proposals to suppliers."""

from datetime import date, datetime
from uuid import UUID

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime, enum_column
from chassis.ids import new_id
from contracts.catalog import ProposalState
from services.catalog.c2m.rules import SignalKind
from services.catalog.models import Base


class DemandCluster(Base):
    """A category and what is asked of it (`rules.cluster_of`); `key` is its digest, so one
    demand is one row however many signals arrive at once. Its counts are kept as its signals
    arrive, in their transaction, by one `UPDATE ... SET n = n + 1` each (`service._counted`):
    listing clusters reads their rows, not their signals."""

    __tablename__ = "demand_clusters"
    __table_args__ = (Index("ix_demand_clusters_signals", "signals", "id"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    category_id: Mapped[UUID | None] = mapped_column(Uuid)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    label: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    signals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # it holds
    searches: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    wants: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    wishlists: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # on them now
    askers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # `DemandAsker`s
    last_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # its latest signal's


class DemandAsker(Base):
    """A customer who asked for a cluster's demand (a want or a wishlist entry), once: the
    primary key, so the cluster's `askers` counts each customer once however many signals
    they give at once; kept when a product comes off the wishlist (they did ask)."""

    __tablename__ = "demand_askers"

    cluster_id: Mapped[UUID] = mapped_column(ForeignKey("demand_clusters.id"), primary_key=True)
    customer_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)


class DemandClusterDay(Base):
    """A cluster's signals of one UTC day (the day each was made), kept with its counts in the
    signal's transaction: `+ 1` by the database as one arrives, a guarded `- 1` as a wishlist
    entry comes off. Volumes and trends read a few of these rows a cluster, not its signals."""

    __tablename__ = "demand_cluster_days"

    cluster_id: Mapped[UUID] = mapped_column(ForeignKey("demand_clusters.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    signals: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DemandSignal(Base):
    """One sign of demand. A customer's want or wishlist entry is one per customer, product and
    kind (the unique index; searches have no customer, and NULLs never collide)."""

    __tablename__ = "demand_signals"
    __table_args__ = (
        Index("uq_demand_signals_customer", "kind", "customer_id", "product_id", unique=True),
        Index("ix_demand_signals_cluster", "cluster_id", "created_at"),
        Index("ix_demand_signals_created", "created_at"),
    )

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[SignalKind] = mapped_column(enum_column(SignalKind))
    cluster_id: Mapped[UUID] = mapped_column(ForeignKey("demand_clusters.id"))
    customer_id: Mapped[UUID | None] = mapped_column(Uuid)
    product_id: Mapped[UUID | None] = mapped_column(ForeignKey("products.id"))
    sku_id: Mapped[UUID | None] = mapped_column(Uuid)
    attributes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    query: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class Proposal(Base):
    """A demand cluster proposed to a supplier, and how far it got."""

    __tablename__ = "c2m_proposals"
    __table_args__ = (Index("ix_c2m_proposals_cluster", "cluster_id"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    cluster_id: Mapped[UUID] = mapped_column(ForeignKey("demand_clusters.id"))
    supplier_id: Mapped[UUID] = mapped_column(ForeignKey("suppliers.id"))
    state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState))
    note: Mapped[str | None] = mapped_column(String(1000))
    quantity: Mapped[int | None] = mapped_column(Integer)  # a first order's units, if said
    volume: Mapped[int] = mapped_column(Integer)  # the cluster's 30-day volume when proposed
    product_id: Mapped[UUID | None] = mapped_column(ForeignKey("products.id"))  # launched as
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class ProposalStep(Base):
    """Each step a proposal took: who, when, why."""

    __tablename__ = "c2m_proposal_steps"
    __table_args__ = (Index("ix_c2m_proposal_steps_proposal", "proposal_id", "at"),)

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    proposal_id: Mapped[UUID] = mapped_column(ForeignKey("c2m_proposals.id"))
    from_state: Mapped[ProposalState | None] = mapped_column(enum_column(ProposalState))
    to_state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState))
    note: Mapped[str | None] = mapped_column(String(1000))
    by: Mapped[UUID] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
