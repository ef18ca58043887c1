"""Product operations: each one transaction, with the events it causes."""

import logging
from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from chassis.clock import now
from chassis.db import Database, insert_for
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from contracts.catalog import (
    ProductCreated,
    ProductDelisted,
    ProductListed,
    ProductUpdated,
    SkuListingChanged,
    SkuPrice,
)
from services.catalog.categories import service as categories
from services.catalog.inventory import service as inventory
from services.catalog.pricing import service as pricing
from services.catalog.products import listing, variants
from services.catalog.products.listing import (
    ListingAction,
    ListingState,
    ScheduledMove,
    ScheduleState,
)
from services.catalog.products.models import AttributeValue, ListingSchedule, Product, Sku
from services.catalog.products.schemas import ProductChange, ProductCreate, SkuIn
from services.catalog.search import service as search

log = logging.getLogger(__name__)

SWEEP_BATCH = 100
_PENDING = ListingSchedule.state == ScheduleState.PENDING


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
        **body.model_dump(exclude={"skus", "price", "media", "weight_grams"}),
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
    await know_values(session, _declared(product.attributes))
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
    for required in ("name", "attributes", "media", "keywords", "scenario_tags", "skus"):
        if required in changes and changes[required] is None:
            raise InvalidInput(f"body.{required}", "may be left out, not null")
    sku_changes = changes.pop("skus", None)
    if changes.get("category_id") is not None:
        await categories.usable(session, changes["category_id"], "body.category_id")
    if "attributes" in changes:
        _check(changes["attributes"], [(sku, sku) for sku in product.skus])
    if "media" in changes:
        changes["media"] = [str(url) for url in body.media]
    skus = {sku.id: sku for sku in product.skus}
    for i, sku_change in enumerate(sku_changes or []):
        if sku_change["sku_id"] not in skus:
            raise InvalidInput(f"body.skus.{i}.sku_id", f"no SKU of product {product_id}")
    for sku_change in sku_changes or []:
        skus[sku_change["sku_id"]].weight_grams = sku_change["weight_grams"]
    for name, value in changes.items():
        setattr(product, name, value)
    if "attributes" in changes:
        await know_values(session, _declared(product.attributes))
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
    try:
        await _take(session, product, action, by, note)
    except listing.IllegalTransition:
        await session.rollback()
        raise
    await session.commit()
    return product


async def _take(
    session: AsyncSession,
    product: Product,
    action: ListingAction,
    by: UUID | None,
    note: str | None = None,
) -> None:
    """One step of the review with its index update and event, in the caller's transaction;
    `by` None is the scheduler. Raises IllegalTransition before writing anything if the
    product is not (or no longer) in the state the step leaves."""
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
        .where(Product.id == product.id, Product.state == leaves)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise listing.IllegalTransition(f"Product {product.id} is no longer {leaves}.")
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


# --- one SKU's listing ------------------------------------------------------------------------


async def list_sku(
    session: AsyncSession, product_id: UUID, sku_id: UUID, listed: bool, by: UUID
) -> Product:
    """Take one SKU of a product off sale (or put it back) while the product keeps its own
    listing state. A product keeps at least one SKU on sale: the last one is not delisted
    (delist the product instead). The product's row lock queues its SKUs' changes, so two
    operators delisting its last two SKUs at once do not leave it with none; the update names
    the state it leaves, so a repeat is a 409."""
    product = await session.scalar(
        select(Product).where(Product.id == product_id).with_for_update()
    )
    sku = await session.get(Sku, sku_id)
    if product is None or sku is None or sku.product_id != product_id:
        raise NotFound(f"No SKU {sku_id} of product {product_id}.")
    guard = [Sku.id == sku_id, Sku.listed.is_(not listed)]
    if not listed:
        other = aliased(Sku)
        guard.append(
            exists().where(
                other.product_id == product_id, other.id != sku_id, other.listed.is_(True)
            )
        )
    done = await session.execute(
        update(Sku).where(*guard).values(listed=listed).execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        await session.rollback()
        if (await session.get(Sku, sku_id, populate_existing=True)).listed == listed:
            state = "on sale" if listed else "delisted"
            raise listing.IllegalTransition(f"SKU {sku_id} is {state} already.")
        raise listing.IllegalTransition(
            f"SKU {sku_id} is the last on sale of product {product_id}: delist the product."
        )
    at = now()
    await _from_price(session, product_id, at)
    await outbox.add(
        session,
        SkuListingChanged(sku_id=sku_id, product_id=product_id, listed=listed, by=by, at=at),
    )
    await session.commit()
    found = await session.get(Product, product_id, populate_existing=True)
    await session.refresh(found, ["skus"])
    return found


async def _from_price(session: AsyncSession, product_id: UUID, at: datetime) -> None:
    """The product's from price: the lowest of its SKUs on sale."""
    await session.execute(
        update(Product)
        .where(Product.id == product_id)
        .values(price_amount=from_price(product_id), updated_at=at)
        .execution_options(synchronize_session=False)
    )


def from_price(product_id):
    """The lowest price of the product's SKUs on sale (a scalar subquery)."""
    return (
        select(func.min(Sku.price_amount))
        .where(Sku.product_id == product_id, Sku.listed.is_(True))
        .scalar_subquery()
    )


# --- scheduled listing and delisting --------------------------------------------------------


async def schedule(
    session: AsyncSession,
    product_id: UUID,
    move: ScheduledMove,
    at: datetime,
    by: UUID,
    note: str | None = None,
) -> ListingSchedule:
    """Schedule a product to list or delist at `at` (in the future). Accepted only if the
    product's timeline allows it with the schedules already pending (`listing.check_plan`);
    the product's row lock queues two operators scheduling one product at once."""
    if at <= now():
        raise InvalidInput("body.at", "must be in the future (list or delist now instead)")
    product = await session.scalar(
        select(Product).where(Product.id == product_id).with_for_update()
    )
    if product is None:
        raise NotFound(f"No product {product_id}.")
    pending = await session.scalars(
        select(ListingSchedule).where(
            ListingSchedule.product_id == product_id,
            ListingSchedule.state == ScheduleState.PENDING,
        )
    )
    planned = ListingSchedule(
        id=new_id(),
        product_id=product_id,
        move=move,
        at=at,
        state=ScheduleState.PENDING,
        note=note,
        created_by=by,
        created_at=now(),
    )
    try:
        listing.check_plan(
            product.state,
            [(s.at, s.id, s.move) for s in pending],
            (planned.at, planned.id, planned.move),
        )
    except listing.IllegalTransition:
        await session.rollback()
        raise
    session.add(planned)
    await session.commit()
    return planned


async def schedules_of(session: AsyncSession, product_id: UUID):
    await get(session, product_id)
    return select(ListingSchedule).where(ListingSchedule.product_id == product_id)


async def cancel_schedule(
    session: AsyncSession, product_id: UUID, schedule_id: UUID, by: UUID
) -> ListingSchedule:
    """Cancel a pending schedule (a 409 once it ran, was skipped or cancelled). A later one
    that counted on it is left pending, and skipped at its time if it finds the product in
    another state."""
    await _schedule(session, product_id, schedule_id)
    done = await session.execute(
        update(ListingSchedule)
        .where(ListingSchedule.id == schedule_id, _PENDING)
        .values(state=ScheduleState.CANCELLED, cancelled_by=by, settled_at=now())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        await session.rollback()
        found = await _schedule(session, product_id, schedule_id)
        raise listing.IllegalTransition(
            f"Schedule {schedule_id} is {found.state}: only a pending one can be cancelled."
        )
    await session.commit()
    return await _schedule(session, product_id, schedule_id)


async def run_due_schedules(db: Database, *, batch: int = SWEEP_BATCH) -> int:
    """List and delist the products whose scheduled time has come, one schedule per
    transaction, in time order (the scheduler's step). Returns how many schedules it settled
    (done or skipped)."""
    async with db.session() as session:
        due = list(
            await session.scalars(
                select(ListingSchedule.id)
                .where(ListingSchedule.state == ScheduleState.PENDING, ListingSchedule.at <= now())
                .order_by(ListingSchedule.at, ListingSchedule.id)
                .limit(batch)
            )
        )
    settled = 0
    for schedule_id in due:
        async with db.session() as session:
            if await carry_out(session, schedule_id):
                await session.commit()
                settled += 1
    return settled


async def carry_out(session: AsyncSession, schedule_id: UUID) -> bool:
    """Carry out one due schedule; False if another scheduler (or a cancellation) settled it
    first. The claim is a state change from pending, so each schedule moves a product once."""
    at = now()
    claimed = (
        await session.execute(
            update(ListingSchedule)
            .where(ListingSchedule.id == schedule_id, _PENDING)
            .values(state=ScheduleState.DONE, settled_at=at)
            .returning(ListingSchedule.product_id, ListingSchedule.move)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if claimed is None:
        return False
    product = await get(session, claimed.product_id)
    try:
        await _take(session, product, listing.SCHEDULED[claimed.move], None)
    except listing.IllegalTransition as error:
        # Moved by hand since: the schedule is skipped, with why, and nothing else changes.
        log.info("listing schedule %s skipped: %s", schedule_id, error)
        await session.execute(
            update(ListingSchedule)
            .where(ListingSchedule.id == schedule_id)
            .values(state=ScheduleState.SKIPPED, note=str(error)[:500])
            .execution_options(synchronize_session=False)
        )
    return True


async def _schedule(session: AsyncSession, product_id: UUID, schedule_id: UUID) -> ListingSchedule:
    found = await session.get(ListingSchedule, schedule_id, populate_existing=True)
    if found is None or found.product_id != product_id:
        raise NotFound(f"No listing schedule {schedule_id} of product {product_id}.")
    return found


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
        SkuPrice(
            sku_id=s.id,
            code=s.code,
            attributes=s.attributes,
            price=s.price,
            weight_grams=s.weight_grams,
            listed=s.listed,
        )
        for s in product.skus
    ]


def _skus_of(body: ProductCreate, product_id: UUID) -> list[tuple[Sku, SkuIn]]:
    if body.price is not None and body.skus:
        raise InvalidInput("body.price", "give either a price or SKUs with theirs, not both")
    if body.weight_grams is not None and body.price is None:
        raise InvalidInput("body.weight_grams", "only with `price`; SKUs carry their own")
    if body.price is not None:
        # A product without variants: its one SKU takes the product's id, so that callers
        # that know only product ids (orders, today) name the SKU too.
        spec = SkuIn(
            code=f"P{product_id.hex}"[:64], price=body.price, weight_grams=body.weight_grams
        )
        sku = Sku(
            id=product_id,
            code=spec.code,
            attributes={},
            price=spec.price,
            list_amount=spec.price.amount,
            price_version=0,
            weight_grams=spec.weight_grams,
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
                weight_grams=spec.weight_grams,
            ),
            spec,
        )
        for spec in body.skus
    ]


async def know_values(session: AsyncSession, pairs: Iterable[tuple[str, str]]) -> None:
    """Attribute values (name, value) into the catalog's vocabulary, each pair once: those
    a product declares, and those customers ask for (C2M's wants)."""
    rows = [{"name": n, "value": v} for n, v in dict.fromkeys(pairs)]
    if rows:
        await session.execute(
            insert_for(session, AttributeValue.__table__)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["name", "value"])
        )


def _declared(attributes: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, values in attributes.items() for value in values]


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
