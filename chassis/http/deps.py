"""Dependencies every service's routes use: the database session of the request."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.db.session() as db_session:
        yield db_session


SessionDep = Annotated[AsyncSession, Depends(session)]
