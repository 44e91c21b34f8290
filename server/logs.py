"""Logs: one JSON object per line for production (`PLAZA_LOG_FORMAT=json`, the default),
or a line a person reads for a terminal (`text`, what `make run` sets)."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

import orjson

from server.settings import Settings

# What every record has (and what formatting adds to it); the rest came in `extra=`.
_STANDARD = {*vars(logging.makeLogRecord({})), "message", "asctime"}


def _extra(record: logging.LogRecord) -> dict[str, object]:
    """What the call passed in `extra=` (the access log's method, path, status...)."""
    return {k: v for k, v in vars(record).items() if k not in _STANDARD}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(_extra(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """`2026-12-03 14:05:09 INFO    plaza.http  request method=GET path=/api/feed status=200`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s  %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = " ".join(f"{k}={v}" for k, v in _extra(record).items() if v is not None)
        if not fields:
            return line
        # The traceback (if any) stays below the line it belongs to.
        first, newline, rest = line.partition("\n")
        return f"{first} {fields}{newline}{rest}"


class JobLinesAtDebug(logging.Filter):
    """arq writes a line at INFO when each job starts and ends ("0.02s → 4f1c:settle()"):
    with the sweeper every 10 s and a job per handed-off event that is several lines a
    second on an idle server. They are DEBUG here; failures stay at WARNING and above."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and str(record.msg).startswith("%6.2fs"):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)
        return True


def setup_logging(settings: Settings, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    arq_worker = logging.getLogger("arq.worker")
    if not any(isinstance(f, JobLinesAtDebug) for f in arq_worker.filters):
        arq_worker.addFilter(JobLinesAtDebug())
