"""Operations on segments: previewing a rule (its count and a sample) with the SQL evaluator."""

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chassis.http.problems import InvalidInput
from services.users.accounts.models import User
from services.users.segments import rules, sql


def parse(tree: dict, path: str = "body.rule") -> rules.Node:
    """The rule, or a 422 naming the path of its first bad node."""
    try:
        return rules.parse(tree, path)
    except rules.RuleError as error:
        raise InvalidInput(error.path, error.message) from None


async def preview(
    session: AsyncSession, rule: rules.Node, sample_size: int
) -> tuple[int, list[tuple]]:
    selected = sql.users().where(sql.condition(rule))
    count = await session.scalar(select(func.count()).select_from(selected.subquery()))
    sample = []
    if sample_size:
        ids = selected.order_by(User.id.desc()).limit(sample_size).subquery()
        sample = (
            await session.execute(
                select(User.id, User.email)
                .where(User.id.in_(select(ids.c.id)))
                .order_by(User.id.desc())
            )
        ).all()
    return count, sample
