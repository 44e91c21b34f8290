from __future__ import annotations

import pytest

from bench.rules import main


def test_quick_benchmark_runs_and_prints_figures(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--quick"])
    out = capsys.readouterr().out
    assert "200 rules over 20 event types" in out
    for label in ("floor:", "engine:", "rule-engine:", "replay_file"):
        assert label in out
    assert "engine / rule-engine" in out
