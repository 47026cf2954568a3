"""The console report fits the width it is given: golden files at 60, 100 and 160
columns, no line wider than the terminal, no number split across lines; colour only on
a terminal and never with --no-color or $NO_COLOR; progress on standard error only."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

import omnicontract
from omnicontract.reports.console import render, words, wrap
from omnicontract.validators.result import RunResult
from tests.conftest import FIXED_NOW, ROOT, copy_example
from tests.test_report_golden import _compare
from tests.test_report_golden import result as golden_result  # noqa: F401  (fixture)

NUMBER_END = re.compile(r"(?:^|[\s\[(])\d[\d,.]*$")
NUMBER_START = re.compile(r"^[\d,.%]")


def split_numbers(text: str) -> list[tuple[str, str]]:
    """Pairs of consecutive lines where a number runs from the end of one to the next."""
    lines = text.splitlines()
    return [
        (a, b)
        for a, b in itertools.pairwise(lines)
        if NUMBER_END.search(a) and NUMBER_START.match(b.lstrip()) and not a.endswith(" ")
    ]


@pytest.fixture(scope="module")
def retail() -> RunResult:
    return omnicontract.validate(ROOT / "examples" / "retail", now=FIXED_NOW)


@pytest.mark.parametrize("width", [60, 100, 160])
def test_console_golden(golden_result: RunResult, width: int) -> None:  # noqa: F811
    text = render(golden_result, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert not split_numbers(text)
    _compare(f"console-{width}.txt", text)


@pytest.mark.parametrize("width", [40, 52, 60, 73, 80, 100, 117, 160, 200])
def test_every_width_fits_and_keeps_figures_whole(retail: RunResult, width: int) -> None:
    text = render(retail, width=width)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    assert not split_numbers(text)
    for f in retail.findings:  # each finding's figure is on one line, whole
        if f.total:
            figure = f"[{f.count:,} of {f.total:,} ({f.rate:.2%})]"
            assert any(figure in line for line in lines), (width, figure)
    for ch in retail.channels:  # table figures are never cut
        rows = sum(feed.rows or 0 for feed in ch.feeds)
        assert any(ch.channel in line and f"{rows:,}" in line for line in lines)
    if width < 80:  # the narrow layout drops the owner column and stacks the identity keys
        assert "owner" not in lines[0] and not any(
            line.startswith("channel  ") and "owner" in line for line in lines
        )
        assert any(line.startswith("  whatsapp: via phone") for line in lines)


def test_wrap_never_breaks_a_whole_token() -> None:
    tokens = words("a message that is long enough to wrap") + words(
        "[1 of 4,489 (0.02%)]", whole=True, gap="  "
    )
    for width in range(28, 60):
        lines = [t.plain for t in wrap(tokens, width)]
        assert any("[1 of 4,489 (0.02%)]" in line for line in lines), width
        assert all(len(line) <= width for line in lines)


# ------------------------------------------------------------------ in a terminal


def _in_terminal(
    args: list[str], *, columns: int, stdout: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run the CLI with standard error (and standard output unless ``stdout``) on a
    pseudo-terminal ``columns`` wide; return the exit code and what the terminal showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    base = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    base.update({"TERM": "xterm-256color", **(env or {})})
    out = open(stdout, "wb") if stdout else slave  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-c", "from omnicontract.cli.main import main; main()", *args],
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=slave,
        env=base,
    )
    os.close(slave)
    if stdout:
        out.close()  # type: ignore[union-attr]
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return proc.wait(timeout=300), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example("retail", tmp_path / "retail")


def test_json_to_a_file_with_progress_on_the_terminal(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    code, screen = _in_terminal(
        ["validate", str(project), "--format", "json", "--no-history"], columns=120, stdout=out
    )
    assert code == 1
    doc = json.loads(out.read_text())  # nothing before the document
    assert out.read_text().startswith("{") and doc["project"] == "retail"
    assert "reading feeds" in screen and "whatsapp/messages" in screen
    assert "cross-channel checks" in screen and "OC-IDN-001" in screen
    assert re.search(r"run \d+\.\ds", screen)  # the run's elapsed time
    _code, quiet = _in_terminal(
        ["validate", str(project), "--format", "json", "--no-history", "-q"],
        columns=120,
        stdout=tmp_path / "q.json",
    )
    assert "cross-channel" not in quiet


def test_console_in_a_terminal_fits_and_colours(project: Path) -> None:
    code, screen = _in_terminal(["validate", str(project), "--no-history"], columns=60)
    assert code == 1
    assert "\x1b[" in screen  # colour on a terminal
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\r", "", screen)
    report = plain[plain.index("omnicontract · project") :]
    assert max(len(line) for line in report.splitlines()) <= 60
    assert not split_numbers(report)
    for args, env in (
        (["--no-color"], None),
        ([], {"NO_COLOR": "1"}),
    ):
        _code, plain_screen = _in_terminal(
            ["validate", str(project), "--no-history", "-q", *args], columns=60, env=env
        )
        assert "\x1b[1" not in plain_screen and "\x1b[3" not in plain_screen, args
        assert "FAIL: 30 errors" in plain_screen
