"""Bargain operations: templates, starting a bargain, helpers' cuts, the order at the floor.

A cut locks its bargain's row (`SELECT ... FOR UPDATE`: racing helpers queue on it), draws
the amount from what is left (`cuts.cut`, server-side), inserts the helper's cut (its
primary key (bargain, helper) is "one cut per helper") and moves the price with an UPDATE
that names what it read (`helps_done = :seen AND status = 'open'`). SQLite takes no row
locks; there the guard turns an interleaving into a retry. So racing helpers never take the
price below the floor, and the last help lands on it exactly."""

import secrets
from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, Forbidden, NotFound
from chassis.money import Money
from chassis.pagination import PageRequest, fetch_page
from contracts.campaigns import BargainCompleted, BargainCut, BargainStarted
from contracts.orders import OrderPlaced
from services.campaigns import templates
from services.campaigns.bargains import cuts
from services.campaigns.bargains.cuts import BargainStatus
from services.campaigns.bargains.models import Bargain, BargainTemplate, HelperCut
from services.campaigns.bargains.schemas import TemplateRequest
from services.campaigns.calendar import service as calendar

RNG = secrets.SystemRandom()  # cuts must not be predictable from earlier ones
CUT_ATTEMPTS = 5
EXPIRY_BATCH = 500


async def create_template(
    session: AsyncSession, body: TemplateRequest, by: UUID
) -> BargainTemplate:
    template = BargainTemplate(
        **body.model_dump(exclude={"start_price", "floor_price"}),
        start_price=body.start_price,
        floor_price=body.floor_price,
        created_by=by,
    )
    return await templates.save(session, template, body.campaign_id)


async def get_template(session: AsyncSession, template_id: UUID) -> BargainTemplate:
    return await templates.find(session, BargainTemplate, template_id, "bargain")


async def start(session: AsyncSession, template_id: UUID, starter_id: UUID) -> Bargain:
    """The customer's bargain on the template (one per customer); `bargain.started`."""
    template = await get_template(session, template_id)
    await calendar.refuse_if_over(session, template.campaign_id, f"bargain {template_id}")
    at = now()
    bargain = Bargain(
        template_id=template.id,
        starter_id=starter_id,
        sku_id=template.sku_id,
        start_price=template.start_price,
        price=template.start_price,
        floor_price=template.floor_price,
        helps=template.helps,
        helps_done=0,
        cuts=[],
        order_minutes=template.order_minutes,
        started_at=at,
        expires_at=at + timedelta(minutes=template.time_limit_minutes),
    )
    session.add(bargain)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict(f"You have bargained on template {template_id} already.") from None
    await outbox.add(
        session,
        BargainStarted(
            bargain_id=bargain.id,
            template_id=template.id,
            campaign_id=template.campaign_id,
            sku_id=template.sku_id,
            starter_id=starter_id,
            start_price=template.start_price,
            floor_price=template.floor_price,
            helps=template.helps,
            expires_at=bargain.expires_at,
        ),
    )
    await session.commit()
    return bargain


async def get(session: AsyncSession, bargain_id: UUID) -> Bargain:
    bargain = await session.get(Bargain, bargain_id)
    if bargain is None:
        raise NotFound(f"No bargain {bargain_id}.")
    return bargain


async def help_cut(
    session: AsyncSession, bargain_id: UUID, helper_id: UUID
) -> tuple[HelperCut, Bargain]:
    """`helper_id` cuts the bargain's price, or a 403/409 saying why not; the cut and the
    bargain after it."""
    for _ in range(CUT_ATTEMPTS):
        cut = await _try_cut(session, bargain_id, helper_id, now())
        if cut is not None:
            return cut, await session.get(Bargain, bargain_id, populate_existing=True)
    raise Conflict(f"Bargain {bargain_id} is busy; try again.")  # SQLite under a burst


async def _try_cut(
    session: AsyncSession, bargain_id: UUID, helper_id: UUID, at: datetime
) -> HelperCut | None:
    bargain = await session.scalar(
        select(Bargain)
        .where(Bargain.id == bargain_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if bargain is None:
        raise NotFound(f"No bargain {bargain_id}.")
    if bargain.starter_id == helper_id:
        raise Forbidden("Starters cannot cut their own bargain; share it with friends.")
    if any(c.helper_id == helper_id for c in bargain.cuts):  # read under the row's lock
        raise Conflict(_helped_already(bargain_id))
    if bargain.status != BargainStatus.OPEN or bargain.expires_at <= at:
        raise Conflict(_why_closed(bargain))
    seen = bargain.helps_done
    left = bargain.price_amount - bargain.floor_price_amount
    amount = cuts.cut(left, bargain.helps - seen, RNG)
    cut = HelperCut(
        bargain_id=bargain.id, helper_id=helper_id, number=seen + 1, amount=amount, cut_at=at
    )
    session.add(cut)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        if await session.get(HelperCut, (bargain_id, helper_id)) is not None:
            raise Conflict(_helped_already(bargain_id)) from None
        return None  # SQLite: another helper took number seen + 1; read again
    reached = seen + 1 == bargain.helps
    moved = await session.execute(
        update(Bargain)
        .where(
            Bargain.id == bargain.id,
            Bargain.status == BargainStatus.OPEN,
            Bargain.helps_done == seen,
        )
        .values(
            price_amount=Bargain.price_amount - amount,
            helps_done=seen + 1,
            **(
                {
                    "status": BargainStatus.REACHED,
                    "reached_at": at,
                    "order_until": at + timedelta(minutes=bargain.order_minutes),
                }
                if reached
                else {}
            ),
        )
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # SQLite: the bargain moved since it was read
        await session.rollback()
        return None
    price = Money(amount=bargain.price_amount - amount, currency=bargain.currency)
    await outbox.add(
        session,
        BargainCut(
            bargain_id=bargain.id,
            helper_id=helper_id,
            number=cut.number,
            amount=Money(amount=amount, currency=bargain.currency),
            price=price,
            cut_at=at,
        ),
    )
    if reached:
        await outbox.add(
            session,
            BargainCompleted(
                bargain_id=bargain.id,
                template_id=bargain.template_id,
                sku_id=bargain.sku_id,
                starter_id=bargain.starter_id,
                floor_price=bargain.floor_price,
                order_until=at + timedelta(minutes=bargain.order_minutes),
                completed_at=at,
            ),
        )
    await session.commit()
    return cut


def _helped_already(bargain_id: UUID) -> str:
    return f"You have helped with bargain {bargain_id} already."


def _why_closed(bargain: Bargain) -> str:
    # OPEN here is past its time, before the scheduler noticed.
    if bargain.status in (BargainStatus.OPEN, BargainStatus.EXPIRED):
        return f"Bargain {bargain.id} expired at {bargain.expires_at.isoformat()}."
    return f"Bargain {bargain.id} is at its floor price already."


async def expire_due(session: AsyncSession, at: datetime) -> int:
    """Open bargains past their time expire; bargains at the floor not ordered in time
    lapse. Each one guarded statement naming the status it leaves. How many moved."""
    expired = await session.execute(
        update(Bargain)
        .where(Bargain.status == BargainStatus.OPEN, Bargain.expires_at <= at)
        .values(status=BargainStatus.EXPIRED)
        .execution_options(synchronize_session=False)
    )
    lapsed = await session.execute(
        update(Bargain)
        .where(Bargain.status == BargainStatus.REACHED, Bargain.order_until <= at)
        .values(status=BargainStatus.LAPSED)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return expired.rowcount + lapsed.rowcount


async def record_order(session: AsyncSession, order: OrderPlaced) -> bool:
    """The starter's order at the floor price, placed in time, takes the bargain (once:
    `reached → ordered`). Whether it did."""
    bargain = await session.get(Bargain, order.attribution.bargain_id)
    if bargain is None or bargain.starter_id != order.customer_id:
        return False
    line = next((x for x in order.lines if x.sku_id == bargain.sku_id), None)
    if line is None or line.unit_price != bargain.floor_price or line.quantity != 1:
        return False
    ordered = await session.execute(
        update(Bargain)
        .where(
            Bargain.id == bargain.id,
            Bargain.status == BargainStatus.REACHED,
            Bargain.order_until > order.placed_at,
        )
        .values(status=BargainStatus.ORDERED, order_id=order.order_id)
        .execution_options(synchronize_session=False)
    )
    return ordered.rowcount == 1


async def my_bargains(
    session: AsyncSession, starter_id: UUID, page: PageRequest
) -> tuple[list[Bargain], str | None]:
    return await fetch_page(
        session,
        select(Bargain).where(Bargain.starter_id == starter_id),
        key=[Bargain.id],
        page=page,
    )
