"""The scheduler the service runs: scheduled posts go live when their time comes."""

from chassis.background import every
from services.content.posts import service


def publishing(poll_seconds: float):
    """A background hook publishing due posts every `poll_seconds` (the lateness at most).
    Safe on every replica: each publication is a guarded state change."""

    async def run(runtime) -> None:
        await every(poll_seconds, lambda: service.publish_due(runtime.db), what="publish due")

    return run
