"""Bodies of the price routes."""

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chassis.money import Money


class SkuPriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    product_id: UUID
    price: Money


class CampaignPriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku_id: UUID
    price: Money = Field(description="The SKU's price while the campaign runs")

    @field_validator("price")
    @classmethod
    def _not_free(cls, price: Money) -> Money:
        if price.amount <= 0:
            raise ValueError("a campaign price is above zero")
        return price


class CampaignPricesRequest(BaseModel):
    """The campaign's prices, all of them (they replace those set before)."""

    model_config = ConfigDict(extra="forbid")

    prices: list[CampaignPriceIn] = Field(max_length=1000)

    @field_validator("prices")
    @classmethod
    def _one_per_sku(cls, prices: list[CampaignPriceIn]) -> list[CampaignPriceIn]:
        skus = [p.sku_id for p in prices]
        if len(set(skus)) != len(skus):
            raise ValueError("one price per SKU")
        return prices


class CampaignPriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    campaign_id: UUID
    sku_id: UUID
    price: Money
