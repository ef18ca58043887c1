"""Bargain routes: operators set up templates; customers start bargains, friends cut them."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.money import Money
from chassis.pagination import Page, PageDep
from services.campaigns import templates
from services.campaigns.bargains import service
from services.campaigns.bargains.schemas import (
    BargainOut,
    HelpOut,
    MyBargainOut,
    TemplateOut,
    TemplateRequest,
)

router = APIRouter(tags=["bargains"])


templates.add_routes(
    router,
    "/bargain-templates",
    request=TemplateRequest,
    out=TemplateOut,
    create=service.create_template,
    get=service.get_template,
    create_summary="Set up a bargain: SKU, start and floor prices, helps needed, time limits",
    get_summary="A bargain template",
)


@router.post(
    "/bargain-templates/{template_id}/bargains",
    status_code=status.HTTP_201_CREATED,
    summary="Start bargaining the template's SKU down (once per customer and template)",
    responses=responses(401, 404, 409, 422),
)
async def start(template_id: UUID, session: SessionDep, customer: PrincipalDep) -> MyBargainOut:
    return MyBargainOut.model_validate(await service.start(session, template_id, customer.user_id))


@router.get(
    "/bargains/{bargain_id}",
    summary="A bargain as its shared page shows it (the price and helps, not the helpers)",
    responses=responses(404, 422),
)
async def get_bargain(bargain_id: UUID, session: SessionDep) -> BargainOut:
    return BargainOut.model_validate(await service.get(session, bargain_id))


@router.post(
    "/bargains/{bargain_id}/cuts",
    status_code=status.HTTP_201_CREATED,
    summary="Help: cut the bargain's price by an amount drawn by the server (once per helper)",
    responses=responses(401, 403, 404, 409, 422),
)
async def help_cut(bargain_id: UUID, session: SessionDep, helper: PrincipalDep) -> HelpOut:
    cut, bargain = await service.help_cut(session, bargain_id, helper.user_id)
    return HelpOut(
        cut=Money(amount=cut.amount, currency=bargain.currency),
        bargain=BargainOut.model_validate(bargain),
    )


@router.get(
    "/me/bargains",
    summary="The bargains the signed-in customer started, newest first",
    responses=responses(401, 422),
)
async def my_bargains(
    session: SessionDep, customer: PrincipalDep, page: PageDep
) -> Page[MyBargainOut]:
    bargains, cursor = await service.my_bargains(session, customer.user_id, page)
    return Page(items=[MyBargainOut.model_validate(b) for b in bargains], next_cursor=cursor)
