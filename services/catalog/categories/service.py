"""Category operations: each one transaction, with the events it causes."""

from uuid import UUID

from sqlalchemy import func, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.clock import now
from chassis.events import outbox
from chassis.http.problems import Conflict, InvalidInput, NotFound
from chassis.ids import new_id
from contracts.catalog import CategoryCreated, CategoryRole, CategoryUpdated
from services.catalog.categories import tree
from services.catalog.categories.models import Category
from services.catalog.categories.schemas import CategoryChange, CategoryCreate

# Two concurrent moves could each pass the cycle check and together make a cycle (A under B,
# B under A): moves take this transaction-scoped lock on PostgreSQL (SQLite has one writer).
MOVE_LOCK = 7_302_017


async def get(session: AsyncSession, category_id: UUID) -> Category:
    category = await session.get(Category, category_id)
    if category is None:
        raise NotFound(f"No category {category_id}.")
    return category


async def usable(session: AsyncSession, category_id: UUID, field: str) -> Category:
    """A category that things may be put in: it exists and is not archived (else a 422 on
    `field`)."""
    category = await session.get(Category, category_id)
    if category is None:
        raise InvalidInput(field, f"no category {category_id}")
    if category.archived:
        raise InvalidInput(field, f"category {category_id} is archived")
    return category


async def all_categories(session: AsyncSession, *, include_archived: bool) -> list[Category]:
    statement = select(Category).order_by(Category.path)
    if not include_archived:
        statement = statement.where(Category.archived_at.is_(None))
    return list(await session.scalars(statement))


async def subtree_prefix(session: AsyncSession, category_id: UUID) -> str | None:
    """The path prefix of a category's subtree, for filtering by it; None if it is unknown."""
    return await session.scalar(select(Category.path).where(Category.id == category_id))


async def create(session: AsyncSession, body: CategoryCreate, by: UUID) -> Category:
    parent = await usable(session, body.parent_id, "body.parent_id") if body.parent_id else None
    category_id = new_id()
    category = Category(
        id=category_id,
        path=_path(category_id, parent.path if parent else None),
        name=body.name,
        role=body.role,
        parent_id=body.parent_id,
        created_by=by,
        created_at=now(),
    )
    session.add(category)
    await session.flush()
    await outbox.add(
        session,
        CategoryCreated(
            category_id=category.id,
            parent_id=category.parent_id,
            name=category.name,
            role=category.role,
            created_at=category.created_at,
        ),
    )
    await session.commit()
    return category


async def change(session: AsyncSession, category_id: UUID, body: CategoryChange) -> Category:
    category = await _live(session, category_id)
    if body.name is not None:
        category.name = body.name
    if body.role is not None:
        category.role = body.role
    category.updated_at = now()
    await _updated(session, [category])
    await session.commit()
    return category


async def set_role(
    session: AsyncSession, category_id: UUID, leaves: CategoryRole, role: CategoryRole
) -> Category:
    """Give a category another role, within the caller's transaction, only if it still has
    the role `leaves` (read with the figures that led to the change) and is not archived: a
    409 otherwise, so two decisions on one report do not both apply."""
    done = await session.execute(
        update(Category)
        .where(
            Category.id == category_id,
            Category.role == leaves,
            Category.archived_at.is_(None),
        )
        .values(role=role, updated_at=now())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise Conflict(f"Category {category_id} is archived or no longer {leaves}.")
    category = await get(session, category_id)
    await session.refresh(category)
    await _updated(session, [category])
    return category


async def move(session: AsyncSession, category_id: UUID, parent_id: UUID | None) -> Category:
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MOVE_LOCK})
    category = await _live(session, category_id)
    parent = await usable(session, parent_id, "body.parent_id") if parent_id else None
    old_path = category.path
    deepest = await session.scalar(
        select(Category.path)
        .where(Category.path.startswith(old_path))
        .order_by(func.length(Category.path).desc())
        .limit(1)
    )
    height = tree.depth(deepest) - tree.depth(old_path) + 1
    try:
        new_path = tree.moved_path(old_path, parent.path if parent else None, height)
    except tree.TreeError as error:
        raise InvalidInput(f"body.{error.field}", str(error)) from None
    await session.execute(
        update(Category)
        .where(Category.path.startswith(old_path))
        .values(path=literal(new_path) + func.substr(Category.path, len(old_path) + 1))
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Category)
        .where(Category.id == category_id)
        .values(parent_id=parent_id, updated_at=now())
        .execution_options(synchronize_session=False)
    )
    await session.refresh(category)
    await _updated(session, [category])
    await session.commit()
    return category


async def archive(session: AsyncSession, category_id: UUID) -> Category:
    """Archive a category and its whole subtree: nothing new goes into any of them."""
    category = await _live(session, category_id)
    at = now()
    archived = list(
        await session.scalars(
            update(Category)
            .where(Category.path.startswith(category.path), Category.archived_at.is_(None))
            .values(archived_at=at, updated_at=at)
            .returning(Category)
            .execution_options(synchronize_session=False)
        )
    )
    await session.refresh(category)
    await _updated(session, archived)
    await session.commit()
    return category


def _path(category_id: UUID, parent_path: str | None) -> str:
    try:
        return tree.path_of(category_id, parent_path)
    except tree.TreeError as error:
        raise InvalidInput(f"body.{error.field}", str(error)) from None


async def _live(session: AsyncSession, category_id: UUID) -> Category:
    category = await get(session, category_id)
    if category.archived:
        raise Conflict(f"Category {category_id} is archived.")
    return category


async def _updated(session: AsyncSession, categories: list[Category]) -> None:
    await outbox.add_all(
        session,
        [
            CategoryUpdated(
                category_id=c.id,
                parent_id=c.parent_id,
                name=c.name,
                role=c.role,
                archived=c.archived,
                updated_at=c.updated_at,
            )
            for c in categories
        ],
    )
