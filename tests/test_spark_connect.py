"""The Spark engine over Spark Connect: the tests of ``tests/connect_suite.py``, run by
pytest in a process of their own. PySpark allows no remote (Connect) session in a
process that holds a classic one, which the other Spark tests' workers do; a user's
``omnicontract validate --spark-master sc://...`` runs in a process of its own too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# about two minutes alone; a client left open at exit used to hold the process ten more
SUITE_TIMEOUT_S = 480


def test_spark_connect_suite(tmp_path: Path) -> None:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "--basetemp", str(tmp_path / "t"), "tests/connect_suite.py"],
            cwd=ROOT, capture_output=True, text=True, env=os.environ.copy(), check=False,
            timeout=SUITE_TIMEOUT_S,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else ""
        pytest.fail(f"the Spark Connect tests did not end in {SUITE_TIMEOUT_S} s:\n{out[-6000:]}")
    tail = result.stdout[-6000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
    if result.returncode == 0 and " passed" not in summary:
        pytest.skip(f"Spark Connect tests did not run: {summary}")
    assert result.returncode == 0, tail
    assert " failed" not in summary and " error" not in summary, tail
