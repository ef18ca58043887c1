"""Group-buy operations: templates, opening and joining groups, their completion and expiry.

A join is one guarded UPDATE of the group's seat counter (`members < size`, still open,
not expired) that returns the seat it took, then the member's row: its primary key
(group, customer) is "one join per customer", the unique (group, seat) "one customer per
seat". On PostgreSQL racing joins queue on the group's row, each re-reading the counter, so
20 customers racing for a group of 5 seat exactly 5; a duplicate join rolls back its seat.
The join that takes the last seat completes the group in the same transaction. Expiry is
one UPDATE naming the status it leaves (`open`), so a last join and the expiry racing on a
group cannot both win."""

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, NotFound
from chassis.pagination import PageRequest, fetch_page
from contracts.campaigns import GroupCompleted, GroupFailed, GroupMemberOrder, GroupOpened
from contracts.orders import OrderPlaced
from services.campaigns import templates
from services.campaigns.calendar import service as calendar
from services.campaigns.groups import rules
from services.campaigns.groups.models import Group, GroupMember, GroupTemplate
from services.campaigns.groups.rules import GroupStatus
from services.campaigns.groups.schemas import TemplateRequest

CODE_ATTEMPTS = 5
EXPIRY_BATCH = 200


async def create_template(session: AsyncSession, body: TemplateRequest, by: UUID) -> GroupTemplate:
    template = GroupTemplate(**body.model_dump(exclude={"group_price"}), created_by=by)
    template.group_price = body.group_price
    return await templates.save(session, template, body.campaign_id)


async def get_template(session: AsyncSession, template_id: UUID) -> GroupTemplate:
    return await templates.find(session, GroupTemplate, template_id, "group-buy")


async def open_group(session: AsyncSession, template_id: UUID, leader_id: UUID) -> Group:
    """A new group of the template, its leader in seat 1; `group.opened`."""
    template = await get_template(session, template_id)
    await calendar.refuse_if_over(session, template.campaign_id, f"group buy {template_id}")
    at = now()
    for _ in range(CODE_ATTEMPTS):
        group = Group(
            template_id=template.id,
            code=rules.share_code(),
            leader_id=leader_id,
            size=template.group_size,
            members=1,
            opened_at=at,
            expires_at=at + timedelta(minutes=template.time_limit_minutes),
        )
        savepoint = await session.begin_nested()
        try:
            session.add(group)
            await session.flush()
        except IntegrityError:  # the code was taken: draw another
            await savepoint.rollback()
            continue
        await savepoint.commit()
        break
    else:  # five collisions in 8.5e11 codes: not in this universe, but not a 500 either
        raise Conflict("No free share code; try again.")
    session.add(GroupMember(group_id=group.id, customer_id=leader_id, seat=1, joined_at=at))
    await outbox.add(
        session,
        GroupOpened(
            group_id=group.id,
            template_id=template.id,
            campaign_id=template.campaign_id,
            sku_id=template.sku_id,
            group_price=template.group_price,
            size=group.size,
            leader_id=leader_id,
            code=group.code,
            expires_at=group.expires_at,
        ),
    )
    await session.commit()
    return group


async def by_code(session: AsyncSession, code: str) -> Group:
    normal = rules.normal_code(code)
    group = None
    if normal is not None:
        group = await session.scalar(select(Group).where(Group.code == normal))
    if group is None:
        raise NotFound(f"No group with code {code}.")
    return group


async def join(session: AsyncSession, code: str, customer_id: UUID) -> tuple[Group, GroupMember]:
    """Seat `customer_id` in the group shared as `code`, or a 409 saying why not; the last
    seat completes the group (`group.completed`)."""
    group = await by_code(session, code)
    shared, at = group.code, now()
    seat = (
        await session.execute(
            update(Group)
            .where(
                Group.id == group.id,
                Group.status == GroupStatus.OPEN,
                Group.members < Group.size,
                Group.expires_at > at,
            )
            .values(members=Group.members + 1)
            .returning(Group.members)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    if seat is None:
        await session.rollback()
        await session.refresh(group)
        raise Conflict(_why_closed(group))
    member = GroupMember(group_id=group.id, customer_id=customer_id, seat=seat, joined_at=at)
    session.add(member)
    try:
        await session.flush()
    except IntegrityError:  # this customer holds a seat already: the taken seat goes back
        await session.rollback()
        raise Conflict(f"You are already in group {shared}.") from None
    if seat == group.size:
        await _complete(session, group, at)
    await session.commit()
    await session.refresh(group)
    return group, member


def _why_closed(group: Group) -> str:
    if group.status == GroupStatus.COMPLETED or group.members >= group.size:
        return f"Group {group.code} is full."
    return f"Group {group.code} expired at {group.expires_at.isoformat()}."  # or past its time


async def _complete(session: AsyncSession, group: Group, at: datetime) -> None:
    # The join's UPDATE holds the group's row (and found it open) until this commits.
    await session.execute(
        update(Group)
        .where(Group.id == group.id, Group.status == GroupStatus.OPEN)
        .values(status=GroupStatus.COMPLETED, closed_at=at)
        .execution_options(synchronize_session=False)
    )
    template = group.template
    await outbox.add(
        session,
        GroupCompleted(
            group_id=group.id,
            template_id=template.id,
            sku_id=template.sku_id,
            group_price=template.group_price,
            members=await _members(session, group.id),
            completed_at=at,
        ),
    )


async def _members(session: AsyncSession, group_id: UUID) -> list[GroupMemberOrder]:
    rows = await session.execute(
        select(GroupMember.customer_id, GroupMember.order_id)
        .where(GroupMember.group_id == group_id)
        .order_by(GroupMember.seat)
    )
    return [GroupMemberOrder(customer_id=c, order_id=o) for c, o in rows]


async def expire_due(session: AsyncSession, at: datetime) -> int:
    """Groups still open at their expiry fail (one guarded statement each batch), each with
    `group.failed` naming its members' orders; how many failed."""
    failed = (
        (
            await session.execute(
                update(Group)
                .where(
                    Group.id.in_(
                        select(Group.id)
                        .where(Group.status == GroupStatus.OPEN, Group.expires_at <= at)
                        .limit(EXPIRY_BATCH)
                        .scalar_subquery()
                    ),
                    Group.status == GroupStatus.OPEN,
                )
                .values(status=GroupStatus.FAILED, closed_at=at)
                .returning(Group.id)
                .execution_options(synchronize_session=False)
            )
        )
        .scalars()
        .all()
    )
    for group_id in failed:
        group = await session.get(Group, group_id)
        await outbox.add(
            session,
            GroupFailed(
                group_id=group_id,
                template_id=group.template_id,
                sku_id=group.template.sku_id,
                members=await _members(session, group_id),
                reason="expired",
                failed_at=at,
            ),
        )
    await session.commit()
    return len(failed)


async def link_order(session: AsyncSession, order: OrderPlaced) -> bool:
    """Record the order a member placed for their group (the first one; a redelivered or a
    second order changes nothing). Whether it was recorded."""
    linked = await session.execute(
        update(GroupMember)
        .where(
            GroupMember.group_id == order.attribution.group_id,
            GroupMember.customer_id == order.customer_id,
            GroupMember.order_id.is_(None),
        )
        .values(order_id=order.order_id)
        .execution_options(synchronize_session=False)
    )
    return linked.rowcount == 1


async def my_groups(
    session: AsyncSession, customer_id: UUID, page: PageRequest
) -> tuple[list[tuple[Group, GroupMember]], str | None]:
    members, cursor = await fetch_page(
        session,
        select(GroupMember).where(GroupMember.customer_id == customer_id),
        key=[GroupMember.group_id],
        page=page,
    )
    groups = {
        g.id: g
        for g in await session.scalars(
            select(Group).where(Group.id.in_([m.group_id for m in members]))
        )
    }
    return [(groups[m.group_id], m) for m in members], cursor
