"""The ClickHouse event store (chDB here): each event once, listed newest first; a server
that is down answers 503 fast."""

import asyncio
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clickhouse_connect.driver.binding import bind_query, format_bind_value

from chassis.events.handlers import DependencyDown
from chassis.ids import new_id
from chassis.pagination import PageRequest
from contracts.analytics import Action
from services.analytics.settings import Settings
from services.analytics.store import service
from services.analytics.store.clickhouse import ChdbStore, ServerStore, StoreUnavailable, open_store
from services.analytics.store.consumers import recorder
from services.analytics.store.rows import ORDER_PAID, event_row
from tests.analytics.events import behaviour, paid

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
ROOT = str(Path(__file__).resolve().parents[2])


async def count(store, sql_filter: str = "1", **params) -> int:
    rows = await store.rows(
        f"SELECT count() AS n FROM {{db:Identifier}}.events WHERE {sql_filter}", params
    )
    return rows[0]["n"]


async def test_a_redelivered_event_is_stored_once(store):
    customer = new_id()
    first, second = paid(customer, T0, 1200), paid(customer, T0 + timedelta(hours=1), 800)
    assert await service.record(store, [first]) == 1
    # Redelivered alone, then beside a new one, then twice in one batch.
    assert await service.record(store, [first]) == 0
    assert await service.record(store, [first, second, second]) == 1
    assert await count(store) == 2


async def test_concurrent_deliveries_of_one_batch_store_it_once(store):
    events = [paid(new_id(), T0 + timedelta(minutes=n), 100) for n in range(20)]
    written = await asyncio.gather(*(service.record(store, events) for _ in range(5)))
    assert sorted(written) == [0, 0, 0, 0, 20]
    assert await count(store) == 20


async def test_order_rows_carry_who_paid_and_the_paid_lines_without_shipping():
    customer = new_id()
    row = event_row(paid(customer, T0, 1200, 300))
    assert (row["type"], row["name"], row["actor"]) == (ORDER_PAID, ORDER_PAID, str(customer))
    assert (row["amount"], row["currency"]) == (1500, "CNY")
    assert row["time"] == T0


async def test_behaviour_rows_happen_at_the_client_time_and_name_the_action():
    user = new_id()
    event = behaviour(
        Action.ADD_TO_CART, T0 - timedelta(minutes=5), anonymous_id="dev-1", user_id=user
    )
    row = event_row(event)
    assert (row["name"], row["actor"], row["anonymous_id"]) == ("add_to_cart", str(user), "dev-1")
    assert row["time"] == T0 - timedelta(minutes=5)


async def test_the_list_pages_newest_first_by_type_and_subject(store):
    customer, other = new_id(), new_id()
    mine = [paid(customer, T0 + timedelta(seconds=n), 100) for n in range(5)]
    noise = [paid(other, T0, 100), behaviour(Action.SEARCH, T0, anonymous_id="dev-123")]
    await service.record(store, mine + noise)
    seen, cursor = [], None
    while True:
        page = PageRequest(limit=2, cursor=cursor)
        rows, cursor = await service.list_events(store, type=ORDER_PAID, subject=None, page=page)
        seen += [row for row in rows if row["data"]["customer_id"] == str(customer)]
        if cursor is None:
            break
    assert [row["id"] for row in seen] == [str(e.id) for e in reversed(mine)]
    only, _ = await service.list_events(
        store, type=None, subject=str(mine[0].subject), page=PageRequest()
    )
    assert [row["id"] for row in only] == [str(mine[0].id)]


async def test_text_with_every_kind_of_line_break_lists_back_as_stored(store):
    # Python's str.splitlines() also breaks at \x0b, \x0c, \x1c-\x1e, \x85, \u2028 and
    # \u2029, which JSONEachRow leaves unescaped inside strings: rows split only at "\n".
    odd = "dev-\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\r\n-end"
    event = behaviour(Action.SEARCH, T0, anonymous_id=odd)
    await service.record(store, [event])
    rows, _ = await service.list_events(
        store, type=None, subject=str(event.subject), page=PageRequest()
    )
    assert [row["data"]["anonymous_id"] for row in rows] == [odd]


async def test_properties_beyond_what_orjson_encodes_are_stored_as_sent(store):
    # A client's properties may hold an integer past 64 bits (orjson refuses those) and any
    # text: each row is stored and listed back as it came.
    big = behaviour(Action.CLICK, T0, anonymous_id="anon-big-0001")
    big.data["properties"] = {"n": 2**70, "text": '雪 \u2028 "quoted"'}
    usual = behaviour(Action.CLICK, T0, anonymous_id="anon-usual-01")
    usual.data["properties"] = {"n": 2**63 - 1, "f": 0.1}
    await service.record(store, [big, usual])
    rows, _ = await service.list_events(store, type=None, subject=None, page=PageRequest())
    assert {row["data"]["anonymous_id"]: row["data"]["properties"] for row in rows} == {
        "anon-big-0001": {"n": 2**70, "text": '雪 \u2028 "quoted"'},
        "anon-usual-01": {"n": 2**63 - 1, "f": 0.1},
    }


async def test_a_server_that_is_down_is_unavailable_fast():
    store = ServerStore("http://127.0.0.1:1", "flywheel", timeout=5)
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        await store.rows("SELECT 1")
    assert time.monotonic() - started < 5  # bounded by the connect timeout, not the query's


async def test_closed_embedded_sessions_reopen_on_another_directory(tmp_path):
    # Run in a process of its own: this one's chDB stays on the test session's directory.
    script = (
        "import asyncio, pathlib, sys\n"
        "from services.analytics.store.clickhouse import ChdbStore, close_embedded\n"
        "async def main():\n"
        "    for name in ('one', 'two'):\n"
        "        store = ChdbStore(pathlib.Path(sys.argv[1]) / name, 'db')\n"
        "        assert (await store.rows('SELECT 1 AS n')) == [{'n': 1}]\n"
        "        close_embedded()\n"
        "asyncio.run(main())\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(tmp_path), env={**os.environ, "PYTHONPATH": ROOT}
    )
    assert await asyncio.wait_for(process.wait(), 120) == 0


def test_a_server_receives_the_parameters_as_the_same_text_as_chdb():
    """The server path's client binds `{name:Type}` parameters itself: the text it sends must
    be the text chDB is given, or one SQL would mean two things."""
    store = ServerStore("http://127.0.0.1:1", "flywheel")
    params = store._bind(
        {
            "cursor_time": datetime(2026, 11, 2, 9, 0, 0, 123000, tzinfo=UTC),
            "cursor_id": new_id(),
            "names": ["page_view", "it's"],
            "limit": 21,
        }
    )
    sql = service._LIST.replace("{filters}", service._FILTERS["cursor_time"])
    query, sent = bind_query(sql, params)
    assert query == sql  # bound on the server, not spliced into the text
    assert sent == {f"param_{name}": format_bind_value(value) for name, value in params.items()}
    assert sent["param_cursor_time"] == "2026-11-02 09:00:00.123"


@pytest.mark.parametrize(
    ("settings", "kind", "database"),
    [
        ({}, ChdbStore, "flywheel"),
        ({"clickhouse_database": "events"}, ChdbStore, "events"),
        (
            {"clickhouse_url": "http://default:pw@clickhouse:8123/warehouse"},
            ServerStore,
            "warehouse",
        ),
        ({"clickhouse_url": "http://clickhouse:8123"}, ServerStore, "flywheel"),
    ],
)
def test_the_settings_choose_the_store(settings, kind, database):
    store = open_store(Settings(**settings))
    assert (type(store), store.database) == (kind, database)


async def test_the_consumer_handler_reports_a_store_that_is_down_as_a_dependency_down():
    # DependencyDown makes the consumer rewind and retry, never dead-letter (chassis tests).
    handler = recorder(ServerStore("http://127.0.0.1:1", "flywheel", timeout=5))
    with pytest.raises(DependencyDown):
        await handler([paid(new_id(), T0, 100)], None)
