"""Routes of RFM (operators): the cut-offs and distribution, setting or clearing cut-offs,
recomputing now, a user's scores."""

from uuid import UUID

from fastapi import APIRouter, status
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.users.accounts import service as accounts
from services.users.rfm import service
from services.users.rfm.schemas import CutsIn, CutsOut, RfmOut, UserRfmOut

router = APIRouter(tags=["rfm"])


async def _overview(session: AsyncSession) -> RfmOut:
    row = await service.cuts(session)
    return RfmOut(
        cuts=CutsOut.model_validate(row, from_attributes=True) if row else None,
        **await service.distribution(session),
    )


@router.get(
    "/rfm",
    summary="The RFM cut-offs in force and how users spread over the scores",
    responses=responses(401, 403),
)
async def overview(_: OperatorDep, session: SessionDep) -> RfmOut:
    return await _overview(session)


@router.put(
    "/rfm/cuts",
    summary="Set the cut-offs (instead of quintiles) and rescore every user",
    responses=responses(401, 403, 422),
)
async def set_cuts(body: CutsIn, _: OperatorDep, session: SessionDep) -> RfmOut:
    await service.recompute(session, operator=body.edges())
    await session.commit()
    return await _overview(session)


@router.delete(
    "/rfm/cuts",
    summary="Go back to quintiles of the population, recomputed now and nightly",
    responses=responses(401, 403),
)
async def clear_cuts(_: OperatorDep, session: SessionDep) -> RfmOut:
    await service.recompute(session, basis=service.QUINTILES)
    await session.commit()
    return await _overview(session)


@router.post(
    "/rfm/recompute",
    status_code=status.HTTP_200_OK,
    summary="Recompute the cut-offs and every score now, as the nightly run does",
    responses=responses(401, 403),
)
async def recompute(_: OperatorDep, session: SessionDep) -> RfmOut:
    await service.recompute(session)
    await session.commit()
    return await _overview(session)


@router.get(
    "/users/{user_id}/rfm",
    summary="A user's RFM scores and the values behind them",
    responses=responses(401, 403, 404, 422),
)
async def user_rfm(user_id: UUID, _: OperatorDep, session: SessionDep) -> UserRfmOut:
    await accounts.get(session, user_id)
    score = await service.score_of(session, user_id)
    if score is None:
        return UserRfmOut(
            user_id=user_id,
            r=None,
            f=None,
            m=None,
            code=None,
            recency_days=None,
            frequency=None,
            monetary=None,
            scored_at=None,
        )
    return UserRfmOut(
        user_id=user_id,
        r=score.r,
        f=score.f,
        m=score.m,
        code=f"{score.r}{score.f}{score.m}",
        recency_days=score.recency_days,
        frequency=score.frequency,
        monetary=score.monetary,
        scored_at=score.scored_at,
    )
