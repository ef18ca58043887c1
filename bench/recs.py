"""Benchmark: the home feed served by the hybrid recommender, for users with history, over
50,000 posts and 1,000,000 interactions on PostgreSQL, at a fixed offered rate.

`python -m bench.recs [--quick] [--items N] [--interactions N] [--rate R] [--seconds S]`.
A synthetic population (users with a favourite tag, posts with tags, views and likes drawn
from the tastes with noise and popularity bias, seeded) is loaded with COPY into a fresh
database of the content service, which then runs as two uvicorn workers, each training its
own snapshot at start from those rows (as replicas do). An open-loop client in its own
process offers requests at a fixed rate (100/s by default; latency counted from the moment
each request was due, so a stall is not hidden by the client waiting), rotating the tokens
of 100 users with history, first at the service's home feed, then at a bare route of the
same stack (FastAPI and uvicorn, two workers) that returns one of those users' feeds cached.
While the service is under load, users like a post outside their first page and poll their
feed until it changes: the time from the like to a changed feed, with no retrain. Ends with
one line `RESULT {json}` (also bench/results/recs.json).
"""

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import asyncpg
import httpx
import jwt
import numpy as np
from fastapi import FastAPI
from fastapi.responses import Response

from bench.common import finish, machine, migrate, open_loop, percentiles, revision, signing
from bench.flash_sale import PG, _drop
from bench.gateway import _serve

TARGETS = {"feed_p99_ms_max": 50.0, "share_of_bare_min": 0.8, "like_to_feed_p95_ms_max": 2000.0}
HOME = "/api/v1/content/feeds/home"
POSTS = "/api/v1/content/posts"
TAGS = ["搭配", "布置", "教程", "测评", *(f"tag{n}" for n in range(36))]
TOPICS = [f"topic{n}" for n in range(20)]
MEASURED = 100  # users with history whose feeds are loaded
PER_USER = 50  # interactions of each synthetic user
LIKE_SHARE = 0.3  # the rest are views
TASTE_SHARE = 0.8  # of a user's interactions, on their favourite tag; the rest anywhere
CHANGE_TIMEOUT = 5.0
REQUEST_TIMEOUT = 30.0  # a feed request not answered by then counts as an error
WORKERS = 2  # uvicorn workers of the service and of the bare route


def _trained(service: str, operator: str, timeout: float = 600) -> dict:
    """Wait until every worker has trained: fresh connections (each may reach any worker)
    all answer with a snapshot of the loaded rows, 4 x WORKERS times in a row."""
    deadline, in_a_row, state = time.monotonic() + timeout, 0, {}
    while in_a_row < 4 * WORKERS:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not all train: {state}")
        answer = httpx.get(
            f"{service}/api/v1/content/recommender",
            headers={"Authorization": f"Bearer {operator}", "Connection": "close"},
            timeout=30,
        )
        state = answer.json()
        in_a_row = in_a_row + 1 if answer.status_code == 200 and state["interactions"] else 0
        time.sleep(0.2 if in_a_row else 1.0)
    return state


def bare_app() -> FastAPI:
    """The stack's own limit: one user's feed, cached, served as the feed route serves it."""
    body = Path(os.environ["BENCH_BARE_FILE"]).read_bytes()
    app = FastAPI()

    @app.get("/bare")
    async def bare() -> Response:
        return Response(body, media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    return app


def population(items: int, interactions: int, measured: list[uuid.UUID], seed: int = 21):
    """Posts (id, author, tag, second tag or None, topic, published_at) and interactions
    (user row, post row, is_like) as arrays; users' ids, the first being `measured`."""
    rng = np.random.default_rng(seed)
    tag = rng.integers(len(TAGS), size=items)
    second = np.where(rng.random(items) < 0.4, rng.integers(len(TAGS), size=items), -1)
    topic = rng.integers(len(TOPICS), size=items)
    age = rng.uniform(0, 60 * 86_400, size=items)
    users = max(len(measured), interactions // PER_USER)
    taste = rng.integers(len(TAGS), size=users)
    by_tag = [np.flatnonzero(tag == t) for t in range(len(TAGS))]
    wanted = int(interactions * 1.15)  # some pairs repeat: drawn a little over, trimmed
    user = rng.integers(users, size=wanted)
    on_taste = rng.random(wanted) < TASTE_SHARE
    post = rng.integers(items, size=wanted)
    # Within the favourite tag, lower ranks are likelier (popularity bias, u² of the rank).
    for t in range(len(TAGS)):
        chosen = on_taste & (taste[user] == t)
        ranks = (rng.random(chosen.sum()) ** 2 * len(by_tag[t])).astype(int)
        post[chosen] = by_tag[t][ranks]
    pairs = np.unique(user.astype(np.int64) * items + post)
    pairs = rng.permutation(pairs)[:interactions]
    user, post = pairs // items, pairs % items
    ids = list(measured) + [uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(users)]
    posts = {
        "id": [uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(items)],
        "author": rng.integers(2_000, size=items),
        "tag": tag,
        "second": second,
        "topic": topic,
        "age": age,
    }
    return posts, user, post, rng.random(len(pairs)) < LIKE_SHARE, ids[:users], taste


async def load(database: str, posts: dict, user, post, like, user_ids) -> dict:
    """COPY the population into the content tables; seconds taken per table."""
    now = datetime.now(UTC)
    authors = [uuid.UUID(int=int(a) + 1) for a in range(2_000)]
    taken = {}
    connection = await asyncpg.connect(f"{PG}/{database}")
    try:

        async def copy(table: str, columns: list[str], records) -> None:
            started = time.perf_counter()
            await connection.copy_records_to_table(table, records=records, columns=columns)
            taken[table] = round(time.perf_counter() - started, 2)

        published = [now - timedelta(seconds=float(a)) for a in posts["age"]]
        labels = []
        rows = []
        for n, post_id in enumerate(posts["id"]):
            tags = [TAGS[posts["tag"][n]]]
            if posts["second"][n] >= 0 and posts["second"][n] != posts["tag"][n]:
                tags.append(TAGS[posts["second"][n]])
            topics = [TOPICS[posts["topic"][n]]]
            labels += [(post_id, "tag", t) for t in tags] + [(post_id, "topic", t) for t in topics]
            at = published[n]
            rows.append(
                (post_id, "article", "published", authors[posts["author"][n]], f"post {n}", "",
                 "<p></p>", "[]", "[]", "[]", json.dumps(tags), json.dumps(topics), "[]", at, at,
                 at)
            )  # fmt: skip
        await copy(
            "posts",
            ["id", "kind", "state", "author", "title", "body", "body_html", "images",
             "product_ids", "sku_ids", "tags", "topics", "flags", "created_at", "updated_at",
             "published_at"],
            rows,
        )  # fmt: skip
        await copy("post_labels", ["post_id", "kind", "value"], labels)
        post_ids, seen_at = posts["id"], now - timedelta(minutes=1)
        views = np.flatnonzero(~like)
        likes = np.flatnonzero(like)
        await copy(
            "seen",
            ["user_id", "post_id", "views", "dwell_ms", "last_seen_at"],
            ((user_ids[user[i]], post_ids[post[i]], 1, 20_000, seen_at) for i in views.tolist()),
        )
        await copy(
            "reactions",
            ["user_id", "post_id", "kind", "created_at"],
            ((user_ids[user[i]], post_ids[post[i]], "like", seen_at) for i in likes.tolist()),
        )
        view_counts = np.bincount(post[views], minlength=len(post_ids))
        like_counts = np.bincount(post[likes], minlength=len(post_ids))
        await copy(
            "post_stats",
            ["post_id", "views", "dwell_ms", "likes", "favourites", "shares", "comments",
             "clicks"],
            (
                (post_ids[n], int(view_counts[n]), int(view_counts[n]) * 20_000,
                 int(like_counts[n]), 0, 0, 0, 0)
                for n in range(len(post_ids))
            ),
        )  # fmt: skip
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return taken


def _cpu_seconds(url: str) -> float:
    """CPU seconds used so far by the uvicorn server on `url`'s port and its workers (from
    /proc): what a feed costs whatever share of the machine the server was given."""
    port, ticks = f"--port\0{urlparse(url).port}\0", os.sysconf("SC_CLK_TCK")
    masters = [p for p in Path("/proc").glob("[0-9]*") if _reads(p / "cmdline").count(port)]
    total = 0.0
    for master in masters:
        children = _reads(master / "task" / master.name / "children").split()
        for pid in [master.name, *children]:
            fields = _reads(Path("/proc") / pid / "stat").rsplit(")", 1)[-1].split()
            if len(fields) > 12:
                total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _reads(path: Path) -> str:
    try:
        return path.read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _client(url: str, rate: float, seconds: float, tokens: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "bench.recs", "--client", url, str(rate), str(seconds)]
    return subprocess.Popen([*command, str(tokens)], stdout=subprocess.PIPE, text=True)


def _result(process: subprocess.Popen, seconds: float) -> dict:
    try:
        output, _ = process.communicate(timeout=seconds + REQUEST_TIMEOUT + 120)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    if process.returncode:
        raise RuntimeError("the load client failed")
    return json.loads(output)


def _first_page(client: httpx.Client, token: str) -> list[str]:
    response = client.get(HOME, headers={"Authorization": f"Bearer {token}"}, params={"limit": 20})
    response.raise_for_status()
    return [item["post"]["id"] for item in response.json()["items"]]


def like_to_feed(service: str, tokens: list[str], outside: list[list[str]]) -> dict:
    """Each user likes a post that is not on their first page (nor theirs already), then
    reads their feed until the first page changes: the seconds from the like to that."""
    waits, unchanged, requests = [], 0, 0
    with httpx.Client(base_url=service, timeout=30) as client:
        for token, candidates in zip(tokens, outside, strict=True):
            before = _first_page(client, token)
            post = next(p for p in candidates if p not in before)
            started = time.perf_counter()
            liked = client.post(
                f"{POSTS}/{post}/interactions",
                headers={"Authorization": f"Bearer {token}"},
                json={"kind": "like"},
            )
            liked.raise_for_status()
            requests += 2
            while _first_page(client, token) == before:
                requests += 1
                if time.perf_counter() - started > CHANGE_TIMEOUT:
                    unchanged += 1
                    break
                time.sleep(0.01)
            waits.append(time.perf_counter() - started)
    return {**percentiles(waits), "unchanged_after_timeout": unchanged, "requests": requests + 1}


def _per_request(cpu_seconds: float, figures: dict, others: int = 0) -> float | None:
    """CPU milliseconds of the server per answered request (`others`: those of the
    like-to-feed trials that ran meanwhile)."""
    answered = figures["requests"] - figures["errors"] + others
    return round(cpu_seconds * 1000 / answered, 2) if answered else None


def _idle_cpu_per_second(url: str, seconds: float = 3.0) -> float:
    """What the server spends with no request (its background loops), per second."""
    used = _cpu_seconds(url)
    time.sleep(seconds)
    return (_cpu_seconds(url) - used) / seconds


def run(args: argparse.Namespace) -> dict:
    load_before = os.getloadavg()
    database = f"recs_bench_{uuid.uuid4().hex[-10:]}"
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        directory = Path(tmp)
        jwks, [operator], customers = signing(directory)
        tokens = customers.read_text().split()[:MEASURED]
        measured = [uuid.UUID(jwt.decode(t, options={"verify_signature": False})["sub"])
                    for t in tokens]  # fmt: skip
        tokens_file = directory / "measured.txt"
        tokens_file.write_text("\n".join(tokens) + "\n")
        keys = stack.enter_context(
            _serve(
                "bench.gateway:upstream_app", {"BENCH_JWKS_FILE": str(jwks)}, directory / "jwks.log"
            )
        )
        env = {
            "CONTENT_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}",
            "CONTENT_KAFKA_ENABLED": "false",
            "CONTENT_MIGRATE_ON_START": "false",
            "CONTENT_RECOMMENDER_RETRAIN_SECONDS": "86400",
            "CONTENT_INTERACTION_RATE_LIMIT": json.dumps({"limit": 1_000_000, "window": 1}),
            "FLYWHEEL_JWKS_URL": keys + "/api/v1/users/.well-known/jwks.json",
            "REDIS_URL": None,
        }
        try:
            asyncio.run(migrate(env["CONTENT_DATABASE_URL"], "content"))
            started = time.perf_counter()
            posts, user, post, like, user_ids, taste = population(
                args.items, args.interactions, measured
            )
            generated = round(time.perf_counter() - started, 2)
            started = time.perf_counter()
            tables = asyncio.run(load(database, posts, user, post, like, user_ids))
            loaded = round(time.perf_counter() - started, 2)
            # Each worker trains its own snapshot at start, from the rows just loaded.
            service = stack.enter_context(
                _serve("services.content.app:create_app", env, directory / "content.log", 120,
                       workers=WORKERS)
            )  # fmt: skip
            trained = _trained(service, operator)
            with httpx.Client(base_url=service, timeout=30) as client:
                for token in tokens:  # warm up, and every measured user has a feed
                    assert _first_page(client, token), "a measured user got an empty feed"
                cached = client.get(
                    HOME, headers={"Authorization": f"Bearer {tokens[0]}"}, params={"limit": 20}
                )
            bare_file = directory / "bare.json"
            bare_file.write_bytes(cached.content)
            reasons = sorted({item["reason"]["code"] for item in cached.json()["items"]})
            bare = stack.enter_context(
                _serve("bench.recs:bare_app", {"BENCH_BARE_FILE": str(bare_file)},
                       directory / "bare.log", workers=WORKERS)
            )  # fmt: skip
            # Posts of a tag the user does not favour: a like there changes their taste.
            rng = np.random.default_rng(5)
            trial_users = range(MEASURED // 2, MEASURED // 2 + args.trials)
            outside = [
                [str(posts["id"][p]) for p in rng.permutation(np.flatnonzero(
                    posts["tag"] != taste[u]))[:50]]
                for u in trial_users
            ]  # fmt: skip
            idle = _idle_cpu_per_second(service)
            used, started = _cpu_seconds(service), time.monotonic()
            client = _client(service + HOME, args.rate, args.seconds, tokens_file)
            time.sleep(min(2.0, args.seconds / 4))
            change = like_to_feed(service, [tokens[u] for u in trial_users], outside)
            through = _result(client, args.seconds)
            busy = _cpu_seconds(service) - used - idle * (time.monotonic() - started)
            through["cpu_ms_per_request"] = _per_request(busy, through, change["requests"])
            through["idle_cpu_ms_per_s"] = round(idle * 1000, 1)
            used = _cpu_seconds(bare)
            limit = _result(
                _client(bare + "/bare", args.rate, args.seconds, tokens_file), args.seconds
            )
            limit["cpu_ms_per_request"] = _per_request(_cpu_seconds(bare) - used, limit)
        finally:
            asyncio.run(_drop(database))
    share = round(through["served_per_s"] / limit["served_per_s"], 3)
    return {
        "benchmark": "recs",
        "client": "an open-loop httpx client in its own process (latency from each "
        "request's due time), two uvicorn workers per server",
        "machine": machine()["summary"],
        "load_average_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
        "revision": revision(("services/content", "chassis")),
        "items": args.items,
        "interactions": len(user),
        "users": len(user_ids),
        "seconds_per_run": args.seconds,
        "setup_seconds": {"generate": generated, "copy": loaded, "tables": tables},
        "training": trained,
        "reasons_on_a_first_page": reasons,
        "service": through,
        "bare": limit,
        "share_of_bare": share,
        "like_to_changed_feed_ms": change,
        "targets": TARGETS,
        "met": {
            "feed_p99": through["p99_ms"] < TARGETS["feed_p99_ms_max"] and not through["errors"],
            "share_of_bare": share >= TARGETS["share_of_bare_min"],
            "like_to_feed_p95": change["unchanged_after_timeout"] == 0
            and change["p95"] < TARGETS["like_to_feed_p95_ms_max"],
        },
    }


def _print(result: dict) -> None:
    print(f"{result['client']}; {result['machine']}")
    print(
        f"{result['items']:,} posts, {result['interactions']:,} interactions, "
        f"{result['users']:,} users; load average before/after "
        f"{result['load_average_before_after']}"
    )
    print(f"setup: {result['setup_seconds']}; training: {result['training']}")
    header = f"{'route':<20}{'offered/s':>10}{'served/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
    print(f"\n{header}{'errors':>8}")
    for name in ("service", "bare"):
        row = result[name]
        print(
            f"{name:<20}{row['offered_per_s']:>10.0f}{row['served_per_s']:>10.1f}"
            f"{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}{row['errors']:>8}"
        )
    cpu = [result[name]["cpu_ms_per_request"] for name in ("service", "bare")]
    print(f"\nserver CPU per answered request (both workers, PostgreSQL not counted, the "
          f"feed's idle {result['service']['idle_cpu_ms_per_s']} ms/s taken off): "
          f"feed {cpu[0]} ms, bare {cpu[1]} ms")  # fmt: skip
    change = result["like_to_changed_feed_ms"]
    print(
        f"\nfeed served at {result['share_of_bare']:.0%} of the bare route's rate; like to a "
        f"changed feed: p50 {change['p50']} ms, p95 {change['p95']} ms over {change['count']} "
        f"likes ({change['unchanged_after_timeout']} unchanged after {CHANGE_TIMEOUT:g} s)"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["--client"]:
        url, rate, seconds, listing = argv[1:5]
        tokens = Path(listing).read_text().split()

        def feed(client: httpx.AsyncClient, n: int) -> Awaitable[httpx.Response]:
            headers = {"Authorization": f"Bearer {tokens[n % len(tokens)]}"}
            return client.get(url, headers=headers, params={"limit": 20})

        figures = open_loop(feed, float(rate), float(seconds), REQUEST_TIMEOUT)
        print(json.dumps(asyncio.run(figures)))
        return
    parser = argparse.ArgumentParser(prog="python -m bench.recs")
    parser.add_argument("--quick", action="store_true", help="10,000 posts, 200,000 interactions")
    parser.add_argument("--items", type=int)
    parser.add_argument("--interactions", type=int)
    parser.add_argument("--rate", type=float, default=100.0, help="requests offered per second")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--trials", type=int)
    args = parser.parse_args(argv)
    args.items = args.items or (10_000 if args.quick else 50_000)
    args.interactions = args.interactions or (200_000 if args.quick else 1_000_000)
    args.seconds = args.seconds or (10.0 if args.quick else 30.0)
    args.trials = min(args.trials or (20 if args.quick else 50), MEASURED // 2)
    result = run(args)
    _print(result)
    finish("recs", result)


if __name__ == "__main__":
    main(sys.argv[1:])
