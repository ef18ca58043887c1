"""Payment providers behind one interface, and the simulated one used until a real one slots in.

A provider creates a payment (a hosted page the customer pays on) and later calls back
asynchronously; `verify` proves a callback is its own and fresh; `refund` gives part or all
of a payment back. Alipay, WeChat Pay or Stripe implement the same steps with their own page,
their own verifier and their own refund call.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Protocol
from uuid import UUID

from fastapi import Depends, Request

from chassis.ids import new_id
from chassis.money import Money
from services.orders.payments import payers, signatures


@dataclass(frozen=True)
class HostedPayment:
    page_url: str
    reference: str  # the provider's id of the payment


class PaymentProvider(Protocol):
    name: str

    async def refund(self, payment_reference: str, refund_id: UUID, amount: Money) -> str:
        """Give `amount` of the payment back; the provider's id of the refund. `refund_id`
        is the idempotency key a real provider takes, so a retried call refunds once."""

    async def create(self, payment_id: UUID, order_id: UUID, amount: Money) -> HostedPayment:
        """Open a payment at the provider; the customer pays on its page."""

    def verify(self, body: bytes, headers: Mapping[str, str], at: datetime) -> signatures.Signed:
        """Prove a callback is the provider's and fresh (raises InvalidSignature)."""

    def payer_ref(self, payer_id: str) -> str:
        """The keyed hash of the provider's id of a payer's account (`payers.payer_ref`, keyed
        by a secret of this deployment), the only form in which it leaves payments."""


class SimulatedProvider:
    """A provider that pays when told to: `callback` is what it would POST once paid."""

    name = "simulated"

    def __init__(self, secret: bytes, tolerance: timedelta, page_base: str) -> None:
        self.secret, self.tolerance, self.page_base = secret, tolerance, page_base
        self.refunds: dict[UUID, tuple[str, Money]] = {}  # what it gave back, by refund id

    async def refund(self, payment_reference: str, refund_id: UUID, amount: Money) -> str:
        self.refunds.setdefault(refund_id, (payment_reference, amount))
        return f"simrefund_{refund_id.hex}"

    async def create(self, payment_id: UUID, order_id: UUID, amount: Money) -> HostedPayment:
        return HostedPayment(f"{self.page_base}/{payment_id}", f"sim_{payment_id.hex}")

    def verify(self, body: bytes, headers: Mapping[str, str], at: datetime) -> signatures.Signed:
        return signatures.verify(
            self.secret,
            body,
            timestamp=headers.get(signatures.TIMESTAMP),
            nonce=headers.get(signatures.NONCE),
            signature=headers.get(signatures.SIGNATURE),
            at=at,
            tolerance=self.tolerance,
        )

    def payer_ref(self, payer_id: str) -> str:
        # keyed by the callback secret (ORDERS_PAYMENT_SECRET): rotating it makes a payer's
        # later payments a new reference, which no earlier one matches
        return payers.payer_ref(self.secret, self.name, payer_id)

    def callback(
        self,
        payment_id: UUID,
        order_id: UUID,
        amount: Money,
        at: datetime,
        *,
        payer_id: str | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of the callback saying the payment succeeded at `at`, paid
        from the payer account `payer_id` when given (as Alipay's buyer_id, a card's
        fingerprint)."""
        fields = {
            "payment_id": str(payment_id),
            "order_id": str(order_id),
            "amount": amount.model_dump(),
            "reference": f"sim_{payment_id.hex}",
        }
        if payer_id is not None:
            fields["payer_id"] = payer_id
        body = json.dumps(fields).encode()
        timestamp, nonce = int(at.timestamp()), new_id().hex
        return body, {
            signatures.TIMESTAMP: str(timestamp),
            signatures.NONCE: nonce,
            signatures.SIGNATURE: signatures.sign(self.secret, timestamp, nonce, body),
            "Content-Type": "application/json",
        }


def _provider(request: Request) -> PaymentProvider:
    return request.app.state.payment_provider


ProviderDep = Annotated[PaymentProvider, Depends(_provider)]
