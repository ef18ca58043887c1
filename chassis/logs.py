"""JSON logs that carry the request id and the event id being handled."""

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
current_event_id: ContextVar[str | None] = ContextVar("event_id", default=None)

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


@contextmanager
def handling_event(event_id: object) -> Iterator[None]:
    """Log records made inside carry `event_id` (none if it is None)."""
    token = current_event_id.set(None if event_id is None else str(event_id))
    try:
        yield
    finally:
        current_event_id.reset(token)


def _stamped_record_factory(make_record):
    """Records carry the request and event ids from the moment they are made, so every
    handler sees them (not only ours, and not only while the context lasts)."""

    def make(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if request_id := current_request_id.get():
            record.request_id = request_id
        if event_id := current_event_id.get():
            record.event_id = event_id
        return record

    make.stamps_ids = True
    return make


if not getattr(logging.getLogRecordFactory(), "stamps_ids", False):
    logging.setLogRecordFactory(_stamped_record_factory(logging.getLogRecordFactory()))


class JsonFormatter(logging.Formatter):
    converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: v for k, v in record.__dict__.items() if k not in _STANDARD})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiokafka", "httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
