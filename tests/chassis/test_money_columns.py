"""Money kept in two columns (`chassis.money.money_columns`) round-trips and is queried."""

from sqlalchemy import BigInteger, Integer, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from chassis.db import Database
from chassis.money import Money, money_columns


class Base(DeclarativeBase):
    pass


class Priced(Base):
    __tablename__ = "priced"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    price_amount: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    price = money_columns("price_amount", "currency")


async def test_money_is_stored_in_its_columns_loaded_back_and_compared_in_sql(database_url):
    db = Database(database_url("money"), service="testkit")
    await db.create_database_if_missing()
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    tea, cup = Money(amount=1999, currency="CNY"), Money(amount=500, currency="CNY")
    try:
        async with db.session() as session, session.begin():
            session.add_all([Priced(id=1, price=tea), Priced(id=2, price=cup), Priced(id=3)])
        async with db.session() as session:
            rows = {row.id: row for row in await session.scalars(select(Priced))}
            found = list(await session.scalars(select(Priced.id).where(Priced.price == cup)))
            columns = (await session.execute(select(Priced.price_amount, Priced.currency))).all()
        async with db.session() as session, session.begin():
            row = await session.get(Priced, 1)
            row.price = Money(amount=2100, currency="USD")
        async with db.session() as session:
            repriced = (await session.get(Priced, 1)).price
    finally:
        await db.dispose()
    assert rows[1].price == tea
    assert isinstance(rows[1].price, Money)
    assert rows[3].price is None
    assert found == [2]
    assert sorted(columns, key=str) == sorted([(1999, "CNY"), (500, "CNY"), (None, None)], key=str)
    assert repriced == Money(amount=2100, currency="USD")
