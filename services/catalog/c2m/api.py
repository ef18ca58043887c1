"""C2M routes: customers' wants and wishlists (signed in, each their own), demand clusters and
proposals to suppliers (operators)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from chassis.auth.deps import OperatorDep, PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep, fetch_page
from contracts.catalog import ProposalState
from services.catalog.c2m import service
from services.catalog.c2m.models import DemandSignal, Proposal
from services.catalog.c2m.rules import ProposalAction
from services.catalog.c2m.schemas import (
    ClusterDetailOut,
    ClusterFiguresOut,
    ClusterOut,
    ProposalDetailOut,
    ProposalIn,
    ProposalOut,
    ProposalStepIn,
    SearchedQuery,
    SignalOut,
    StepOut,
    WantedProduct,
    WantIn,
    WishIn,
)

router = APIRouter(prefix="/c2m", tags=["c2m"])

CUSTOMER_ERRORS = responses(401, 404, 422)
# A repeat answers 200 with the first signal; the first is the route's 201.
ONCE = {
    200: {"model": SignalOut, "description": "Given before: the first, unchanged"},
    **CUSTOMER_ERRORS,
}


def _signal(signal: DemandSignal) -> SignalOut:
    return SignalOut.model_validate(signal, from_attributes=True)


def _cluster(figures: service.ClusterFigures) -> ClusterFiguresOut:
    return ClusterFiguresOut(
        **ClusterOut.model_validate(figures.cluster, from_attributes=True).model_dump(),
        volume=figures.volume,
        last_week=figures.last_week,
        week_before=figures.week_before,
        trend=figures.trend,
        change=None if figures.change is None else round(figures.change, 4),
    )


def _once(response: Response, answer: tuple[DemandSignal, bool]) -> SignalOut:
    """A signal given once: 201 with it the first time, 200 with the first after."""
    signal, created = answer
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return _signal(signal)


@router.post(
    "/products/{product_id}/want",
    summary="Vote 'want' (想要) for a product, maybe in attributes it lacks; once per customer "
    "and product (a repeat answers 200 with the first)",
    status_code=status.HTTP_201_CREATED,
    responses=ONCE,
)
async def want(
    product_id: UUID, body: WantIn, session: SessionDep, customer: PrincipalDep, response: Response
) -> SignalOut:
    return _once(
        response, await service.want(session, customer.user_id, product_id, body.attributes)
    )


@router.put(
    "/wishlist/{product_id}",
    summary="Put a product (or one of its SKUs) on one's wishlist; once (a repeat answers 200)",
    status_code=status.HTTP_201_CREATED,
    responses=ONCE,
)
async def wish(
    product_id: UUID, body: WishIn, session: SessionDep, customer: PrincipalDep, response: Response
) -> SignalOut:
    return _once(response, await service.wish(session, customer.user_id, product_id, body.sku_id))


@router.delete(
    "/wishlist/{product_id}",
    summary="Take a product off one's wishlist (not on it: nothing changes)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(401, 422),
)
async def unwish(product_id: UUID, session: SessionDep, customer: PrincipalDep) -> None:
    await service.unwish(session, customer.user_id, product_id)


@router.get(
    "/wishlist",
    summary="One's own wishlist, newest first",
    responses=responses(401, 422),
)
async def wishlist(session: SessionDep, customer: PrincipalDep, page: PageDep) -> Page[SignalOut]:
    rows, next_cursor = await fetch_page(
        session,
        service.wishlist_query(customer.user_id),
        key=[DemandSignal.created_at, DemandSignal.id],
        page=page,
    )
    return Page(items=[_signal(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/clusters",
    summary="Demand clusters asked for in the last 30 days, the most signals first: their "
    "signals by kind, askers and last signal, 30 days' volume and trend",
    responses=responses(401, 403, 422),
)
async def clusters(
    session: SessionDep,
    by: OperatorDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    category: Annotated[UUID | None, Query(description="A category and its subtree")] = None,
) -> list[ClusterFiguresOut]:
    return [_cluster(c) for c in await service.clusters(session, limit=limit, category=category)]


@router.get(
    "/clusters/{cluster_id}",
    summary="A demand cluster's counts, its 30 days' volume and trend, the products asked for "
    "in it and the searches that found nothing in it",
    responses=responses(401, 403, 404, 422),
)
async def cluster(cluster_id: UUID, session: SessionDep, by: OperatorDep) -> ClusterDetailOut:
    figures = await service.cluster(session, cluster_id)
    products = [
        WantedProduct(product_id=p, signals=n)
        for p, n in await service.wanted_products(session, cluster_id)
    ]
    queries = [
        SearchedQuery(query=q, signals=n)
        for q, n in await service.searched_queries(session, cluster_id)
    ]
    return ClusterDetailOut(**_cluster(figures).model_dump(), products=products, queries=queries)


async def _proposal(session, proposal: Proposal) -> ProposalDetailOut:
    return ProposalDetailOut(
        **ProposalOut.model_validate(proposal, from_attributes=True).model_dump(),
        steps=[
            StepOut.model_validate(s, from_attributes=True)
            for s in await service.steps(session, proposal.id)
        ],
    )


@router.post(
    "/proposals",
    summary="Propose a demand cluster to a supplier",
    status_code=status.HTTP_201_CREATED,
    responses=responses(401, 403, 422),
)
async def propose(body: ProposalIn, session: SessionDep, by: OperatorDep) -> ProposalDetailOut:
    proposal = await service.propose(
        session, body.cluster_id, body.supplier_id, body.note, body.quantity, by.user_id
    )
    return await _proposal(session, proposal)


@router.get("/proposals", summary="Proposals, newest first", responses=responses(401, 403, 422))
async def proposals(
    session: SessionDep,
    by: OperatorDep,
    page: PageDep,
    state: ProposalState | None = None,
    cluster_id: UUID | None = None,
) -> Page[ProposalOut]:
    rows, next_cursor = await fetch_page(
        session,
        service.proposals_query(state, cluster_id),
        key=[Proposal.created_at, Proposal.id],
        page=page,
    )
    return Page(
        items=[ProposalOut.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=next_cursor,
    )


@router.get(
    "/proposals/{proposal_id}",
    summary="A proposal with every step it took",
    responses=responses(401, 403, 404, 422),
)
async def proposal(proposal_id: UUID, session: SessionDep, by: OperatorDep) -> ProposalDetailOut:
    return await _proposal(session, await service.get_proposal(session, proposal_id))


@router.post(
    "/proposals/{proposal_id}/{action}",
    summary="Take a proposal one step: accept, sample, launch (optionally naming the product) "
    "or decline (with the reason); any other step is a 409",
    responses=responses(401, 403, 404, 409, 422),
)
async def step(
    proposal_id: UUID,
    action: ProposalAction,
    session: SessionDep,
    by: OperatorDep,
    body: ProposalStepIn | None = None,
) -> ProposalDetailOut:
    body = body or ProposalStepIn()
    proposal = await service.step(
        session, proposal_id, action, body.note, body.product_id, by.user_id
    )
    return await _proposal(session, proposal)
