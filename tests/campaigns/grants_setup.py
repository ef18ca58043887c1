"""Fixed-amount coupon templates and the grant rules that give them, made through the service
or its routes, users' lifecycle changes, and the coupons a template gave, for the tests of
coupons given upon other services' events (grant rules, birthdays, call rewards)."""

from datetime import UTC, datetime

from sqlalchemy import select

from chassis.ids import new_id
from contracts.users import LifecycleChanged
from services.campaigns.coupons import grant_rules, service
from services.campaigns.coupons.models import Coupon, CouponTemplate, GrantRule
from services.campaigns.coupons.schemas import GrantRuleRequest, TemplateRequest

COUPONS = "/api/v1/campaigns/coupons"
RULES = "/api/v1/campaigns/coupon-grant-rules"


def fixed(
    name: str, amount_off: int, valid_days: int, total: int = 100, per_user_limit: int = 1
) -> dict:
    """A fixed-amount template's terms, in CNY."""
    return {
        "name": name,
        "kind": "fixed",
        "currency": "CNY",
        "amount_off": amount_off,
        "valid_days": valid_days,
        "total_quantity": total,
        "per_user_limit": per_user_limit,
    }


async def template(db, **terms) -> CouponTemplate:
    """A fixed-amount template (`fixed`'s terms) made by the service."""
    async with db.session() as session:
        return await service.create_template(session, TemplateRequest(**fixed(**terms)), new_id())


async def posted_template(staff, **terms) -> str:
    """A fixed-amount template (`fixed`'s terms) an operator made over HTTP: its id."""
    response = await staff.post(COUPONS, json=fixed(**terms))
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def posted_rule(staff, **body) -> dict:
    """A grant rule (its name, template, trigger and conditions) an operator made over HTTP."""
    response = await staff.post(RULES, json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def rule(db, template: CouponTemplate, **body) -> GrantRule:
    """A grant rule of the template (its name, trigger and conditions) made by the service."""
    async with db.session() as session:
        request = GrantRuleRequest(template_id=template.id, **body)
        return await grant_rules.create(session, request, new_id())


def lifecycle_changed(
    user_id, to_stage: str, from_stage: str = "active", reason: str = "inactive"
) -> LifecycleChanged:
    return LifecycleChanged(
        user_id=user_id,
        from_stage=from_stage,
        to_stage=to_stage,
        reason=reason,
        rule_version=1,
        changed_at=datetime.now(UTC),
    )


async def consume(db, handler, event) -> None:
    """As the consumer does: the handler in a transaction of its own."""
    async with db.session() as session, session.begin():
        await handler(event, session)


async def given(db, template_id, holder_id=None) -> list[Coupon]:
    """The template's coupons (of one holder, if given), in the order they were claimed."""
    statement = select(Coupon).where(Coupon.template_id == template_id)
    if holder_id is not None:
        statement = statement.where(Coupon.holder_id == holder_id)
    async with db.session() as session:
        return list(await session.scalars(statement.order_by(Coupon.claimed_at)))


async def held(platform, token, *template_ids: str) -> list[dict]:
    """The customer's coupons of these templates, as they see them (their wallet may hold
    others, given by other tests' rules on the shared platform)."""
    async with platform.client("campaigns", token) as customer:
        items = (await customer.get("/api/v1/campaigns/me/coupons")).json()["items"]
    return [c for c in items if c["template_id"] in template_ids]
