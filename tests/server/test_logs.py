"""Log lines: JSON for production, readable text for `make run`, arq's per-job lines at DEBUG."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import orjson
import pytest

from server.logs import setup_logging
from server.settings import Settings


class Stderr:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.text = ""

    def getvalue(self) -> str:
        self.text += self.capsys.readouterr().err
        return self.text


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[Stderr]:
    """What the handler writes (it is set up inside the test, where capsys has stderr)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield Stderr(capsys)
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_is_the_default_and_keeps_the_extra_fields(stderr: Stderr) -> None:
    assert Settings().log_format == "json"
    setup_logging(Settings())
    logging.getLogger("plaza.http").info("request", extra={"status": 200, "path": "/api/feed"})
    entry = orjson.loads(stderr.getvalue())
    assert entry["level"] == "info" and entry["logger"] == "plaza.http"
    assert entry["msg"] == "request" and entry["status"] == 200 and entry["path"] == "/api/feed"


def test_text_lines_read_as_time_level_logger_message_and_fields(stderr: Stderr) -> None:
    setup_logging(Settings(log_format="text"))
    logging.getLogger("plaza.http").warning("request", extra={"status": 503, "user": None})
    line = stderr.getvalue().strip()
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d WARNING +plaza\.http +request status=503", line
    ), line


def test_a_traceback_stays_below_its_line(stderr: Stderr) -> None:
    setup_logging(Settings(log_format="text"))
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("plaza.http").exception("unhandled error", extra={"path": "/x"})
    first, *rest = stderr.getvalue().splitlines()
    assert first.endswith("unhandled error path=/x")
    assert rest[0].startswith("Traceback") and "RuntimeError: boom" in rest[-1]


def test_arq_job_lines_are_debug_and_its_warnings_stay(stderr: Stderr) -> None:
    setup_logging(Settings(log_format="text"))
    arq = logging.getLogger("arq.worker")
    arq.info("%6.2fs → %s(%s)%s", 0.01, "4f1c:settle", "", "")
    arq.info("%6.2fs ← %s ● %s", 0.02, "4f1c:settle", "None")
    arq.info("Starting worker for %d functions: %s", 3, "a, b, c")
    arq.warning("%6.2fs ! %s max retries %d exceeded", 0.5, "4f1c:settle", 5)
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "Starting worker" in lines[0] and "max retries 5 exceeded" in lines[1]
    setup_logging(Settings(log_format="text"), level=logging.DEBUG)
    arq.info("%6.2fs → %s(%s)%s", 0.01, "4f1c:settle", "", "")
    assert " DEBUG " in stderr.getvalue().splitlines()[-1]
