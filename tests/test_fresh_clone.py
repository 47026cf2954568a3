"""The README's two commands, in that order, in a scratch clone of the repository.

The quickstart records a run in ``examples/retail/.omnicontract/``; the test command that
follows must not notice. Building a new virtual environment and running the whole suite
inside a test would double CI's time, so this test reuses the running interpreter and its
installed dependencies (the clone's own ``src`` comes first on the path), runs the
quickstart's ``omnicontract validate`` exactly as the README writes it, then the README's
lint and the tests that read the example project, in the clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_docs import _readme_block

# the tests that read examples/retail (the ones a left-over run state could disturb)
EXAMPLE_TESTS = [
    "tests/test_cli_history.py",
    "tests/test_example_retail.py",
    "tests/test_odcs.py",
    "tests/test_report_markdown.py",
]


def _last_step(command: str) -> str:
    """The step after the virtual environment and the install: what the user runs."""
    return command.split(" && ")[-1]


def _env(clone: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("OMNICONTRACT_", "PYTEST_", "COV_"))
    }
    env["PYTHONPATH"] = str(clone / "src")
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_quickstart_then_tests_in_a_fresh_clone(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)],
        check=True,
        capture_output=True,
    )
    env = _env(clone)
    quickstart = _last_step(_readme_block("quickstart"))
    assert quickstart == "omnicontract validate examples/retail"
    python = [sys.executable, "-c", "from omnicontract.cli.main import main; main()"]
    first = subprocess.run(
        [*python, *quickstart.split()[1:]],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert first.returncode == 1, first.stderr  # the planted defects
    assert "What blocks the unified view" in first.stdout
    assert (clone / "examples" / "retail" / ".omnicontract" / "history.db").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True
    )
    assert status.stdout == "", "the quickstart left files git would commit"

    test_command = _readme_block("test-command")
    assert " && ruff check && pytest " in test_command
    second = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *EXAMPLE_TESTS],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-2000:]
    assert re.search(r"\d+ passed", second.stdout)
