"""Draining on SIGTERM: fail readiness first, keep serving a while, then stop gracefully.

Kubernetes sends SIGTERM and removes the pod from its Services at about the same time, and
load balancers learn of it a few seconds later; a server that closed its socket at once
would refuse the requests still routed to it. So the first SIGTERM only turns `/readyz` to
503 (`phase: draining`) for `FLYWHEEL_SHUTDOWN_DRAIN_SECONDS`, while requests keep being
served; then the server's own handler runs (uvicorn: stop accepting, finish in-flight
requests, then the lifespan stops consumers and the relay). A second SIGTERM stops at once.
"""

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Protocol


class Draining(Protocol):
    phase: str


def drain_on_sigterm(runtime: Draining, seconds: float) -> None:
    """Put the drain in front of the SIGTERM handler installed so far (uvicorn's, which it
    sets before the lifespan starts). Nothing changes with `seconds` 0, outside the main
    thread (a server run by tests in a thread) or without a Python handler to defer to."""
    stop_now = signal.getsignal(signal.SIGTERM)
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return
    if not callable(stop_now):
        return
    loop = asyncio.get_running_loop()

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        if runtime.phase == "draining":
            stop_now(signum, frame)
            return
        runtime.phase = "draining"
        # A signal handler may interrupt the loop anywhere: hand the timer to the loop.
        loop.call_soon_threadsafe(loop.call_later, seconds, _deferred(stop_now, signum))

    signal.signal(signal.SIGTERM, on_sigterm)


def _deferred(stop_now: Callable[[int, FrameType | None], object], signum: int):
    return lambda: stop_now(signum, None)
