"""A count of the changes to published posts this process has committed (publications,
take-downs, a live session going on air or ending): what a cache of published posts (the
feeds' candidates and pages) compares to know it is out of date.

A transaction that makes such a change marks its session; the count moves once
that transaction has committed, so a cache filled by a read that began before the commit
is seen as stale, and one filled after it holds the change. Other replicas learn of it
when their own cache expires.
"""

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

_MARK = "content.posts.publication_changed"
_committed = 0


def publication_changed(session: AsyncSession) -> None:
    """Say that the session's transaction publishes, takes down or changes a published post."""
    session.info[_MARK] = True


def generation() -> int:
    """How many transactions that changed which posts are published have committed here."""
    return _committed


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    global _committed
    if session.info.pop(_MARK, False):
        _committed += 1


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_MARK, None)
