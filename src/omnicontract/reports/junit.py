"""JUnit XML report: one test suite per channel, one test case per check, for CI viewers.

Layout::

    <testsuites name="omnicontract" tests failures errors skipped time timestamp>
      <testsuite name="<channel>" ...>            one per channel of the run, in run order
        <properties> project, channel, owner, fail_on, engine </properties>
        <testcase classname="omnicontract.<channel>" name="OC-FLD-009 email">
          <failure type="OC-FLD-009" message="...">findings at or above fail_on</failure>
          <system-out>findings below fail_on</system-out>
        </testcase>
      </testsuite>
      <testsuite name="project" ...>              findings that belong to no channel
    </testsuites>

Which checks become test cases of a channel suite. The run result records findings,
not which check looked at which field, so the cases are derived from the check registry
(``omnicontract checks``) by kind of check, the same for every run of the same project:

- every check with a finding in the channel (failing when a finding is at or above the
  run's ``fail_on``, passing otherwise, its findings then listed in ``<system-out>``);
- ``static`` (OC-CON, contract lint) and ``source`` (OC-SRC) checks: always, since every
  binding is linted and every feed's source is opened;
- ``row`` and ``feed`` checks (OC-FLD, OC-MAP): passing when at least one feed of the
  channel was read, ``<skipped>`` when none could be;
- ``project`` checks (OC-REF, OC-IDN, OC-CNS, OC-JRN, OC-TIM): passing when the run
  resolved identities (any feed reports resolution figures), ``<skipped>`` otherwise
  (``validate --per-feed``, or nothing to resolve).

A passing case means "no finding from this check in this channel"; that includes a check
with nothing to look at there (a UUID rule in a channel without UUID fields).

The ``project`` suite holds the ``static`` checks and every check with a finding that
names no channel. ``errors`` is always 0: a source that cannot be read is a finding
(a failure of its OC-SRC case), not an error of the report. Suite times are the
channel's feed read-and-check times; the ``project`` suite takes the rest of the run,
so the suite times add up to the root's. Timestamps are UTC, ``YYYY-MM-DDTHH:MM:SS``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from omnicontract.validators.result import Finding, RunResult

if TYPE_CHECKING:
    from omnicontract.validators.checks.base import Check

PROJECT_SUITE = "project"
PER_FEED_KINDS = ("row", "feed")
ALWAYS_KINDS = ("static", "source")
# XML 1.0 cannot carry these characters at all, not even escaped: replace them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _timestamp(iso: str) -> str | None:
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def _figure(f: Finding) -> str:
    if f.total:
        return f"{f.count:,} of {f.total:,} ({f.rate:.2%})"
    return f"{f.count:,}" if f.count else ""


def _sample_text(f: Finding) -> str:
    parts = []
    for s in f.samples:
        shown = "(empty)" if s.value is None else repr(s.value)
        parts.append(shown + (f" x{s.count:,}" if s.count > 1 else ""))
    return ", ".join(parts)


def finding_details(f: Finding) -> str:
    """The body text of one finding: what, where, how many, samples (as masked in the
    result), and the fix."""
    lines = [f"{f.severity.value.upper()} {f.code} {f.check}: {f.message}"]
    lines.append(f"  where: {f.where}")
    if f.location:
        lines.append(f"  at: {f.location}")
    figure = _figure(f)
    if figure:
        lines.append(f"  failing: {figure}")
    if f.within_tolerance:
        lines.append("  within tolerance")
    if f.samples:
        lines.append(f"  {'samples (masked)' if f.masked else 'samples'}: {_sample_text(f)}")
    if f.hint:
        lines.append(f"  fix: {f.hint}")
    return "\n".join(lines)


def _failure_message(failing: list[Finding]) -> str:
    first = failing[0]
    figure = _figure(first)
    where = first.where
    text = f"{where}: {first.message}" + (f" [{figure}]" if figure else "")
    if len(failing) > 1:
        text = f"{len(failing)} findings; first: {text}"
    return text


class _Suite:
    def __init__(self, name: str, seconds: float) -> None:
        self.name = name
        self.seconds = seconds
        self.cases: list[ET.Element] = []
        self.failures = 0
        self.skipped = 0


def _add_case(
    suite: _Suite,
    code: str,
    name: str,
    result: RunResult,
    findings: list[Finding],
    skip_reason: str | None = None,
) -> None:
    case = ET.Element(
        "testcase", {"classname": f"omnicontract.{suite.name}", "name": f"{code} {name}"}
    )
    failing = [f for f in findings if f.severity.rank >= result.fail_on.rank]
    passing = [f for f in findings if f.severity.rank < result.fail_on.rank]
    if failing:
        failure = ET.SubElement(
            case, "failure", {"type": code, "message": _clean(_failure_message(failing))}
        )
        failure.text = _clean("\n\n".join(finding_details(f) for f in failing))
        suite.failures += 1
    elif skip_reason and not findings:
        ET.SubElement(case, "skipped", {"message": skip_reason})
        suite.skipped += 1
    if passing:
        out = ET.SubElement(case, "system-out")
        out.text = _clean(
            f"below fail-on ({result.fail_on.value}):\n\n"
            + "\n\n".join(finding_details(f) for f in passing)
        )
    suite.cases.append(case)


def _channel_cases(
    suite: _Suite,
    result: RunResult,
    checks: list[type[Check]],
    findings: list[Finding],
    *,
    read: bool,
    resolved: bool,
) -> None:
    by_code: dict[str, list[Finding]] = {}
    for f in findings:
        by_code.setdefault(f.code, []).append(f)
    known = {c.code for c in checks}
    for check in checks:
        found = by_code.get(check.code, [])
        skip: str | None = None
        if check.kind in PER_FEED_KINDS and not read:
            skip = "no feed of this channel could be read"
        elif check.kind == "project" and not resolved:
            skip = "cross-channel checks not run (validate --per-feed, or nothing to resolve)"
        elif check.kind not in (*ALWAYS_KINDS, *PER_FEED_KINDS, "project") and not found:
            continue
        _add_case(suite, check.code, check.name, result, found, skip)
    for code in sorted(set(by_code) - known):  # outside this suite's checks, or unregistered
        _add_case(suite, code, by_code[code][0].check, result, by_code[code])


def _suite_element(suite: _Suite, timestamp: str | None, props: dict[str, str]) -> ET.Element:
    attrs = {
        "name": suite.name,
        "tests": str(len(suite.cases)),
        "failures": str(suite.failures),
        "errors": "0",
        "skipped": str(suite.skipped),
        "time": f"{suite.seconds:.3f}",
    }
    if timestamp:
        attrs["timestamp"] = timestamp
    element = ET.Element("testsuite", attrs)
    properties = ET.SubElement(element, "properties")
    for key, value in props.items():
        ET.SubElement(properties, "property", {"name": key, "value": _clean(value)})
    element.extend(suite.cases)
    return element


def build(result: RunResult) -> ET.Element:
    """The ``<testsuites>`` element of ``result``."""
    from omnicontract.validators.registry import registry

    checks = registry().all()
    resolved = any(feed.resolution for ch in result.channels for feed in ch.feeds)
    common = {"project": result.project, "fail_on": result.fail_on.value, "engine": result.engine}
    if result.as_of:
        common["as_of"] = result.as_of
    suites: list[tuple[_Suite, dict[str, str]]] = []
    channel_names = [ch.channel for ch in result.channels]
    orphan_channels = sorted(
        {f.channel for f in result.findings if f.channel and f.channel not in channel_names}
    )
    owners = {ch.channel: ch.owner for ch in result.channels}
    for name in [*channel_names, *orphan_channels]:
        feeds = next((ch.feeds for ch in result.channels if ch.channel == name), [])
        suite = _Suite(name, round(sum(f.seconds for f in feeds), 3))
        _channel_cases(
            suite,
            result,
            checks,
            result.channel_findings(name),
            read=any(f.rows is not None for f in feeds),
            resolved=resolved,
        )
        props = {**common, "channel": name}
        if owners.get(name):
            props["owner"] = owners[name] or ""
        suites.append((suite, props))
    spent = sum(s.seconds for s, _p in suites)
    taken = {s.name for s, _p in suites}
    name = PROJECT_SUITE if PROJECT_SUITE not in taken else f"{PROJECT_SUITE} (no channel)"
    project = _Suite(name, round(max(result.seconds - spent, 0.0), 3))
    _channel_cases(
        project,
        result,
        [c for c in checks if c.kind == "static"],
        [f for f in result.findings if not f.channel],
        read=True,
        resolved=True,
    )
    suites.append((project, dict(common)))

    timestamp = _timestamp(result.started_at)
    root_attrs = {
        "name": f"omnicontract {result.project}",
        "tests": str(sum(len(s.cases) for s, _p in suites)),
        "failures": str(sum(s.failures for s, _p in suites)),
        "errors": "0",
        "skipped": str(sum(s.skipped for s, _p in suites)),
        "time": f"{sum(s.seconds for s, _p in suites):.3f}",
    }
    if timestamp:
        root_attrs["timestamp"] = timestamp
    root = ET.Element("testsuites", root_attrs)
    for suite, props in suites:
        root.append(_suite_element(suite, timestamp, props))
    return root


def render(result: RunResult, *, color: bool = False) -> str:
    root = build(result)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
