"""Campaigns' quote, asked at checkout for every order: the price of each line under the
campaigns running for the customer, and each line's coupon discount.

A synchronous call for a fresh answer (DESIGN §3), with a timeout and a fallback: campaigns
holds the campaign prices and the coupons, and only it knows now which apply. When it cannot
answer (away, slow, answering an error or a quote that does not fit the order) the order is
refused with a 503 and `Retry-After`, before anything is written, unless it may go at the
catalog's price (`pricing.unquoted_refusal`: no coupons, and no campaign that could be
pricing its SKUs).

An order naming a flash reservation reads it here too, fresh, as the customer: only campaigns
knows whether it is still held for them; when it cannot answer the order is refused the same
way (there is no price to fall back on).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

import httpx

from chassis.http.problems import ServiceUnavailable
from chassis.money import Money
from services.orders.deals.rules import FlashTerms

QUOTE = "/api/v1/campaigns/quote"
FLASH_RESERVATION = "/api/v1/campaigns/flash/reservations/{}"
RETRY_AFTER_SECONDS = 5


class QuotableLine(Protocol):
    """A line to quote: an order's, or a cart's at its list price."""

    sku_id: UUID
    unit_price: Money
    quantity: int


class CampaignsUnavailable(ServiceUnavailable):
    def __init__(self, why: str, what: str = "The coupons cannot be checked now") -> None:
        self.why = why
        super().__init__(
            f"{what} ({why}); nothing was ordered. Try again shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )


@dataclass(frozen=True)
class QuotedLine:
    """A line as campaigns quoted it: its unit price (a running campaign's, when lower than
    the price it was sent at: `campaign_id`), and its coupon discount (minor units)."""

    unit_price: Money
    campaign_id: UUID | None
    discount: int


@dataclass(frozen=True)
class Quote:
    """Each line as quoted (in the lines' order) and, for each chosen coupon that does not
    apply, campaigns' reason."""

    lines: list[QuotedLine]
    not_applied: dict[UUID, str]
    shipping_discount: int = 0


class CampaignsQuotes:
    """The client of campaigns' quote: one connection pool per service instance."""

    def __init__(self, base_url: str, timeout_seconds: float) -> None:
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout_seconds)

    async def quote(
        self,
        lines: Sequence[QuotableLine],
        coupon_ids: Sequence[UUID],
        authorization: str,
        shipping_fee: Money | None = None,
    ) -> Quote:
        """Quote the lines (at their list or deal prices) with exactly these coupons, as the
        customer (their bearer token: the quote reads the caller's coupons and segments)."""
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
        answer = await self._ask("POST", QUOTE, authorization, json=body)
        if answer.status_code != 200:
            raise CampaignsUnavailable(f"campaigns answered {answer.status_code}")
        try:
            return _parsed(answer.json(), lines)
        except (KeyError, TypeError, ValueError) as error:
            raise CampaignsUnavailable(f"campaigns' quote is malformed: {error!r}") from None

    async def flash_reservation(
        self, reservation_id: UUID, authorization: str
    ) -> FlashTerms | None:
        """The customer's flash reservation as campaigns holds it now (their bearer token:
        campaigns shows a customer only their own); None when it knows no such reservation
        of theirs."""
        what = "The flash reservation cannot be checked now"
        answer = await self._ask(
            "GET", FLASH_RESERVATION.format(reservation_id), authorization, what=what
        )
        if answer.status_code == 404:
            return None
        if answer.status_code != 200:
            raise CampaignsUnavailable(f"campaigns answered {answer.status_code}", what)
        try:
            found = answer.json()
            terms = FlashTerms(
                reservation_id=UUID(found["id"]),
                session_id=UUID(found["session_id"]),
                sku_id=UUID(found["sku_id"]),
                quantity=int(found["quantity"]),
                flash_price=Money.model_validate(found["flash_price"]),
                status=str(found["status"]),
                expires_at=datetime.fromisoformat(found["expires_at"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CampaignsUnavailable(
                f"campaigns' flash reservation is malformed: {error!r}", what
            ) from None
        if terms.reservation_id != reservation_id or terms.expires_at.tzinfo is None:
            raise CampaignsUnavailable("campaigns answered another flash reservation", what)
        return terms

    async def _ask(
        self,
        method: str,
        path: str,
        authorization: str,
        what: str = "The coupons cannot be checked now",
        **request,
    ) -> httpx.Response:
        try:
            return await self.client.request(
                method, path, headers={"Authorization": authorization}, **request
            )
        except httpx.TimeoutException:
            raise CampaignsUnavailable("campaigns did not answer in time", what) from None
        except httpx.HTTPError as error:
            raise CampaignsUnavailable(
                f"campaigns is unreachable: {type(error).__name__}", what
            ) from None

    async def close(self) -> None:
        await self.client.aclose()


def _parsed(quote: dict, lines: Sequence[QuotableLine]) -> Quote:
    quoted = quote.get("lines") or []
    if [UUID(q["sku_id"]) for q in quoted] != [line.sku_id for line in lines]:
        raise CampaignsUnavailable("campaigns quoted other lines than the order's")
    return Quote(
        lines=[
            QuotedLine(
                unit_price=Money.model_validate(q["unit_price"]),
                campaign_id=UUID(q["campaign_id"]) if q.get("campaign_id") else None,
                discount=int(q["discount"]["amount"]),
            )
            for q in quoted
        ],
        not_applied={UUID(r["coupon_id"]): str(r["reason"]) for r in quote.get("not_applied", [])},
        shipping_discount=sum(
            int(a["discount"]["amount"]) for a in quote.get("applied", []) if a.get("on_shipping")
        ),
    )
