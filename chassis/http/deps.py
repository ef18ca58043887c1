"""Dependencies every service's routes use: the database session of the request, and the
service's settings (`Annotated[Settings, Depends(settings)]` in the service, for its type)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.session() as db_session:
        yield db_session


SessionDep = Annotated[AsyncSession, Depends(session)]


async def settings(request: Request) -> object:
    # async: a plain def dependency costs every request a hop through the thread pool
    return request.app.state.runtime.settings
