"""`python -m deploy.dlq`: list a topic's dead letters, or replay them after a fix.

    python -m deploy.dlq list flywheel.orders.order [--group catalog] [--reason poison]
    python -m deploy.dlq replay flywheel.orders.order --group catalog [--dry-run]

`replay` re-publishes `handler-failed` letters (or those of `--reason`) onto the topic they
came from, printing its progress; the consumers' inboxes make a replay safe to repeat
(docs/operations.md, "DLQ inspection and replay"). The broker is `KAFKA_BOOTSTRAP_SERVERS`.
"""

import argparse
import asyncio
import json
import os
import sys

from chassis.events import dlq, kafka


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m deploy.dlq", description=__doc__.split("\n")[0]
    )
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("topic", help="the topic whose `.dlq` to read, e.g. flywheel.orders.order")
    parser.add_argument("--group", help="only the letters this consumer group sent")
    parser.add_argument(
        "--reason",
        action="append",
        default=[],
        help="only this reason (repeatable); "
        "default for replay: handler-failed, for list: every reason",
    )
    parser.add_argument("--dry-run", action="store_true", help="replay: say what, send nothing")
    return parser.parse_args(argv)


async def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    letters = await dlq.read(bootstrap, args.topic)
    if args.action == "list":
        reasons = args.reason or {letter.reason for letter in letters}
        for letter in dlq.chosen(letters, group=args.group, reasons=reasons):
            print(json.dumps(letter.summary(), ensure_ascii=False))
        return 0
    chosen = dlq.chosen(letters, group=args.group, reasons=args.reason)
    print(f"{len(chosen)} of {len(letters)} dead letters of {args.topic} to replay")
    if args.dry_run or not chosen:
        return 0
    producer = kafka.producer(bootstrap)
    await producer.start()
    try:
        await dlq.replay(producer, chosen, progress=_print_progress)
    finally:
        await producer.stop()
    return 0


def _print_progress(done: int, total: int, letter: dlq.DeadLetter) -> None:
    print(f"[{done}/{total}] replayed {letter.where} onto {letter.topic}", flush=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
