"""Tables of shipping: the freight templates operators manage."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.clock import now
from chassis.db import UtcDateTime
from chassis.ids import new_id
from contracts.users import Tier
from services.orders.models import Base
from services.orders.shipping.rules import Basis, Freight, Rate


class FreightTemplate(Base):
    """A freight template; the one activated last prices every order's shipping."""

    __tablename__ = "freight_templates"

    id: Mapped[UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100))
    currency: Mapped[str] = mapped_column(String(3))
    terms: Mapped[dict] = mapped_column(JSON)  # FreightRequest's rates, threshold, regions
    created_by: Mapped[UUID] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    def freight(self) -> Freight:
        terms = self.terms
        basis = Basis(terms.get("basis", Basis.ITEMS))
        unit = "grams" if basis == Basis.WEIGHT else "items"

        def rate(r: dict) -> Rate:
            return Rate(
                first=r[f"first_{unit}"],
                first_fee=r["first_fee"]["amount"],
                extra=r[f"extra_{unit}"],
                extra_fee=r["extra_fee"]["amount"],
                regions=frozenset(r.get("regions", ())),
            )

        return Freight(
            name=self.name,
            default=rate(terms["default"]),
            rates=tuple(rate(r) for r in terms.get("rates", ())),
            free_over=(terms.get("free_over") or {}).get("amount"),
            excluded=frozenset(terms.get("excluded_regions", ())),
            surcharges={
                s["region"]: s["fee"]["amount"] for s in terms.get("remote_surcharges", ())
            },
            basis=basis,
            member_free_over={
                Tier(m["tier"]): m["free_over"]["amount"] for m in terms.get("member_free_over", ())
            },
            unknown_grams=terms.get("unknown_weight_grams"),
        )
