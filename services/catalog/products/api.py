"""Product routes: operators create and change products and SKUs; anyone reads listed ones."""

from uuid import UUID

from fastapi import APIRouter, status
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.auth.deps import OperatorDep, OptionalPrincipalDep
from chassis.auth.principal import Principal
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from chassis.pagination import Page, PageDep, fetch_page
from services.catalog.inventory import service as inventory
from services.catalog.products import service
from services.catalog.products.listing import ListingAction
from services.catalog.products.models import ListingSchedule, Product
from services.catalog.products.schemas import (
    ListingScheduleIn,
    ListingScheduleOut,
    ProductChange,
    ProductCreate,
    ProductOut,
    Rejection,
    ReviewNote,
    SkuMove,
    SkuOut,
    StaffProductOut,
    StaffSkuOut,
)
from services.catalog.settings import SettingsDep

router = APIRouter(prefix="/products", tags=["products"])


async def shape(session, product: Product, *, staff: bool) -> ProductOut | StaffProductOut:
    stock = await inventory.levels(session, [sku.id for sku in product.skus])
    fields = {
        name: getattr(product, name)
        for name in (StaffProductOut if staff else ProductOut).model_fields
        if name not in {"skus", "in_stock"}
    }
    on_sale = [sku for sku in product.skus if sku.listed]
    in_stock = any(stock[sku.id].available > 0 for sku in on_sale)
    if staff:
        skus = [
            StaffSkuOut(
                id=sku.id,
                code=sku.code,
                attributes=sku.attributes,
                price=sku.price,
                stock=stock[sku.id].available,
                weight_grams=sku.weight_grams,
                list_price=sku.list_price,
                sale_price=sku.sale_price,
                cost=sku.cost,
                on_hand=stock[sku.id].on_hand,
                reserved=stock[sku.id].reserved,
                held=stock[sku.id].held,
                low_stock_threshold=stock[sku.id].low_stock_threshold,
                listed=sku.listed,
            )
            for sku in product.skus
        ]
        return StaffProductOut(**fields, skus=skus, in_stock=in_stock)
    skus = [
        SkuOut(
            id=sku.id,
            code=sku.code,
            attributes=sku.attributes,
            price=sku.price,
            stock=stock[sku.id].available,
            weight_grams=sku.weight_grams,
        )
        for sku in on_sale
    ]
    return ProductOut(**fields, skus=skus, in_stock=in_stock)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a product with its SKUs (a draft until it passes the listing review); "
    "a SKU priced below cost plus the minimum margin is refused (422 margin-guard)",
    responses=responses(401, 403, 409, 422),
)
async def create_product(
    body: ProductCreate, session: SessionDep, settings: SettingsDep, by: OperatorDep
) -> StaffProductOut:
    product = await service.create(session, body, by.user_id, settings.min_margin_bps)
    return await shape(session, product, staff=True)


@router.get(
    "/{product_id}",
    summary="Get a product: anyone sees listed products, staff every state (with costs)",
    responses=responses(401, 404, 422),
)
async def get_product(
    product_id: UUID, session: SessionDep, caller: OptionalPrincipalDep
) -> StaffProductOut | ProductOut:
    staff = caller is not None and caller.is_staff
    product = await service.visible(session, product_id, staff=staff)
    return await shape(session, product, staff=staff)


@router.patch(
    "/{product_id}",
    summary="Change a product's details (fields left out stay)",
    responses=responses(401, 403, 404, 422),
)
async def change_product(
    product_id: UUID, body: ProductChange, session: SessionDep, by: OperatorDep
) -> StaffProductOut:
    return await shape(session, await service.change(session, product_id, body), staff=True)


REVIEW_ERRORS = responses(401, 403, 404, 409, 422)


async def _reviewed(
    session: AsyncSession,
    product_id: UUID,
    action: ListingAction,
    by: Principal,
    note: str | None = None,
) -> StaffProductOut:
    """A step of the listing review by `by`, answered with the product as staff see it."""
    product = await service.review(session, product_id, action, by.user_id, note)
    return await shape(session, product, staff=True)


@router.post(
    "/{product_id}/skus/{sku_id}/{move}",
    summary="Take one SKU off sale while its product stays listed (delist; not its last one "
    "on sale), or put a SKU delisted by itself back on sale (relist)",
    responses=REVIEW_ERRORS,
)
async def move_sku(
    product_id: UUID, sku_id: UUID, move: SkuMove, session: SessionDep, by: OperatorDep
) -> StaffProductOut:
    on_sale = move == SkuMove.RELIST
    product = await service.list_sku(session, product_id, sku_id, on_sale, by.user_id)
    return await shape(session, product, staff=True)


@router.post(
    "/{product_id}/submit",
    summary="Submit a draft for the listing review (draft → in_review)",
    responses=REVIEW_ERRORS,
)
async def submit(product_id: UUID, session: SessionDep, by: OperatorDep) -> StaffProductOut:
    return await _reviewed(session, product_id, ListingAction.SUBMIT, by)


@router.post(
    "/{product_id}/approve",
    summary="Approve a product in review: it is listed (in_review → listed). The approver "
    "must not be the operator who submitted it (403)",
    responses=REVIEW_ERRORS,
)
async def approve(
    product_id: UUID, session: SessionDep, by: OperatorDep, body: ReviewNote | None = None
) -> StaffProductOut:
    note = body.note if body else None
    return await _reviewed(session, product_id, ListingAction.APPROVE, by, note)


@router.post(
    "/{product_id}/reject",
    summary="Send a product in review back to draft, with the reason (in_review → draft)",
    responses=REVIEW_ERRORS,
)
async def reject(
    product_id: UUID, body: Rejection, session: SessionDep, by: OperatorDep
) -> StaffProductOut:
    return await _reviewed(session, product_id, ListingAction.REJECT, by, body.note)


@router.post(
    "/{product_id}/delist",
    summary="Take a listed product off sale (listed → delisted)",
    responses=REVIEW_ERRORS,
)
async def delist(product_id: UUID, session: SessionDep, by: OperatorDep) -> StaffProductOut:
    return await _reviewed(session, product_id, ListingAction.DELIST, by)


@router.post(
    "/{product_id}/relist",
    summary="Put a delisted product back on sale (delisted → listed)",
    responses=REVIEW_ERRORS,
)
async def relist(product_id: UUID, session: SessionDep, by: OperatorDep) -> StaffProductOut:
    return await _reviewed(session, product_id, ListingAction.RELIST, by)


@router.post(
    "/{product_id}/schedules",
    status_code=status.HTTP_201_CREATED,
    summary="Schedule a product to list (delisted → listed) or delist (listed → delisted) at a "
    "time in the future; the scheduler does it on time. A move the product's timeline would "
    "not allow (with the schedules pending) is a 409",
    responses=REVIEW_ERRORS,
)
async def schedule(
    product_id: UUID, body: ListingScheduleIn, session: SessionDep, by: OperatorDep
) -> ListingScheduleOut:
    planned = await service.schedule(session, product_id, body.move, body.at, by.user_id, body.note)
    return ListingScheduleOut.model_validate(planned, from_attributes=True)


@router.get(
    "/{product_id}/schedules",
    summary="A product's listing schedules, latest time first: pending, done, skipped (with "
    "why) and cancelled",
    responses=responses(401, 403, 404, 422),
)
async def schedules(
    product_id: UUID, session: SessionDep, page: PageDep, by: OperatorDep
) -> Page[ListingScheduleOut]:
    rows, next_cursor = await fetch_page(
        session,
        await service.schedules_of(session, product_id),
        key=[ListingSchedule.at, ListingSchedule.id],
        page=page,
    )
    items = [ListingScheduleOut.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, next_cursor=next_cursor)


@router.post(
    "/{product_id}/schedules/{schedule_id}/cancel",
    summary="Cancel a pending listing schedule (409 once it ran, was skipped or cancelled)",
    responses=REVIEW_ERRORS,
)
async def cancel_schedule(
    product_id: UUID, schedule_id: UUID, session: SessionDep, by: OperatorDep
) -> ListingScheduleOut:
    cancelled = await service.cancel_schedule(session, product_id, schedule_id, by.user_id)
    return ListingScheduleOut.model_validate(cancelled, from_attributes=True)
