"""Campaigns' quote, asked at checkout: the coupon discount of each line of an order.

A synchronous call for a fresh answer (DESIGN §3), with a timeout and a fallback: campaigns
holds the coupons and their rules, and only it knows now whether the customer's coupons apply.
An order without coupons does not ask (it goes at its list or deal price); an order with
coupons that cannot be quoted (campaigns away, slow, or answering an error) is refused with a
503 and `Retry-After`, before anything is written.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import httpx

from chassis.http.problems import ServiceUnavailable
from chassis.money import Money
from contracts.orders import OrderLine

QUOTE = "/api/v1/campaigns/quote"
RETRY_AFTER_SECONDS = 5


class CampaignsUnavailable(ServiceUnavailable):
    def __init__(self, why: str) -> None:
        super().__init__(
            f"The coupons cannot be checked now ({why}); nothing was ordered. Try again shortly,"
            " or order without coupons.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


@dataclass(frozen=True)
class CouponQuote:
    """Each line's coupon discount (minor units, in the lines' order) and, for each chosen
    coupon that does not apply, campaigns' reason."""

    line_discounts: list[int]
    not_applied: dict[UUID, str]
    shipping_discount: int = 0


class CampaignsQuotes:
    """The client of campaigns' quote: one connection pool per service instance."""

    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def coupons(
        self,
        lines: Sequence[OrderLine],
        coupon_ids: Sequence[UUID],
        authorization: str,
        shipping_fee: Money | None = None,
    ) -> CouponQuote:
        """Quote the lines (at the prices the order charges) with exactly these coupons, as
        the customer (their bearer token: the quote reads the caller's coupons)."""
        body = {
            "lines": [
                {
                    "sku_id": str(line.sku_id),
                    "unit_price": line.unit_price.model_dump(),
                    "quantity": line.quantity,
                }
                for line in lines
            ],
            "coupon_ids": [str(c) for c in coupon_ids],
        }
        if shipping_fee is not None:
            body["shipping_fee"] = shipping_fee.model_dump()
        try:
            answer = await self.client.post(
                QUOTE, json=body, headers={"Authorization": authorization}
            )
        except httpx.TimeoutException:
            raise CampaignsUnavailable("campaigns did not answer in time") from None
        except httpx.HTTPError as error:
            raise CampaignsUnavailable(
                f"campaigns is unreachable: {type(error).__name__}"
            ) from None
        if answer.status_code != 200:
            raise CampaignsUnavailable(f"campaigns answered {answer.status_code}")
        return _parsed(answer.json(), lines)

    async def close(self) -> None:
        await self.client.aclose()


def _parsed(quote: dict, lines: Sequence[OrderLine]) -> CouponQuote:
    quoted = quote.get("lines") or []
    if [UUID(q["sku_id"]) for q in quoted] != [line.sku_id for line in lines]:
        raise CampaignsUnavailable("campaigns quoted other lines than the order's")
    return CouponQuote(
        line_discounts=[int(q["discount"]["amount"]) for q in quoted],
        not_applied={UUID(r["coupon_id"]): str(r["reason"]) for r in quote.get("not_applied", [])},
        shipping_discount=sum(
            int(a["discount"]["amount"]) for a in quote.get("applied", []) if a.get("on_shipping")
        ),
    )
