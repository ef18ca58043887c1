"""Offline evaluation of the content recommender (`make eval-recs`): interactions split by
time, trained on the past, top 10 scored against what each user did next; the hybrid beside
a popularity baseline and a plain item-to-item neighbours baseline on the same split.

    python -m bench.eval_recs                     # the synthetic population (seeded)
    python -m bench.eval_recs --quick             # a smaller one
    python -m bench.eval_recs --data i.csv --items items.csv

`--data`: columns user_id,item_id,timestamp (seconds since the epoch, or ISO 8601);
`--items`: columns item_id,tags (tags separated by `|`). Ends with `RESULT {...}`, carrying
`ndcg_ratio` and `coverage_ratio` (hybrid / popularity) and the targets they are held to.
"""

import argparse
import csv
import re
import sys
import time
from datetime import datetime
from pathlib import Path

from bench.common import finish, machine
from services.content.recommend.data import Interaction
from services.content.recommend.evaluation import evaluate, split_by_time
from services.content.recommend.models import Hybrid, ItemNeighbours, Popularity
from services.content.recommend.synthetic import population

TARGETS = {"ndcg_ratio": 1.5, "coverage_ratio": 3.0}


def _timestamp(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return datetime.fromisoformat(text).timestamp()


def load(data: Path, items: Path | None) -> tuple[list[Interaction], dict[str, frozenset[str]]]:
    with data.open(newline="") as f:
        interactions = [
            Interaction(row["user_id"], row["item_id"], _timestamp(row["timestamp"]))
            for row in csv.DictReader(f)
        ]
    tags: dict[str, frozenset[str]] = {}
    if items is not None:
        with items.open(newline="") as f:
            for row in csv.DictReader(f):
                labels = re.split(r"[|;]", row.get("tags") or "")
                tags[row["item_id"]] = frozenset(t.strip() for t in labels if t.strip())
    for interaction in interactions:
        tags.setdefault(interaction.item, frozenset())
    return interactions, tags


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="interactions CSV (user_id,item_id,timestamp)")
    parser.add_argument("--items", type=Path, help="items CSV (item_id,tags)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="a smaller synthetic population")
    args = parser.parse_args(argv)

    if args.data:
        interactions, tags = load(args.data, args.items)
        source = str(args.data)
    else:
        size = {"users": 600, "items": 500} if args.quick else {}
        interactions, tags = population(seed=args.seed, **size)
        source = f"synthetic (seed {args.seed}{', quick' if args.quick else ''})"
    split = split_by_time(interactions, sorted(tags), tags)
    print(f"{source}: {len(interactions)} interactions, {len(split.train.users)} users, "
          f"{len(tags)} items; {len(split.future)} users with a future")  # fmt: skip

    figures, seconds = {}, {}
    for name, model in (
        ("popularity", Popularity()),
        ("item_neighbours", ItemNeighbours()),
        ("hybrid", Hybrid()),
    ):
        started = time.perf_counter()
        figures[name] = evaluate(model.fit(split.train), split).as_dict()
        seconds[name] = round(time.perf_counter() - started, 2)

    print(f"\n{'recommender':<16}{'P@10':>8}{'R@10':>8}{'NDCG@10':>9}{'coverage':>10}{'s':>7}")
    for name, f in figures.items():
        print(f"{name:<16}{f['precision']:>8.4f}{f['recall']:>8.4f}{f['ndcg']:>9.4f}"
              f"{f['coverage']:>10.4f}{seconds[name]:>7.1f}")  # fmt: skip

    pop, knn, hybrid = figures["popularity"], figures["item_neighbours"], figures["hybrid"]

    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 3) if b else None

    result = {
        "source": source,
        "interactions": len(interactions),
        "users_evaluated": hybrid["users"],
        "recommenders": figures,
        "seconds": seconds,
        "ndcg_ratio": ratio(hybrid["ndcg"], pop["ndcg"]),
        "coverage_ratio": ratio(hybrid["coverage"], pop["coverage"]),
        "ndcg_ratio_vs_item_neighbours": ratio(hybrid["ndcg"], knn["ndcg"]),
        "item_neighbours_ndcg_ratio": ratio(knn["ndcg"], pop["ndcg"]),
        "targets": TARGETS,
        "machine": machine()["summary"],
    }
    met = all((result[key] or 0) >= target for key, target in TARGETS.items())
    result["targets_met"] = met
    print(f"\nhybrid / popularity: NDCG x{result['ndcg_ratio']}, coverage "
          f"x{result['coverage_ratio']}; hybrid / item neighbours: NDCG "
          f"x{result['ndcg_ratio_vs_item_neighbours']}")  # fmt: skip
    finish("eval_recs", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
