"""Whether an order may take a group buy's or a bargain's price (pure rules)."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.http.problems import InvalidInput
from chassis.ids import new_id
from chassis.money import Money
from services.orders.deals.rules import (
    BargainTerms,
    Deal,
    GroupStatus,
    GroupTerms,
    bargain_deal,
    check_lines,
    group_deal,
)

AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
SKU, ME, YOU = new_id(), new_id(), new_id()
PRICE = Money(amount=1500, currency="CNY")


def _group(status=GroupStatus.OPEN, expires=timedelta(hours=1), members=()) -> GroupTerms:
    return GroupTerms(SKU, PRICE, status, AT + expires, frozenset(members))


def _bargain(starter=ME, until=timedelta(hours=1), ordered=False) -> BargainTerms:
    return BargainTerms(SKU, starter, PRICE, AT + until, ordered)


def _refused(call, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        call()
    (error,) = raised.value.extra["errors"]
    assert error["field"] == field
    assert words in error["message"]


def test_an_open_group_or_a_completed_one_for_its_member_gives_the_group_price():
    assert group_deal(_group(), ME, AT) == Deal(SKU, PRICE)
    assert group_deal(_group(GroupStatus.COMPLETED, members=[ME]), ME, AT) == Deal(SKU, PRICE)


@pytest.mark.parametrize(
    ("group", "words"),
    [
        (None, "no such group buy"),
        (_group(GroupStatus.FAILED), "failed"),
        (_group(GroupStatus.COMPLETED, members=[YOU]), "not one of its members"),
        (_group(expires=timedelta(0)), "time ran out"),
    ],
)
def test_a_group_that_cannot_take_the_order_names_the_group(group, words):
    _refused(lambda: group_deal(group, ME, AT), "body.group_id", words)


def test_a_bargain_gives_one_unit_at_the_floor_to_its_starter_before_its_time():
    assert bargain_deal(_bargain(), ME, AT) == Deal(SKU, PRICE, max_quantity=1)


@pytest.mark.parametrize(
    ("bargain", "words"),
    [
        (None, "no bargain of yours"),
        (_bargain(starter=YOU), "no bargain of yours"),
        (_bargain(ordered=True), "ordered already"),
        (_bargain(until=timedelta(0)), "could be ordered until"),
    ],
)
def test_a_bargain_that_cannot_take_the_order_names_the_bargain(bargain, words):
    _refused(lambda: bargain_deal(bargain, ME, AT), "body.bargain_id", words)


def test_a_deals_order_is_one_line_of_its_sku_within_its_quantity():
    deal = Deal(SKU, PRICE, max_quantity=1)
    check_lines(deal, "body.bargain_id", [(SKU, 1)])
    check_lines(Deal(SKU, PRICE), "body.group_id", [(SKU, 5)])
    _refused(
        lambda: check_lines(deal, "body.bargain_id", [(new_id(), 1)]), "body.lines", "one line"
    )
    _refused(
        lambda: check_lines(deal, "body.bargain_id", [(SKU, 1), (SKU, 1)]), "body.lines", "one line"
    )
    _refused(lambda: check_lines(deal, "body.bargain_id", [(SKU, 2)]), "body.lines.0.quantity", "1")
