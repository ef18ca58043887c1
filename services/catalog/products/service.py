"""Product operations: each one transaction, with the events it causes."""

from uuid import UUID

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from contracts.catalog import (
    ProductCreated,
    ProductDelisted,
    ProductListed,
    ProductUpdated,
    SkuPrice,
)
from services.catalog.categories import service as categories
from services.catalog.inventory import service as inventory
from services.catalog.pricing import service as pricing
from services.catalog.products import listing, variants
from services.catalog.products.listing import ListingAction, ListingState
from services.catalog.products.models import Product, Sku
from services.catalog.products.schemas import ProductChange, ProductCreate, SkuIn
from services.catalog.search import service as search


async def get(session: AsyncSession, product_id: UUID) -> Product:
    product = await session.get(Product, product_id)
    if product is None:
        raise NotFound(f"No product {product_id}.")
    return product


async def visible(session: AsyncSession, product_id: UUID, *, staff: bool) -> Product:
    """A product as the caller may see it: staff see every state, others listed ones only."""
    product = await session.get(Product, product_id)
    if product is None or (not staff and product.state != ListingState.LISTED):
        raise NotFound(f"No product {product_id}.")
    return product


async def create(
    session: AsyncSession, body: ProductCreate, by: UUID, min_margin_bps: int
) -> Product:
    if body.category_id is not None:
        await categories.usable(session, body.category_id, "body.category_id")
    product_id = new_id()
    skus = _skus_of(body, product_id)
    _check(body.attributes, skus)
    for i, (sku, _) in enumerate(skus):
        field = f"body.skus.{i}.price.amount"
        pricing.check_margin(sku.price_amount, sku.cost_amount, min_margin_bps, field)
    at = now()
    product = Product(
        id=product_id,
        **body.model_dump(exclude={"skus", "price", "media"}),
        media=[str(url) for url in body.media],
        state=ListingState.DRAFT,
        created_by=by,
        created_at=at,
        updated_at=at,
    )
    product.price = variants.from_price([sku.price for sku, _ in skus])
    session.add(product)
    for position, (sku, _) in enumerate(skus):
        sku.product_id, sku.position, sku.created_at = product_id, position, at
        session.add(sku)
    await _flush_codes(session)
    for sku, spec in skus:
        inventory.open_stock(session, sku.id, spec.stock, spec.low_stock_threshold, by)
        pricing.record_created(session, sku, by)
    await session.flush()
    await session.refresh(product, ["skus"])
    await outbox.add(
        session,
        ProductCreated(
            product_id=product.id,
            name=product.name,
            state=product.state,
            price=product.price,
            created_at=product.created_at,
            category_id=product.category_id,
            brand=product.brand,
            skus=_sku_prices(product),
        ),
    )
    await session.commit()
    return product


async def change(session: AsyncSession, product_id: UUID, body: ProductChange) -> Product:
    product = await get(session, product_id)
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "attributes", "media", "keywords", "scenario_tags"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"body.{required}", "may be left out, not null")
    if changes.get("category_id") is not None:
        await categories.usable(session, changes["category_id"], "body.category_id")
    if "attributes" in changes:
        _check(changes["attributes"], [(sku, sku) for sku in product.skus])
    if "media" in changes:
        changes["media"] = [str(url) for url in body.media]
    for name, value in changes.items():
        setattr(product, name, value)
    product.updated_at = now()
    await outbox.add(session, product_updated(product))
    await search.index_product(session, product)
    await session.commit()
    return product


async def review(
    session: AsyncSession,
    product_id: UUID,
    action: ListingAction,
    by: UUID,
    note: str | None = None,
) -> Product:
    """Take a step of the listing review. The update checks the state it leaves, so of two
    concurrent steps from one state only one happens; the other is a 409."""
    product = await get(session, product_id)
    leaves, reaches = listing.move(product.state, action)
    at = now()
    values: dict = {"state": reaches, "updated_at": at}
    if action == ListingAction.SUBMIT:
        listing.check_sellable(len(product.skus))
        values.update(submitted_by=by, reviewed_by=None, review_note=None)
    elif action in (ListingAction.APPROVE, ListingAction.REJECT):
        if action == ListingAction.APPROVE:
            listing.check_reviewer(product.submitted_by, by)
        values.update(reviewed_by=by, review_note=note)
    if reaches == ListingState.LISTED:
        values["listed_at"] = at
    done = await session.execute(
        update(Product)
        .where(Product.id == product_id, Product.state == leaves)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        await session.rollback()
        raise listing.IllegalTransition(f"Product {product_id} is no longer {leaves}.")
    await session.refresh(product)
    await search.index_product(session, product)
    if reaches == ListingState.LISTED:
        await outbox.add(
            session,
            ProductListed(
                product_id=product.id,
                listed_at=at,
                skus=_sku_prices(product),
                approved_by=by if action == ListingAction.APPROVE else None,
            ),
        )
    elif action == ListingAction.DELIST:
        await outbox.add(session, ProductDelisted(product_id=product.id, delisted_at=at))
    await session.commit()
    return product


def product_updated(product: Product) -> ProductUpdated:
    return ProductUpdated(
        product_id=product.id,
        name=product.name,
        state=product.state,
        price=product.price,
        category_id=product.category_id,
        brand=product.brand,
        skus=_sku_prices(product),
        updated_at=product.updated_at,
    )


def _sku_prices(product: Product) -> list[SkuPrice]:
    return [
        SkuPrice(sku_id=s.id, code=s.code, attributes=s.attributes, price=s.price)
        for s in product.skus
    ]


def _skus_of(body: ProductCreate, product_id: UUID) -> list[tuple[Sku, SkuIn]]:
    if body.price is not None and body.skus:
        raise InvalidInput("body.price", "give either a price or SKUs with theirs, not both")
    if body.price is not None:
        # A product without variants: its one SKU takes the product's id, so that callers
        # that know only product ids (orders, today) name the SKU too.
        spec = SkuIn(code=f"P{product_id.hex}"[:64], price=body.price)
        sku = Sku(
            id=product_id,
            code=spec.code,
            attributes={},
            price=spec.price,
            list_amount=spec.price.amount,
            price_version=0,
        )
        return [(sku, spec)]
    return [
        (
            Sku(
                id=new_id(),
                code=spec.code,
                attributes=dict(spec.attributes),
                price=spec.price,
                list_amount=spec.price.amount,
                cost_amount=spec.cost.amount if spec.cost else None,
                price_version=0,
            ),
            spec,
        )
        for spec in body.skus
    ]


def _check(attributes: dict, skus) -> None:
    try:
        variants.check_variants(
            attributes,
            [
                variants.Variant(
                    code=sku.code, attributes=sku.attributes, price=sku.price, cost=spec.cost
                )
                for sku, spec in skus
            ],
        )
    except variants.VariantError as error:
        raise InvalidInput(f"body.{error.field}", error.message) from None


async def _flush_codes(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict("A SKU code of this product is already taken by another SKU.") from None
