"""Catalog routes."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep
from chassis.events import outbox
from chassis.http.deps import SessionDep
from chassis.http.problems import NotFound, responses
from contracts.catalog import ProductCreated
from services.catalog.categories import service as categories
from services.catalog.products.models import Product
from services.catalog.products.schemas import ProductCreate, ProductOut

router = APIRouter(prefix="/products", tags=["products"])


def _out(product: Product) -> ProductOut:
    return ProductOut.model_validate(product, from_attributes=True)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a product (a draft unless listed later)",
    responses=responses(401, 403, 422),
)
async def create_product(body: ProductCreate, session: SessionDep, by: OperatorDep) -> ProductOut:
    if body.category_id is not None:
        await categories.usable(session, body.category_id, "body.category_id")
    product = Product(
        name=body.name,
        category_id=body.category_id,
        description=body.description,
        price=body.price,
        created_by=by.user_id,
    )
    session.add(product)
    await session.flush()
    await outbox.add(
        session,
        ProductCreated(
            product_id=product.id,
            name=product.name,
            state=product.state,
            price=body.price,
            created_at=product.created_at,
        ),
    )
    await session.commit()
    return _out(product)


@router.get("/{product_id}", summary="Get a product", responses=responses(404, 422))
async def get_product(product_id: UUID, session: SessionDep) -> ProductOut:
    product = await session.get(Product, product_id)
    if product is None:
        raise NotFound(f"No product {product_id}.")
    return _out(product)
