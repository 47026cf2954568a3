"""Markdown: escaped so data cannot break the layout, and capped under GitHub's limit."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from omnicontract import api
from omnicontract.cli.main import cli
from omnicontract.contracts.model import Severity
from omnicontract.reports import markdown
from omnicontract.validators.result import ChannelSummary, FeedSummary, Finding, RunResult, Sample
from tests.conftest import FIXED_NOW, ROOT, write_project


def _result(findings: list[Finding]) -> RunResult:
    return RunResult(
        project="p",
        root="/tmp/p",
        started_at="2026-06-01T12:00:00+00:00",
        channels=[ChannelSummary("web", None, [FeedSummary("web", "f", "customer", "x", rows=9)])],
        findings=findings,
    )


def _finding(i: int = 0, severity: Severity = Severity.error, **kw: object) -> Finding:
    base: dict[str, object] = {
        "code": "OC-FLD-009",
        "check": "email",
        "severity": severity,
        "message": f"bad email {i}",
        "channel": "web",
        "feed": "f",
        "field": "email",
        "count": 1,
        "total": 9,
        "samples": [Sample(f"value-{i}")],
        "hint": "fix it",
    }
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| `OC-")]


def _cells(row: str) -> list[str]:
    """Split a table row the way GFM does: on pipes not escaped with a backslash."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_data_cannot_break_the_table_or_inject_html() -> None:
    nasty = "a|b `c` <img src=x onerror=alert(1)> **d** [l](http://x) $x$\nnext"
    f = _finding(message=nasty, samples=[Sample(nasty), Sample("``")], hint=nasty)
    text = markdown.render(_result([f]))
    (row,) = _table_rows(text)
    assert len(_cells(row)) == 6
    prose = re.sub(r"(`+).*?\1", "", row)  # outside code spans, where Markdown is live
    assert not re.search(r"(?<!\\)<img", prose) and "\\<img" in prose
    assert "**d**" not in prose and "\\[l\\]" in prose and "\\$x\\$" in prose
    assert "``a\\|b `c` <img" in row  # the sample: a code span, longer fence, pipe escaped
    assert "``` `` ```" in row
    assert "\n" not in row


def test_masked_samples_stay_masked() -> None:
    f = _finding(samples=[Sample("ma***@ex***.com", 2)], masked=True)
    row = _table_rows(markdown.render(_result([f])))[0]
    assert "`ma***@ex***.com` ×2 (masked)" in row


def test_size_cap_leaves_out_whole_rows_and_says_how_many() -> None:
    findings = [_finding(i, hint="x" * 300) for i in range(400)]
    findings += [_finding(i, Severity.warning) for i in range(50)]
    text = markdown.render(_result(findings))
    assert len(text) <= markdown.MAX_CHARS
    shown = len(_table_rows(text))
    assert 0 < shown < 450
    assert f"**{450 - shown} findings left out** ({400 - shown} errors, 50 warnings)" in text
    assert "--report json:PATH" in text
    for row in _table_rows(text):
        assert len(_cells(row)) == 6 and row.endswith(" |")
    small = markdown.render(_result(findings), max_chars=3000)
    assert len(small) <= 3000 and "left out" in small


def test_under_the_cap_nothing_is_left_out() -> None:
    text = markdown.render(_result([_finding(i) for i in range(5)]))
    assert len(_table_rows(text)) == 5 and "left out" not in text


def test_retail_summary(tmp_path: Path) -> None:
    result = api.validate(ROOT / "examples" / "retail", now=FIXED_NOW)
    text = markdown.render(result)
    assert text.startswith("## omnicontract · retail\n\n:x: **FAIL**")
    assert "### Unified-view readiness" in text and "### Top blockers" in text
    assert len(_table_rows(text)) == len(result.findings)


def test_cli_markdown_to_stdout_and_report(tmp_path: Path) -> None:
    feed = {"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\n"}
    root = write_project(tmp_path / "p", feeds=[feed])
    out = tmp_path / "summary.md"
    run = CliRunner().invoke(
        cli, ["validate", str(root), "--format", "markdown", "--report", str(out)]
    )
    assert run.exit_code == 0
    assert run.stdout == out.read_text(encoding="utf-8")
    assert ":white_check_mark: **PASS**" in run.stdout and "No findings." in run.stdout
