"""JUnit XML: valid against the format as CI viewers read it, counts that add up."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from click.testing import CliRunner

from omnicontract import api
from omnicontract.cli.main import cli
from omnicontract.contracts.model import Severity
from omnicontract.reports import junit
from omnicontract.validators.registry import registry
from omnicontract.validators.result import ChannelSummary, FeedSummary, Finding, RunResult, Sample
from tests.conftest import FIXED_NOW, ROOT, write_project

XSD = xmlschema.XMLSchema(ROOT / "tests" / "data" / "junit.xsd")
DIRTY = {
    "entity": "customer",
    "fields": {"customer_id": "id", "email": "e"},
    "rows": "id,e,extra\nC1,bad,1\nC1,x@y.com,2\n",
}


@pytest.fixture(scope="module")
def retail() -> RunResult:
    return api.validate(ROOT / "examples" / "retail", now=FIXED_NOW)


def check_consistent(text: str) -> ET.Element:
    """Valid against tests/data/junit.xsd, and every count is what the cases say."""
    XSD.validate(text)
    root = ET.fromstring(text)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    time = 0.0
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        found = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        assert {k: int(suite.get(k, "0")) for k in found} == found, suite.get("name")
        assert suite.get("timestamp") == root.get("timestamp")
        for c in cases:
            assert c.get("classname") == f"omnicontract.{suite.get('name')}"
        for k in totals:
            totals[k] += found[k]
        time += float(suite.get("time", "0"))
    assert {k: int(root.get(k, "0")) for k in totals} == totals
    assert abs(float(root.get("time", "0")) - time) < 0.0015
    return root


def _cases(root: ET.Element, suite: str) -> dict[str, ET.Element]:
    s = root.find(f"testsuite[@name='{suite}']")
    assert s is not None
    return {c.get("name", "").split(" ")[0]: c for c in s.findall("testcase")}


def test_retail_is_valid_and_consistent(retail: RunResult) -> None:
    root = check_consistent(junit.render(retail))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == [c.channel for c in retail.channels] + ["project"]
    failing = {
        (f.channel, f.code) for f in retail.findings if f.severity.rank >= retail.fail_on.rank
    }
    assert int(root.get("failures", "0")) == len(failing)
    codes = [c.code for c in registry().all()]
    for ch in retail.channels:  # every registered check is a case of every channel
        assert list(_cases(root, ch.channel)) == codes


def test_failure_carries_the_details_and_lower_findings_go_to_system_out(tmp_path: Path) -> None:
    root_dir = write_project(tmp_path / "p", feeds=[DIRTY])
    result = api.validate(root_dir, now=FIXED_NOW)
    root = check_consistent(junit.render(result))
    cases = _cases(root, "ch0")
    failure = cases["OC-FLD-009"].find("failure")
    assert failure is not None and failure.get("type") == "OC-FLD-009"
    assert "ch0/f.email" in (failure.get("message") or "")
    body = failure.text or ""
    assert "failing: 1 of 2 (50.00%)" in body and "fix: " in body and "samples" in body
    info = cases["OC-SRC-004"]  # unexpected column: info, below fail-on error
    assert info.find("failure") is None
    assert "unexpected" in (info.findtext("system-out") or "").lower()
    assert cases["OC-FLD-016"].find("failure") is None and len(cases["OC-FLD-016"]) == 0


def test_fail_on_info_fails_the_info_case(tmp_path: Path) -> None:
    root_dir = write_project(tmp_path / "p", feeds=[DIRTY])
    result = api.validate(root_dir, now=FIXED_NOW, fail_on="info")
    cases = _cases(check_consistent(junit.render(result)), "ch0")
    assert cases["OC-SRC-004"].find("failure") is not None


def test_per_feed_run_skips_the_cross_channel_checks(tmp_path: Path) -> None:
    root_dir = write_project(tmp_path / "p", feeds=[DIRTY])
    result = api.validate(root_dir, now=FIXED_NOW, cross_channel=False)
    root = check_consistent(junit.render(result))
    cases = _cases(root, "ch0")
    project_codes = {c.code for c in registry().of_kind("project")}
    skipped = {code for code, c in cases.items() if c.find("skipped") is not None}
    assert skipped == project_codes - {f.code for f in result.findings}
    assert int(root.get("skipped", "0")) == len(skipped)


def test_unreadable_channel_skips_the_field_rules(tmp_path: Path) -> None:
    feed = {**DIRTY, "source": {"path": "data/missing.csv"}}
    result = api.validate(write_project(tmp_path / "p", feeds=[feed]), now=FIXED_NOW)
    cases = _cases(check_consistent(junit.render(result)), "ch0")
    assert cases["OC-SRC-001"].find("failure") is not None
    assert cases["OC-FLD-009"].find("skipped") is not None


def _hand_made(findings: list[Finding], channel: str = "web") -> RunResult:
    return RunResult(
        project="p<&>",
        root="/tmp/x",
        started_at="2026-06-01T09:00:00-03:00",
        seconds=2.0,
        channels=[
            ChannelSummary(channel, None, [FeedSummary(channel, "f", "customer", "x", rows=3)])
        ],
        findings=findings,
    )


def test_text_that_xml_cannot_carry_is_escaped_or_replaced() -> None:
    nasty = 'a"b<c>&d\x00\x1b]]>\ud800'
    f = Finding(
        "OC-FLD-009", "email", Severity.error, f"bad {nasty}", "web", "f", "email",
        count=1, total=3, samples=[Sample(nasty)], hint=nasty,
    )  # fmt: skip
    text = junit.render(_hand_made([f]))
    root = check_consistent(text)
    assert root.get("timestamp") == "2026-06-01T12:00:00"  # in UTC
    failure = _cases(root, "web")["OC-FLD-009"].find("failure")
    assert failure is not None
    assert 'a"b<c>&d\\x00\\x1b]]>' in (failure.get("message") or "")
    assert "samples: 'a\"b<c>&d\\x00\\x1b]]>" in (failure.text or "")


def test_findings_without_a_channel_go_to_the_project_suite() -> None:
    f = Finding("OC-CON-001", "missing-description", Severity.info, "no description")
    g = Finding("OC-TIM-001", "timezone-shift", Severity.error, "shifted")
    root = check_consistent(junit.render(_hand_made([g, f], channel="project")))
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names == ["project", "project (no channel)"]
    cases = _cases(root, "project (no channel)")
    assert cases["OC-TIM-001"].find("failure") is not None
    assert cases["OC-CON-001"].find("system-out") is not None
    static = {c.code for c in registry().of_kind("static")}
    assert static <= set(cases)


def test_cli_format_and_report_suffix(tmp_path: Path) -> None:
    root_dir = write_project(tmp_path / "p", feeds=[DIRTY])
    out = tmp_path / "out" / "junit.xml"
    run = CliRunner().invoke(
        cli, ["validate", str(root_dir), "--format", "junit", "--report", str(out)]
    )
    assert run.exit_code == 1
    assert run.stdout == out.read_text(encoding="utf-8")
    check_consistent(run.stdout)
