"""Bodies of the price routes."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from chassis.money import Money


class SkuPriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: UUID
    price: Money
