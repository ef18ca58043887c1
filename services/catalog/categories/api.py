"""Category routes: the tree that operators plan the assortment in."""

from uuid import UUID

from fastapi import APIRouter, status

from chassis.auth.deps import OperatorDep
from chassis.http.deps import SessionDep
from chassis.http.problems import responses
from services.catalog.categories import service, tree
from services.catalog.categories.models import Category
from services.catalog.categories.schemas import (
    CategoryChange,
    CategoryCreate,
    CategoryMove,
    CategoryOut,
    CategoryTree,
)

router = APIRouter(prefix="/categories", tags=["categories"])


def _out(category: Category) -> CategoryOut:
    return CategoryOut(
        id=category.id,
        parent_id=category.parent_id,
        name=category.name,
        role=category.role,
        role_label=tree.ROLE_LABELS[category.role],
        depth=tree.depth(category.path),
        archived=category.archived,
        created_at=category.created_at,
        updated_at=category.updated_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Add a category to the tree, with its role",
    responses=responses(401, 403, 422),
)
async def create_category(
    body: CategoryCreate, session: SessionDep, by: OperatorDep
) -> CategoryOut:
    return _out(await service.create(session, body, by.user_id))


@router.get("", summary="The category tree, parents before children", responses=responses(422))
async def category_tree(session: SessionDep, include_archived: bool = False) -> CategoryTree:
    categories = await service.all_categories(session, include_archived=include_archived)
    return CategoryTree(items=[_out(c) for c in categories])


@router.get("/{category_id}", summary="Get a category", responses=responses(404, 422))
async def get_category(category_id: UUID, session: SessionDep) -> CategoryOut:
    return _out(await service.get(session, category_id))


@router.patch(
    "/{category_id}",
    summary="Rename a category or give it another role",
    responses=responses(401, 403, 404, 409, 422),
)
async def change_category(
    category_id: UUID, body: CategoryChange, session: SessionDep, by: OperatorDep
) -> CategoryOut:
    return _out(await service.change(session, category_id, body))


@router.post(
    "/{category_id}/move",
    summary="Move a category (with its subtree) under another parent, or to the root",
    responses=responses(401, 403, 404, 409, 422),
)
async def move_category(
    category_id: UUID, body: CategoryMove, session: SessionDep, by: OperatorDep
) -> CategoryOut:
    return _out(await service.move(session, category_id, body.parent_id))


@router.post(
    "/{category_id}/archive",
    summary="Archive a category and its subtree: no product may be put in them",
    responses=responses(401, 403, 404, 409, 422),
)
async def archive_category(category_id: UUID, session: SessionDep, by: OperatorDep) -> CategoryOut:
    return _out(await service.archive(session, category_id))
