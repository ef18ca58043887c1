"""Group buys set up straight on the campaigns database, for the group tests."""

import json

from sqlalchemy import select

from chassis.events.tables import outbox
from chassis.http.problems import Conflict
from chassis.ids import new_id
from chassis.money import Money
from services.campaigns.groups import service
from services.campaigns.groups.models import Group, GroupMember
from services.campaigns.groups.schemas import TemplateRequest


async def open_group(db, size: int = 5, minutes: int = 60, campaign_id=None) -> Group:
    body = TemplateRequest(
        name="3 人团",
        sku_id=new_id(),
        group_size=size,
        group_price=Money(amount=59_00, currency="CNY"),
        time_limit_minutes=minutes,
        campaign_id=campaign_id,
    )
    async with db.session() as session:
        template = await service.create_template(session, body, new_id())
    async with db.session() as session:
        return await service.open_group(session, template.id, new_id())


async def join(db, code: str, customer_id) -> bool:
    async with db.session() as session:
        try:
            await service.join(session, code, customer_id)
        except Conflict:
            return False
        return True


async def seats(db, group_id) -> list[int]:
    async with db.session() as session:
        return sorted(
            await session.scalars(select(GroupMember.seat).where(GroupMember.group_id == group_id))
        )


async def events(db, type_: str) -> list[dict]:
    async with db.session() as session:
        rows = await session.scalars(select(outbox.c.payload).where(outbox.c.type == type_))
        return [json.loads(row)["data"] for row in rows]
