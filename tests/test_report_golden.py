"""Golden files: the JUnit and Markdown reports of one small fixed project.

The run's volatile parts are fixed before rendering (start time, durations, root path),
and the JUnit report lists a frozen set of checks so that a newly registered check does
not change it (test_report_junit.py checks that every registered check is listed).

After an intended change to a report, regenerate the files and review the diff:

    REGENERATE_GOLDEN=1 python -m pytest tests/test_report_golden.py
    git diff tests/golden/
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from omnicontract import api
from omnicontract.reports import junit, markdown
from omnicontract.validators import registry as registry_module
from omnicontract.validators.registry import Registry, registry
from omnicontract.validators.result import RunResult
from tests.conftest import FIXED_NOW, ROOT, write_project

GOLDEN = ROOT / "tests" / "golden"
FROZEN_CHECKS = ["OC-CON-003", "OC-SRC-001", "OC-FLD-001", "OC-FLD-016", "OC-CNS-001"]
CUSTOMERS = {
    "entity": "customer",
    "fields": {
        "customer_id": "id",
        "email": "e",
        "phone": {"column": "p", "phone_region": "BR"},
        "country": "country",
    },
    "rows": (
        "id,e,p,country,notes\n"
        "C1,ana@example.com,11987654321,BR,\n"
        "C2,ana@example.com,11912345678,Brasil,x\n"
        "C3,not-an-email,123,BR|AR,\n"
        "C3,bia@example.com,,`BR`,<b>\n"
    ),
}
INTERACTIONS = {
    "entity": "interaction",
    "fields": {"interaction_id": "id", "customer_id": "c", "occurred_at": "t"},
    "constants": {"channel": "web", "kind": "message"},
    "rows": "id,c,t\n1,C1,2026-05-01T10:00:00Z\n2,C9,2026-05-02T10:00:00Z\n3,C2,yesterday\n",
}


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    root = write_project(tmp_path_factory.mktemp("golden") / "p", feeds=[CUSTOMERS, INTERACTIONS])
    out = api.validate(root, now=FIXED_NOW)
    out.root = "golden"
    out.started_at = "2026-06-01T12:00:00+00:00"
    out.finished_at = "2026-06-01T12:00:02+00:00"
    out.seconds = 2.0
    for ch in out.channels:
        for feed in ch.feeds:
            feed.seconds = 0.25
    return out


def _compare(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("REGENERATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"no {path}: run REGENERATE_GOLDEN=1 python -m pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from the golden file; if intended: "
        f"REGENERATE_GOLDEN=1 python -m pytest {Path(__file__).relative_to(ROOT)}"
    )


def test_junit_golden(result: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen = Registry()
    for code in sorted(set(FROZEN_CHECKS) | {f.code for f in result.findings}):
        frozen.register(registry().get(code))
    monkeypatch.setattr(registry_module, "registry", lambda: frozen)
    _compare("junit.xml", junit.render(result))


def test_markdown_golden(result: RunResult) -> None:
    _compare("summary.md", markdown.render(result))
