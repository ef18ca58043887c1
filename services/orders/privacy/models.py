"""Tables of privacy: the customers whose personal data was erased (users' `user.erased`)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Uuid
from sqlalchemy.orm import Mapped, mapped_column

from chassis.db import UtcDateTime
from services.orders.models import Base


class ErasedCustomer(Base):
    """A customer erased in users: what orders kept about them was scrubbed, and nothing
    personal is stored for them again (checkout, carts and after-sales refuse them)."""

    __tablename__ = "erased_customers"

    user_id: Mapped[UUID] = mapped_column(Uuid, primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime)
