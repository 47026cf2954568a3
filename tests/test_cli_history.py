"""validate records runs; history lists them; report renders one without reading data."""

from __future__ import annotations

import json
import re
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
    # the same data twice: nothing new, resolved, worse or better since run 1
    assert doc["changes"]["previous_run"]["run_id"] == "1"
    assert all(doc["changes"][k] == [] for k in ("new", "resolved", "worsened", "improved"))
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
    for args in (("history", retail), ("report", retail)):
        result = run(*args, "--history-url", url)
        assert result.exit_code == 2, result.output
        assert "pa55-w0rd" not in result.output and "Traceback" not in result.output
        assert result.output.startswith("error: cannot open the run history at postgresql")
    # validating is not stopped by a store it cannot reach: the verdict decides the exit
    warned = run("validate", retail, "-q", "--history-url", url)
    assert warned.exit_code == 1, warned.output
    assert "warning: this run is not recorded: cannot open the run history at postgresql" in (
        warned.output
    )
    assert "pa55-w0rd" not in warned.output and "FAIL:" in warned.output
    bad = run("validate", retail, "--history-url", "nonsense://u:pa55-w0rd@@")
    assert bad.exit_code == 1 and "pa55-w0rd" not in bad.output
    # unless the project says its runs must be recorded
    project = retail / "omnicontract.yaml"
    project.write_text(project.read_text() + "history:\n  required: true\n")
    required = run("validate", retail, "-q", "--history-url", url)
    assert required.exit_code == 2 and "pa55-w0rd" not in required.output
    assert required.output.startswith("error: cannot open the run history at postgresql")


def test_bad_report_targets_fail_before_any_feed_is_read(retail: Path, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    (retail / "exports" / "crm" / "clientes.csv").unlink()  # read first: would be OC-SRC-001
    for spec in (
        "junit:/proc/nope/j.xml",
        f"html:{tmp_path}",
        f"junit:{a_file}/x.xml",
    ):
        result = run("validate", retail, "--format", "json", "--report", spec)
        assert result.exit_code == 2, (spec, result.output)
        assert result.output.startswith("error: --report "), result.output
        assert "OC-SRC" not in result.output and "unexpected" not in result.output
    result = run("validate", retail, "-q", "--output", str(tmp_path))
    assert result.exit_code == 2 and "is a directory" in result.output  # click says so
    assert not (retail / ".omnicontract").exists()  # nothing recorded, not even a store


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


def test_history_fits_the_terminal(retail: Path) -> None:
    assert run("validate", retail, "-q").exit_code == 1
    assert run("validate", retail, "-q").exit_code == 1
    wide = CliRunner(env={"COLUMNS": "300"}).invoke(cli, ["history", str(retail)]).output
    assert len(wide.splitlines()) == 3  # one table: header, two runs
    channels = wide.splitlines()[0].split()[5:-2]
    assert "whatsapp" in channels and len(channels) == 8
    narrow = CliRunner(env={"COLUMNS": "60"}).invoke(cli, ["history", str(retail)]).output
    lines = narrow.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert lines[0].split()[:4] == ["run", "started", "(UTC)", "verdict"]
    headers = [line.split() for line in lines if line.startswith("run ")]
    assert len(headers) > 2  # the figures, then the channels in blocks that fit
    shown = [c for h in headers[1:] for c in h[1:]]
    assert shown == channels  # every channel once, in order
    for line in lines:  # no figure is cut: every cell is a whole number or a change
        for cell in line.split()[1:]:
            assert re.fullmatch(r"[a-z_()A-Z]+|[\d:-]+|\d+\.\d|[+-]\d+\.\d|-", cell), (cell, line)
