"""Whether an order may take a group buy's, a bargain's or a flash reservation's price (pure
rules)."""

from datetime import UTC, datetime, timedelta

import pytest

from chassis.http.problems import Conflict, InvalidInput
from chassis.ids import new_id
from chassis.money import Money
from services.orders.deals.rules import (
    BargainTerms,
    Deal,
    FlashTerms,
    GroupStatus,
    GroupTerms,
    bargain_deal,
    check_lines,
    flash_deal,
    group_deal,
)

AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
SKU, ME, YOU = new_id(), new_id(), new_id()
PRICE = Money(amount=1500, currency="CNY")


def _group(status=GroupStatus.OPEN, expires=timedelta(hours=1), members=()) -> GroupTerms:
    return GroupTerms(SKU, PRICE, status, AT + expires, frozenset(members))


def _bargain(starter=ME, until=timedelta(hours=1), ordered=False) -> BargainTerms:
    return BargainTerms(SKU, starter, PRICE, AT + until, ordered)


def _flash(status="reserved", expires=timedelta(minutes=15), quantity=2) -> FlashTerms:
    return FlashTerms(new_id(), new_id(), SKU, quantity, PRICE, status, AT + expires)


def _refused(call, field: str, words: str, problem=InvalidInput) -> None:
    with pytest.raises(problem) as raised:
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


def test_a_held_flash_reservation_prices_its_skus_line_up_to_the_units_reserved():
    other = new_id()
    assert flash_deal(_flash(), [(other, 3), (SKU, 2)], AT) == Deal(SKU, PRICE, max_quantity=2)
    assert flash_deal(_flash(), [(SKU, 1)], AT) == Deal(SKU, PRICE, max_quantity=2)


@pytest.mark.parametrize(
    ("flash", "lines", "field", "words"),
    [
        (None, [(SKU, 1)], "body.flash_reservation_id", "no flash reservation of yours"),
        (_flash(), [(new_id(), 1)], "body.lines", "the SKU the flash reservation is for"),
        (_flash(), [(SKU, 3)], "body.lines.0.quantity", "at most 2"),
        (_flash(), [(SKU, 1), (SKU, 1)], "body.lines.1.sku_id", "on one line"),
    ],
)
def test_a_flash_order_the_reservation_does_not_cover_names_the_field(flash, lines, field, words):
    _refused(lambda: flash_deal(flash, lines, AT), field, words)


@pytest.mark.parametrize(
    ("flash", "words"),
    [
        (_flash(status="ordered"), "is ordered"),
        (_flash(status="expired"), "is expired"),
        (_flash(status="released"), "is released"),
        (_flash(expires=timedelta(0)), "expired at"),
    ],
)
def test_a_reservation_no_longer_held_is_a_conflict_naming_it(flash, words):
    _refused(
        lambda: flash_deal(flash, [(SKU, 1)], AT), "body.flash_reservation_id", words, Conflict
    )
