"""A synthetic population to evaluate recommenders on: users with hidden tastes over tags,
items with tags, interactions drawn from those tastes with noise and popularity bias."""

import numpy as np

from services.content.recommend.data import Interaction


def population(
    *,
    users: int = 2_000,
    items: int = 1_500,
    tags: int = 40,
    per_user: float = 30.0,
    noise: float = 0.15,
    popularity_bias: float = 0.6,
    days: float = 60.0,
    seed: int = 42,
) -> tuple[list[Interaction], dict[str, frozenset[str]]]:
    """(interactions, tags of each item). Each user likes a few tags (a Dirichlet taste);
    each item has one to three tags and a Zipf-like appeal; a user's next item is drawn in
    proportion to taste match times appeal^`popularity_bias`, or uniformly with probability
    `noise`; times are spread over `days`, each user's tastes drifting a little."""
    rng = np.random.default_rng(seed)
    tag_names = [f"t{n}" for n in range(tags)]
    item_tags = np.zeros((items, tags), dtype=np.float32)
    for item in range(items):
        chosen = rng.choice(tags, size=rng.integers(1, 4), replace=False)
        item_tags[item, chosen] = 1.0
    appeal = 1.0 / np.arange(1, items + 1) ** 0.8
    rng.shuffle(appeal)
    interactions: list[Interaction] = []
    horizon = days * 86_400
    for user in range(users):
        taste = rng.dirichlet(np.full(tags, 0.08))
        match = item_tags @ taste
        weights = (match + 1e-4) * appeal**popularity_bias
        weights /= weights.sum()
        count = max(3, rng.poisson(per_user))
        start = rng.uniform(0, horizon * 0.5)
        times = np.sort(rng.uniform(start, horizon, size=count))
        for at in times:
            if rng.random() < noise:
                item = int(rng.integers(items))
            else:
                item = int(rng.choice(items, p=weights))
            interactions.append(Interaction(f"u{user}", f"i{item}", float(at)))
    names = {
        f"i{item}": frozenset(tag_names[t] for t in np.flatnonzero(item_tags[item]))
        for item in range(items)
    }
    return interactions, names
