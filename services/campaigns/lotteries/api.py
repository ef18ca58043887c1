"""Lottery routes: operators set up lotteries, grant chances and ship prizes; customers draw;
anyone reads the terms, and after the close the seed, the audit log and its verification."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.clock import now
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.idempotency import IdempotencyDep
from chassis.pagination import Page, PageDep
from services.campaigns.lotteries import service
from services.campaigns.lotteries.models import Lottery
from services.campaigns.lotteries.prizes import Fulfilment
from services.campaigns.lotteries.schemas import (
    AuditLine,
    ChancesOut,
    DrawOut,
    DrawRequest,
    FindingOut,
    FulfilmentRequest,
    GrantOut,
    GrantRequest,
    LotteryOut,
    LotteryRequest,
    LotteryStatus,
    PrizeOut,
    VerificationOut,
)

router = APIRouter(tags=["lotteries"])


@router.post(
    "/lotteries",
    status_code=status.HTTP_201_CREATED,
    summary="Set up a lottery with its prizes; the hash of its server seed is public at once",
    responses=responses(401, 403, 422),
)
async def create(body: LotteryRequest, session: SessionDep, by: OperatorDep) -> LotteryOut:
    return _lottery(await service.create(session, body, by.user_id))


@router.get(
    "/lotteries/{lottery_id}",
    summary="A lottery's terms, its seed's hash, and the seed once it has closed",
    responses=responses(404, 422),
)
async def get(lottery_id: UUID, session: SessionDep) -> LotteryOut:
    return _lottery(await service.get(session, lottery_id))


@router.post(
    "/lotteries/{lottery_id}/draws",
    status_code=status.HTTP_201_CREATED,
    response_model=DrawOut,
    summary="Draw once (a chance of today's, or a granted one); retry with the Idempotency-Key",
    responses=responses(401, 404, 409, 422),
)
async def draw(
    lottery_id: UUID, session: SessionDep, customer: PrincipalDep, idempotency: IdempotencyDep
) -> Response:
    async def command() -> DrawOut:
        return DrawOut.model_validate(
            await service.draw(session, lottery_id, customer.user_id, now())
        )

    try:
        return await idempotency.run(
            session,
            caller=customer.user_id,
            request=DrawRequest(lottery_id=lottery_id),
            command=command,
            status_code=201,
        )
    except service.BudgetSpent as spent:
        await service.stop_awarding(session, spent.campaign_id)
        raise


@router.get(
    "/me/lotteries/{lottery_id}/chances",
    summary="The signed-in customer's chances left in a lottery",
    responses=responses(401, 404, 422),
)
async def my_chances(lottery_id: UUID, session: SessionDep, customer: PrincipalDep) -> ChancesOut:
    today, extra, draws = await service.chances(session, lottery_id, customer.user_id, now())
    return ChancesOut(lottery_id=lottery_id, today_left=today, extra_left=extra, draws=draws)


@router.get(
    "/me/draws",
    summary="The signed-in customer's draws, newest first",
    responses=responses(401, 422),
)
async def my_draws(
    session: SessionDep,
    customer: PrincipalDep,
    page: PageDep,
    lottery_id: Annotated[UUID | None, Query(description="Only this lottery's")] = None,
) -> Page[DrawOut]:
    rows, cursor = await service.my_draws(session, customer.user_id, lottery_id, page)
    return Page(items=[DrawOut.model_validate(d) for d in rows], next_cursor=cursor)


@router.post(
    "/lotteries/{lottery_id}/chances",
    status_code=status.HTTP_201_CREATED,
    response_model=GrantOut,
    summary="Grant a user extra chances, once per key (a repeat answers 200 with the grant)",
    responses={
        200: {"model": GrantOut, "description": "Granted before under this key: nothing more"},
        **responses(401, 403, 404, 409, 422),
    },
)
async def grant(
    lottery_id: UUID, body: GrantRequest, session: SessionDep, by: OperatorDep
) -> Response:
    given, made = await service.grant(session, lottery_id, body, by.user_id)
    return Response(
        GrantOut.model_validate(given).model_dump_json(),
        status_code=status.HTTP_201_CREATED if made else status.HTTP_200_OK,
        media_type="application/json",
    )


@router.get(
    "/lotteries/{lottery_id}/prize-draws",
    summary="A lottery's draws that won a prize, for fulfilment (operators)",
    responses=responses(401, 403, 404, 422),
)
async def prize_draws(
    lottery_id: UUID,
    session: SessionDep,
    _: OperatorDep,
    page: PageDep,
    fulfilment: Annotated[Fulfilment | None, Query(description="Only in this status")] = None,
) -> Page[DrawOut]:
    rows, cursor = await service.draws(session, lottery_id, fulfilment, page)
    return Page(items=[DrawOut.model_validate(d) for d in rows], next_cursor=cursor)


@router.put(
    "/lotteries/draws/{draw_id}/fulfilment",
    summary="Move a won item's fulfilment a step: pending → shipped → delivered",
    responses=responses(401, 403, 404, 409, 422),
)
async def fulfil(
    draw_id: UUID, body: FulfilmentRequest, session: SessionDep, _: OperatorDep
) -> DrawOut:
    return DrawOut.model_validate(await service.fulfil(session, draw_id, body.fulfilment))


@router.get(
    "/lotteries/{lottery_id}/audit",
    summary="Every draw of a closed lottery, oldest first: the log its verification reads",
    responses=responses(404, 409, 422),
)
async def audit(lottery_id: UUID, session: SessionDep, page: PageDep) -> Page[AuditLine]:
    lottery = await service.closed(session, lottery_id, now())
    rows, cursor = await service.audit(session, lottery, page)
    lines = []
    for entry in rows:
        line = service.audited(lottery, entry)
        lines.append(
            AuditLine(
                draw_id=line.draw_id,
                user_id=line.user_id,
                counter=line.counter,
                picked=line.picked,
                awarded=line.awarded,
                drawn_at=entry.drawn_at,
            )
        )
    return Page(items=lines, next_cursor=cursor)


@router.get(
    "/lotteries/{lottery_id}/verification",
    summary="Every draw of a closed lottery recomputed from its revealed seed",
    responses=responses(404, 409, 422),
)
async def verification(lottery_id: UUID, session: SessionDep) -> VerificationOut:
    lottery = await service.closed(session, lottery_id, now())
    draws, findings = await service.verify(session, lottery)
    return VerificationOut(
        lottery_id=lottery.id,
        server_seed=lottery.server_seed.hex(),
        seed_hash=lottery.seed_hash,
        draws=draws,
        fair=not findings,
        findings=[FindingOut(draw_id=f.draw_id, problem=f.problem) for f in findings],
    )


def _lottery(lottery: Lottery) -> LotteryOut:
    state = service.status(lottery, now())
    return LotteryOut(
        id=lottery.id,
        name=lottery.name,
        campaign_id=lottery.campaign_id,
        opens_at=lottery.opens_at,
        closes_at=lottery.closes_at,
        time_zone=lottery.time_zone,
        draws_per_day=lottery.draws_per_day,
        chances_per_check_in=lottery.chances_per_check_in,
        chances_per_referral=lottery.chances_per_referral,
        no_prize_weight=lottery.no_prize_weight,
        status=state,
        seed_hash=lottery.seed_hash,
        server_seed=lottery.server_seed.hex() if state == LotteryStatus.CLOSED else None,
        prizes=[PrizeOut.model_validate(p) for p in lottery.prizes],
    )
