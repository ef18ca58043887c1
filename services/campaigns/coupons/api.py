"""Coupon routes: operators issue templates; customers claim, list and price with coupons."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.clock import now
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.idempotency import IdempotencyDep
from chassis.money import Money
from chassis.pagination import Page, PageDep
from services.campaigns import templates
from services.campaigns.coupons import call_rewards, grant_rules, grants, service
from services.campaigns.coupons.models import GrantRule
from services.campaigns.coupons.pricing import CouponStatus
from services.campaigns.coupons.schemas import (
    AppliedCoupon,
    CallRewardOut,
    ClaimRequest,
    CouponOut,
    GrantRuleChange,
    GrantRuleOut,
    GrantRuleRequest,
    QuotedLine,
    QuoteOut,
    QuoteRequest,
    RefusedCoupon,
    SegmentGrantOut,
    SegmentGrantRequest,
    TemplateOut,
    TemplateRequest,
)

router = APIRouter(tags=["coupons"])


templates.add_routes(
    router,
    "/coupons",
    request=TemplateRequest,
    out=TemplateOut,
    create=service.create_template,
    get=service.get_template,
    create_summary="Issue a coupon template",
    get_summary="A coupon template and how many remain",
)


@router.post(
    "/coupon-grant-rules",
    status_code=status.HTTP_201_CREATED,
    summary="Give a template's coupon upon an event (registration, a lifecycle move, a tier "
    "reached) that meets the rule's conditions, once per user",
    responses=responses(401, 403, 422),
)
async def create_grant_rule(
    body: GrantRuleRequest, session: SessionDep, by: OperatorDep
) -> GrantRuleOut:
    return await _rule_out(session, await grant_rules.create(session, body, by.user_id))


@router.get(
    "/coupon-grant-rules/{rule_id}",
    summary="A grant rule and how many users it gave a coupon or skipped",
    responses=responses(401, 403, 404, 422),
)
async def grant_rule(rule_id: UUID, session: SessionDep, by: OperatorDep) -> GrantRuleOut:
    return await _rule_out(session, await grant_rules.get(session, rule_id))


@router.patch(
    "/coupon-grant-rules/{rule_id}",
    summary="Stop a grant rule (or start it again)",
    responses=responses(401, 403, 404, 422),
)
async def change_grant_rule(
    rule_id: UUID, body: GrantRuleChange, session: SessionDep, by: OperatorDep
) -> GrantRuleOut:
    rule = await grant_rules.set_active(session, rule_id, body.active)
    return await _rule_out(session, rule)


async def _rule_out(session: AsyncSession, rule: GrantRule) -> GrantRuleOut:
    granted, skipped = await grant_rules.outcomes(session, rule.id)
    return GrantRuleOut.model_validate(rule).model_copy(
        update={"granted": granted, "skipped": skipped}
    )


@router.post(
    "/coupons/{template_id}/segment-grants",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SegmentGrantOut,
    summary="Grant the template's coupon to every member of a users segment (in the "
    "background, batch by batch; a retry with the Idempotency-Key answers as the first)",
    responses=responses(401, 403, 404, 422),
)
async def grant_to_segment(
    template_id: UUID,
    body: SegmentGrantRequest,
    session: SessionDep,
    by: OperatorDep,
    idempotency: IdempotencyDep,
) -> Response:
    async def command() -> SegmentGrantOut:
        grant = await grants.start(session, template_id, body.segment_id, by.user_id)
        return SegmentGrantOut.model_validate(grant)

    return await idempotency.run(
        session, caller=by.user_id, request=body, command=command, status_code=202
    )


@router.get(
    "/coupons/segment-grants/{grant_id}",
    summary="A segment grant's progress",
    responses=responses(401, 403, 404, 422),
)
async def segment_grant(grant_id: UUID, session: SessionDep, by: OperatorDep) -> SegmentGrantOut:
    return SegmentGrantOut.model_validate(await grants.get(session, grant_id))


@router.get(
    "/coupons/call-rewards/{call_id}",
    summary="A content call's winners and the coupons they were given (or why not)",
    responses=responses(401, 403, 422),
)
async def call_rewards_of(
    call_id: UUID, session: SessionDep, by: OperatorDep
) -> list[CallRewardOut]:
    return [CallRewardOut.model_validate(r) for r in await call_rewards.of_call(session, call_id)]


@router.post(
    "/coupons/{template_id}/claims",
    status_code=status.HTTP_201_CREATED,
    response_model=CouponOut,
    summary="Claim a coupon of the template (within its total and the per-customer limit)",
    responses=responses(401, 404, 409, 422),
)
async def claim(
    template_id: UUID, session: SessionDep, customer: PrincipalDep, idempotency: IdempotencyDep
) -> Response:
    async def command() -> CouponOut:
        return CouponOut.model_validate(await service.claim(session, template_id, customer.user_id))

    return await idempotency.run(
        session,
        caller=customer.user_id,
        request=ClaimRequest(template_id=template_id),
        command=command,
        status_code=201,
    )


@router.get(
    "/me/coupons", summary="The coupons the signed-in customer holds", responses=responses(401, 422)
)
async def my_coupons(
    session: SessionDep,
    customer: PrincipalDep,
    page: PageDep,
    status: Annotated[CouponStatus | None, Query(description="Only coupons in this status")] = None,
) -> Page[CouponOut]:
    coupons, cursor = await service.my_coupons(session, customer.user_id, status, page)
    return Page(items=[CouponOut.model_validate(c) for c in coupons], next_cursor=cursor)


@router.post(
    "/quote",
    summary="Price a cart at the campaign prices running for the customer, with the best "
    "valid combination of their coupons",
    responses=responses(401, 422),
)
async def quote(body: QuoteRequest, session: SessionDep, customer: PrincipalDep) -> QuoteOut:
    priced, result = await service.quote(session, customer.user_id, body, now())
    listed, cart = priced.listed, priced.cart

    def money(amount: int) -> Money:
        return Money(amount=amount, currency=cart.currency)

    campaign_discount = listed.subtotal - cart.subtotal
    return QuoteOut(
        subtotal=money(listed.subtotal),
        shipping_fee=money(cart.shipping_fee),
        campaign_discount=money(campaign_discount),
        discount=money(result.discount),
        total=money(listed.subtotal + cart.shipping_fee - campaign_discount - result.discount),
        lines=[
            QuotedLine(
                sku_id=line.sku_id,
                amount=money(line.amount),
                unit_price=money(at.unit_price),
                campaign_id=offer and offer.campaign_id,
                campaign_discount=money(line.amount - at.amount),
                discount=money(off),
                pays=money(at.amount - off),
            )
            for line, at, offer, off in zip(
                listed.lines, cart.lines, priced.offers, result.line_discounts, strict=True
            )
        ],
        applied=[
            AppliedCoupon(coupon_id=a.coupon_id, discount=money(a.discount), on_shipping=a.shipping)
            for a in result.applied
        ],
        not_applied=[
            RefusedCoupon(coupon_id=coupon_id, reason=reason)
            for coupon_id, reason in result.refused.items()
        ],
    )
