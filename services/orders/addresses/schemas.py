"""Request and response bodies of the address book."""

from datetime import datetime
from uuid import UUID

from pydantic import ConfigDict, Field

from services.orders.shipping.schemas import ShippingAddress

MAX_ADDRESSES = 20


class AddressRequest(ShippingAddress):
    is_default: bool | None = Field(
        default=None,
        description="true: the default from now on; false: no longer the default; omitted: "
        "as it is (a customer's first address is the default)",
    )


class AddressOut(ShippingAddress):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    is_default: bool
    created_at: datetime
    updated_at: datetime
