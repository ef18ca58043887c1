"""The operators' banned-words list, as the automaton that screens text."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.content.moderation.filter import BannedWords, Term
from services.content.moderation.models import BannedWord


async def current(session: AsyncSession) -> BannedWords:
    """The list as it is now: built per screening, so an operator's change applies to the
    next submission on every replica (a list of thousands builds in milliseconds)."""
    rows = await session.execute(select(BannedWord.term, BannedWord.severity))
    return BannedWords(Term(term, severity) for term, severity in rows)
