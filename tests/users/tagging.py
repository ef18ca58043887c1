"""Catalogue, content and behaviour events as their services publish them, for tests of
interest tags (imported as `tagging`)."""

from uuid import UUID

from chassis.clock import now
from chassis.ids import new_id
from chassis.money import Money
from contracts.analytics import Action, BehaviourRecorded, BotSignal
from contracts.catalog import (
    CategoryCreated,
    CategoryRole,
    CategoryUpdated,
    ProductCreated,
    SkuPrice,
)
from contracts.content import PostKind, PostPublished
from contracts.orders import OrderLine, OrderPaid


def category(name: str) -> CategoryCreated:
    return CategoryCreated(
        category_id=new_id(),
        parent_id=None,
        name=name,
        role=CategoryRole.CORE,
        created_at=now(),
    )


def product(brand: str | None, category_id: UUID | None, skus: int = 1) -> ProductCreated:
    price = Money(amount=1000, currency="CNY")
    return ProductCreated(
        product_id=new_id(),
        name="Tent",
        state="listed",
        created_at=now(),
        category_id=category_id,
        brand=brand,
        skus=[
            SkuPrice(sku_id=new_id(), code=f"T-{i}", attributes={}, price=price)
            for i in range(skus)
        ],
    )


def post(topics: list[str], tags: list[str]) -> PostPublished:
    return PostPublished(
        post_id=new_id(),
        kind=PostKind.ARTICLE,
        title="Camping guide",
        author=new_id(),
        topics=topics,
        tags=tags,
        published_at=now(),
    )


def touched(user_id: str, action: Action, target: str, bot: bool = False) -> BehaviourRecorded:
    return BehaviourRecorded(
        behaviour_id=new_id(),
        actor=user_id,
        user_id=UUID(user_id),
        action=action,
        target=target,
        occurred_at=now(),
        bot_signals=[BotSignal.RATE] if bot else [],
    )


def renamed(created: CategoryCreated, name: str) -> CategoryUpdated:
    return CategoryUpdated(
        category_id=created.category_id,
        parent_id=created.parent_id,
        name=name,
        role=created.role,
        archived=False,
        updated_at=now(),
    )


def bought(user_id: str, sku_id: UUID) -> OrderPaid:
    """A paid order of one SKU."""
    price = Money(amount=1000, currency="CNY")
    line = OrderLine(sku_id=sku_id, quantity=1, list_price=price, unit_price=price, paid=price)
    return OrderPaid(
        order_id=new_id(), customer_id=UUID(user_id), lines=[line], total=price, paid_at=now()
    )
