"""Cart routes: the signed-in customer's own cart (there is no cart id to guess), a visitor's
anonymous cart (reached by its secret token alone), and the merge of one into the other on
sign-in."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response, status

from chassis.auth.deps import PrincipalDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.orders.carts import anonymous, service
from services.orders.carts.schemas import (
    AnonymousCartCreated,
    AnonymousCartOut,
    CartItemRequest,
    CartOut,
    MergedCartOut,
)
from services.orders.carts.service import CartOwner
from services.orders.carts.tokens import MAX_TOKEN_LENGTH
from services.orders.settings import SettingsDep

router = APIRouter(prefix="/carts/me", tags=["carts"])
anonymous_router = APIRouter(prefix="/carts", tags=["carts"])

CartTokenDep = Annotated[
    str,
    Header(
        alias="X-Cart-Token",
        min_length=1,
        max_length=MAX_TOKEN_LENGTH,
        description="The anonymous cart's token, as `POST /carts` gave it",
    ),
]
# A token opens the cart: no cache between the visitor and the service may keep its answers.
NO_STORE = {"Cache-Control": "no-store"}


@router.get(
    "",
    summary="One's cart, at the prices checkout would charge now",
    description="Each line at its list price and at campaigns' quote without coupons (a "
    "running campaign's price, with its campaign, when lower), and the total at those prices. "
    "When campaigns cannot answer, the list prices with `prices_confirmed: false`.",
    responses=responses(401),
)
async def get_cart(request: Request, session: SessionDep, customer: PrincipalDep) -> CartOut:
    return await _quoted(request, session, customer.user_id)


async def _quoted(request: Request, session: SessionDep, customer_id: UUID) -> CartOut:
    authorization = request.headers.get("authorization", "")
    owner = CartOwner.customer(customer_id)
    return await service.quoted_cart(session, owner, request.app.state.campaigns, authorization)


@router.put(
    "/items/{sku_id}",
    summary="Put a SKU in one's cart, or change its quantity",
    responses=responses(401, 403, 422),
)
async def put_item(
    request: Request,
    sku_id: UUID,
    body: CartItemRequest,
    session: SessionDep,
    customer: PrincipalDep,
) -> CartOut:
    await service.put_item(session, CartOwner.customer(customer.user_id), sku_id, body.quantity)
    await session.commit()
    return await _quoted(request, session, customer.user_id)


@router.delete(
    "/items/{sku_id}",
    summary="Take a SKU out of one's cart",
    responses=responses(401, 404, 422),
)
async def remove_item(
    request: Request, sku_id: UUID, session: SessionDep, customer: PrincipalDep
) -> CartOut:
    await service.remove_item(session, CartOwner.customer(customer.user_id), sku_id)
    await session.commit()
    return await _quoted(request, session, customer.user_id)


@router.post(
    "/merge",
    summary="Merge an anonymous cart into one's cart (on sign-in), and delete it",
    description="The anonymous cart's lines go into one's cart: quantities of a SKU in both "
    "are summed (at most 999), new SKUs take lines while the cart holds fewer than 100; "
    "`left_out` says what did not fit or can no longer be ordered. Each line added or raised "
    "is a `cart.item_added` event. The anonymous cart is deleted, so sending the same token "
    "again (a retry) is a 404 and adds nothing.",
    responses=responses(401, 403, 404, 422),
)
async def merge(
    request: Request,
    token: CartTokenDep,
    session: SessionDep,
    settings: SettingsDep,
    customer: PrincipalDep,
) -> MergedCartOut:
    cart_id, left_out = await service.merge(
        session, customer.user_id, token, settings.anonymous_cart_ttl
    )
    await session.commit()
    cart = await _quoted(request, session, customer.user_id)
    return MergedCartOut(**dict(cart), merged_cart_id=cart_id, left_out=left_out)


@anonymous_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Open an anonymous cart (a visitor not signed in); its token is shown once",
)
async def create_anonymous_cart(
    response: Response, session: SessionDep, settings: SettingsDep
) -> AnonymousCartCreated:
    held, token = await anonymous.create(session, settings.anonymous_cart_ttl)
    await session.commit()
    response.headers.update(NO_STORE)
    return AnonymousCartCreated(cart_id=held.id, token=token, expires_at=held.expires_at)


async def _anonymous(
    session: SessionDep, held: anonymous.Held, response: Response
) -> AnonymousCartOut:
    """The anonymous cart at the list prices (campaigns quotes signed-in customers only)."""
    cart = await service.cart(session, CartOwner.anonymous(held.id))
    await session.commit()
    response.headers.update(NO_STORE)
    return AnonymousCartOut(**dict(cart), cart_id=held.id, expires_at=held.expires_at)


@anonymous_router.get(
    "/anonymous",
    summary="The anonymous cart of a token, at the list prices",
    description="Priced as one's cart is, from the catalog's prices today; campaigns quotes "
    "signed-in customers only, so the prices are unconfirmed (`prices_confirmed: false`) "
    "until the cart is merged on sign-in. A token that opens no cart (wrong, expired, "
    "merged) is a 404.",
    responses=responses(404, 422),
)
async def get_anonymous_cart(
    token: CartTokenDep, session: SessionDep, settings: SettingsDep, response: Response
) -> AnonymousCartOut:
    held = await anonymous.find(session, token, settings.anonymous_cart_ttl)
    return await _anonymous(session, held, response)


@anonymous_router.put(
    "/anonymous/items/{sku_id}",
    summary="Put a SKU in the anonymous cart of a token, or change its quantity",
    description="The same rules as one's cart: a SKU that can be ordered now, 1 to 999 units, "
    "at most 100 SKUs. Each change keeps the cart alive for its time to live.",
    responses=responses(404, 422),
)
async def put_anonymous_item(
    sku_id: UUID,
    body: CartItemRequest,
    token: CartTokenDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> AnonymousCartOut:
    held = await anonymous.touch(session, token, settings.anonymous_cart_ttl)
    await service.put_item(session, CartOwner.anonymous(held.id), sku_id, body.quantity)
    return await _anonymous(session, held, response)


@anonymous_router.delete(
    "/anonymous/items/{sku_id}",
    summary="Take a SKU out of the anonymous cart of a token",
    responses=responses(404, 422),
)
async def remove_anonymous_item(
    sku_id: UUID,
    token: CartTokenDep,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> AnonymousCartOut:
    held = await anonymous.touch(session, token, settings.anonymous_cart_ttl)
    await service.remove_item(session, CartOwner.anonymous(held.id), sku_id)
    return await _anonymous(session, held, response)
