"""What a funnel asks and what it answers (pure: no I/O)."""

from collections.abc import Mapping, Set
from datetime import timedelta

from chassis.http.problems import InvalidInput
from services.analytics.funnels.schemas import FunnelStep

MIN_STEPS, MAX_STEPS = 2, 20
MAX_WINDOW = timedelta(days=30)


def check_steps(steps: list[str], window: timedelta, known: Set[str]) -> None:
    if not MIN_STEPS <= len(steps) <= MAX_STEPS:
        raise InvalidInput("query.step", f"a funnel has {MIN_STEPS} to {MAX_STEPS} steps")
    for index, name in enumerate(steps):
        if name not in known:
            raise InvalidInput(f"query.step.{index}", "not a behaviour name or an event type")
    if not timedelta(0) < window <= MAX_WINDOW:
        raise InvalidInput("query.window", f"more than 0 s and at most {MAX_WINDOW.days} days")


def conversions(
    levels: Mapping[int, int], steps: list[str], medians: Mapping[int, float] | None = None
) -> list[FunnelStep]:
    """Per step, the people who reached it (`levels`: people by the furthest step they
    reached, 1-based), the shares of the step before and of the first, and the median
    seconds from the step before (`medians`, by 1-based step)."""
    result = []
    for number, name in enumerate(steps, start=1):
        people = sum(count for level, count in levels.items() if level >= number)
        first = result[0].people if result else people
        previous = result[-1].people if result else people
        result.append(
            FunnelStep(
                name=name,
                people=people,
                conversion_from_previous=_share(people, previous),
                conversion_from_first=_share(people, first),
                median_seconds_from_previous=(medians or {}).get(number),
            )
        )
    return result


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0
