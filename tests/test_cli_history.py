"""validate records runs; history lists them; report renders one without reading data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from omnicontract.cli.main import cli
from tests.conftest import copy_example


@pytest.fixture
def retail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("OMNICONTRACT_HISTORY_URL")  # the project's default store
    return copy_example("retail", tmp_path / "retail")


def run(*args: str) -> object:
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_validate_records_and_history_shows_the_change(retail: Path) -> None:
    assert run("validate", retail, "-q").exit_code == 1
    (retail / "channels" / "store.yaml").unlink()  # the next run has one channel fewer
    assert run("validate", retail, "-q").exit_code == 1
    assert run("validate", retail, "-q", "--no-history").exit_code == 1
    assert (retail / ".omnicontract" / "history.db").exists()

    table = run("history", retail)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0].split()[:4] == ["run", "started", "(UTC)", "verdict"]
    assert "whatsapp" in lines[0] and len(lines) == 3  # header, two runs
    assert lines[1].startswith("2 ") and "FAIL" in lines[1]

    runs = json.loads(run("history", retail, "--format", "json").output)
    assert [r["run_id"] for r in runs] == ["2", "1"]
    assert "store" not in runs[0]["channels"] and "store" in runs[1]["channels"]
    assert runs[0]["change"]["readiness"] == round(runs[0]["readiness"] - runs[1]["readiness"], 1)
    assert runs[1]["change"] == {"readiness": None, "channels": {}}
    assert json.loads(run("history", retail, "--format", "json", "--limit", "1").output)[0][
        "change"
    ]["channels"]


def test_report_renders_a_stored_run_with_its_trend(retail: Path, tmp_path: Path) -> None:
    run("validate", retail, "-q")
    run("validate", retail, "-q")
    shutil.rmtree(retail / "exports")  # report never reads the data
    out = tmp_path / "out" / "run.json"
    result = run("report", retail, "--report", f"json:{out}")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["run_id"] == "2"
    assert [t["run_id"] for t in doc["trend"]] == ["1"]
    assert set(doc["trend"][0]) == {"run_id", "started_at", "readiness", "channels", "findings"}
    first = json.loads(run("report", retail, "--run", "1", "--format", "json").output)
    assert first["run_id"] == "1" and first["trend"] == []
    assert "What blocks the unified view" in run("report", retail).output


def test_report_without_a_stored_run_exits_2_with_a_hint(retail: Path) -> None:
    result = run("report", retail)
    assert result.exit_code == 2
    assert (
        "no run of project 'retail'" in result.output and "omnicontract validate" in result.output
    )
    assert not (retail / ".omnicontract").exists()  # reading created nothing
    run("validate", retail, "-q")
    missing = run("report", retail, "--run", "42")
    assert missing.exit_code == 2 and "omnicontract history" in missing.output
    assert run("history", retail, "--format", "json", "--history-url", "sqlite:///x.db").output


def test_store_errors_are_one_line_with_the_password_masked(
    retail: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QA_PW", "pa55-w0rd")
    url = "postgresql://qa:${QA_PW}@127.0.0.1:1/qa"
    for args in (("validate", retail), ("history", retail), ("report", retail)):
        result = run(*args, "--history-url", url)
        assert result.exit_code == 2, result.output
        assert "pa55-w0rd" not in result.output and "Traceback" not in result.output
        assert result.output.startswith("error: cannot open the run history at postgresql")
    bad = run("validate", retail, "--history-url", "nonsense://u:pa55-w0rd@@")
    assert bad.exit_code == 2 and "pa55-w0rd" not in bad.output


def test_project_file_history_block(retail: Path, postgres_database: str) -> None:
    project = retail / "omnicontract.yaml"
    text = project.read_text()
    project.write_text(text + "history:\n  enabled: false\n")
    run("validate", retail, "-q")
    assert not (retail / ".omnicontract").exists()
    project.write_text(text + f"history:\n  url: {postgres_database}\n  keep: 1\n")
    run("validate", retail, "-q")
    run("validate", retail, "-q")
    runs = json.loads(run("history", retail, "--format", "json").output)
    assert len(runs) == 1 and runs[0]["run_id"] == "2"
    assert not (retail / ".omnicontract").exists()


def test_partial_runs_are_not_recorded(retail: Path) -> None:
    assert run("validate", retail, "-q").exit_code == 1
    assert run("validate", retail, "-q", "--channel", "whatsapp").exit_code == 1
    assert run("validate", retail, "-q", "--per-feed").exit_code == 1
    runs = json.loads(run("history", retail, "--format", "json").output)
    assert [r["run_id"] for r in runs] == ["1"]


def test_default_store_under_a_relative_project_path(retail: Path, monkeypatch) -> None:
    monkeypatch.chdir(retail.parent)
    assert run("validate", "retail", "-q").exit_code == 1
    assert (retail / ".omnicontract" / "history.db").exists()
    assert not (retail / "retail").exists()
