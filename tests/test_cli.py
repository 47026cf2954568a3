"""The command line: exit codes, output files, messages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from omnicontract.validators.registry import registry
from tests.conftest import FIXED_NOW, write_project

CLEAN = {
    "entity": "customer",
    "fields": {"customer_id": "id", "email": "e"},
    "rows": "id,e\nC1,a@b.com\n",
}
DIRTY = {
    "entity": "customer",
    "fields": {"customer_id": "id", "email": "e"},
    "rows": "id,e\nC1,bad\nC1,x@y.com\n",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_clean_project_exits_0(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[CLEAN])
    code, out, _ = run("validate", str(root))
    assert code == 0, out
    assert "PASS" in out


def test_findings_exit_1_and_json(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[DIRTY])
    code, out, _ = run("validate", str(root), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    codes = {f["code"] for f in doc["findings"]}
    assert codes == {"OC-FLD-004", "OC-FLD-009"}
    for f in doc["findings"]:
        assert {"code", "severity", "channel", "feed", "field", "count", "rate", "samples"} <= set(
            f
        )
    assert doc["passed"] is False and doc["summary"]["rows"] == 2


def test_fail_on_threshold(tmp_path: Path) -> None:
    feed = {**CLEAN, "rows": "id,e,extra\nC1,a@b.com,1\n"}  # only an info finding
    root = write_project(tmp_path / "p", feeds=[feed])
    assert run("validate", str(root))[0] == 0
    assert run("validate", str(root), "--fail-on", "info")[0] == 1


def test_severity_override_and_tolerance(tmp_path: Path) -> None:
    feed = {
        **DIRTY,
        "rows": "id,e\nC1,bad\nC1,x@y.com\nC2,z@y.com\n",
        "checks": {"email": {"severity": "warning"}, "OC-FLD-004": {"max_rate": 0.9}},
    }
    root = write_project(tmp_path / "p", feeds=[feed])
    code, out, _ = run("validate", str(root), "--format", "json")
    doc = json.loads(out)
    sev = {f["code"]: (f["severity"], f["within_tolerance"]) for f in doc["findings"]}
    assert sev == {"OC-FLD-009": ("warning", False), "OC-FLD-004": ("info", True)}
    assert code == 0


def test_output_file_is_written_and_verdict_on_stderr(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[DIRTY])
    out_file = tmp_path / "out" / "report.json"
    code, out, err = run("validate", str(root), "--format", "json", "--output", str(out_file))
    assert code == 1 and out == ""
    assert json.loads(out_file.read_text())["project"] == "case"
    assert err.startswith("FAIL")
    assert not list(out_file.parent.glob(".*.tmp"))


def test_channel_filter_and_unknown_channel(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[CLEAN, DIRTY])
    assert run("validate", str(root), "--channel", "ch0")[0] == 0
    assert run("validate", str(root), "--channel", "ch1")[0] == 1
    code, _, err = run("validate", str(root), "--channel", "nope")
    assert code == 2
    assert "unknown channel(s): nope" in err and "ch0, ch1" in err


def _contacts(channel: str, kind: str, columns: str, rows: str, **fields: object) -> dict:
    """An interaction feed of ``channel``: CSV ``columns`` and ``rows``, its id in ``id``."""
    return {
        "entity": "interaction",
        "fields": {"interaction_id": "id", **fields},
        "constants": {"channel": channel, "kind": kind},
        "rows": f"{columns}\n{rows}",
    }


def _found(root: Path, codes: set[str], channels: list[str] | None = None) -> list[tuple]:
    result = omnicontract.validate(root, channels=channels, now=FIXED_NOW)
    return sorted((f.code, f.channel, f.count) for f in result.findings if f.code in codes)


def test_one_channel_is_judged_against_the_consent_log_of_another(tmp_path: Path) -> None:
    # the e-mail platform's log records an "unsubscribe from everything" (no channel);
    # WhatsApp then sends a campaign: validating WhatsApp alone still sees the opt-out
    utc = {"timezone": "UTC", "column": "t"}
    master = {"entity": "customer", "fields": {"customer_id": "id", "email": "mail"}}
    master["rows"] = "id,mail\nC1,ana@example.com\nC2,bia@example.com\n"
    log = {
        "entity": "consent_event",
        "rows": "id,mail,act,t\ne1,ana@example.com,opt_out,2024-03-01",
    }
    log["fields"] = {"event_id": "id", "email": "mail", "action": "act", "occurred_at": utc}
    sends = _contacts(
        "whatsapp",
        "message",
        "id,cid,camp,t",
        "w1,C1,P,2024-03-02\nw2,C2,P,2024-03-02\n",
        customer_id="cid",
        campaign_id="camp",
        occurred_at=utc,
    )
    sends["constants"]["direction"] = "outbound"
    contracts = ["builtin:customer", "builtin:interaction", "builtin:consent_event"]
    project = {"contracts": contracts}
    root = write_project(tmp_path / "p", feeds=[master, log, sends], project=project)
    for channels in (None, ["ch2"]):
        assert _found(root, {"OC-CNS-001", "OC-CNS-003"}, channels) == [("OC-CNS-001", "ch2", 1)]


def test_one_channel_is_judged_against_its_links_and_shared_cases(tmp_path: Path) -> None:
    # web orders link to e-mail clicks (one click was never exported) and share a case id
    # with a call of another customer: validating the web channel alone finds both
    master = {"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\nC2\n"}
    mails = _contacts(
        "email", "email", "id,cid,click", "e1,C1,k1\n", customer_id="cid", link_id="click"
    )
    link = {"column": "click", "links": "ch1.link_id"}
    orders = _contacts(
        "web",
        "order",
        "id,cid,click,case",
        "w1,C1,k1,X1\nw2,C1,k9,\n",
        customer_id="cid",
        case_id="case",
        ref_id=link,
    )
    calls = _contacts(
        "call_center", "call", "id,cid,case", "c1,C2,X1\n", customer_id="cid", case_id="case"
    )
    root = write_project(tmp_path / "p", feeds=[master, mails, orders, calls])
    codes = {"OC-REF-002", "OC-JRN-001"}
    whole = _found(root, codes)
    assert whole == [("OC-JRN-001", "ch2", 1), ("OC-JRN-001", "ch3", 1), ("OC-REF-002", "ch2", 1)]
    assert _found(root, codes, ["ch2"]) == [f for f in whole if f[1] == "ch2"]


def test_bad_contract_exits_2_with_location_and_no_traceback(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[CLEAN])
    (root / "channels" / "ch0.yaml").write_text(
        "channel: ch0\nfeeds:\n  - name: f\n    entity: [\n"
    )
    code, out, err = run("validate", str(root))
    assert code == 2 and out == ""
    assert err.startswith(f"error: {root / 'channels' / 'ch0.yaml'}:")
    assert "Traceback" not in err


def test_quiet_prints_only_the_verdict(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[DIRTY])
    code, out, _ = run("validate", str(root), "-q")
    assert code == 1
    assert out.count("\n") == 1 and out.startswith("FAIL: 2 errors, 0 warnings, 0 info")


def test_pii_is_masked_unless_asked(tmp_path: Path) -> None:
    feed = {**DIRTY, "rows": "id,e\nC1,maria.silva@mail\n"}
    root = write_project(tmp_path / "p", feeds=[feed])
    _, out, _ = run("validate", str(root), "--format", "json")
    assert "maria.silva@mail" not in out
    _, out, _ = run("validate", str(root), "--format", "json", "--show-pii")
    assert "maria.silva@mail" in out


def test_checks_lists_every_registered_code() -> None:
    code, out, _ = run("checks")
    assert code == 0
    for check in registry().all():
        assert check.code in out and check.name in out
    rows = json.loads(run("checks", "--format", "json")[1])
    assert [r["code"] for r in rows] == sorted(r["code"] for r in rows)


def test_lint_reads_no_data(tmp_path: Path) -> None:
    feed = {
        "entity": "interaction",
        "fields": {"interaction_id": "id"},
        "rows": "id\n1\n",
        "source": {"path": "data/not_there.csv"},
    }
    root = write_project(tmp_path / "p", feeds=[feed])
    code, out, _ = run("lint", str(root), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert {f["code"] for f in doc["findings"]} == {"OC-CON-003"}  # no OC-SRC-001: data not read


def test_init_then_validate_passes(tmp_path: Path) -> None:
    target = tmp_path / "audit"
    assert run("init", str(target))[0] == 0
    assert (target / "contracts" / "customer.yaml").exists()
    assert run("validate", str(target))[0] == 0
    code, _, err = run("init", str(target))
    assert code == 2 and "already exists" in err


def test_schema_command_prints_json_schema() -> None:
    code, out, _ = run("schema", "channel")
    schema = json.loads(out)
    assert code == 0 and "feeds" in schema["properties"]


def test_help_does_not_import_heavy_modules() -> None:
    probe = (
        "import sys\nfrom omnicontract.cli.main import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('duckdb', 'pydantic', 'sqlalchemy', 'phonenumbers', 'rich') if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "HEAVY:\n" in out.stdout


def test_validate_imports_only_what_the_run_needs(tmp_path: Path) -> None:
    """A run on DuckDB compiles with the engine's own dialect (not a driver package's, which
    pulls in PostgreSQL's dialect and its drivers' modules), a project without phone
    fields never loads the phone library, and a native project never loads the readers of
    other contract standards."""
    root = write_project(tmp_path / "p", feeds=[CLEAN])
    probe = (
        "import sys\nfrom omnicontract.cli.main import main\n"
        f"try:\n    main(['validate', {str(root)!r}, '-q', '--no-history'])\n"
        "except SystemExit as exc:\n    assert exc.code == 0, exc.code\n"
        "avoidable = ('duckdb_engine', 'sqlalchemy.dialects.postgresql', 'phonenumbers', "
        "'sqlglot', 'rich', 'jinja2', 'pandera', 'great_expectations', 'polars', 'pandas', "
        "'omnicontract.contracts.odcs_import', 'omnicontract.contracts.dcs')\n"
        "print('LOADED:' + ','.join(m for m in avoidable if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "LOADED:\n" in out.stdout, out.stdout


def _collector_seen(argv: list[str], *calls: str) -> str:
    """Run the CLI's ``main(argv)`` in a fresh process and say, for each ``api`` call,
    whether the cyclic collector was on and start-up's objects frozen when it was made,
    then whether the collector is on after ``main`` returned."""
    probe = (
        "import gc\nfrom omnicontract import api\n"
        "seen = {}\n"
        "def spy(name):\n"
        "    real = getattr(api, name)\n"
        "    def call(*a, **k):\n"
        "        seen[name] = (gc.isenabled(), gc.get_freeze_count() > 0)\n"
        "        return real(*a, **k)\n"
        "    setattr(api, name, call)\n"
        f"for name in {list(calls)!r}:\n    spy(name)\n"
        "from omnicontract.cli.main import main\n"
        f"try:\n    main({argv!r})\n"
        "except SystemExit as exc:\n    assert exc.code in (0, None), exc.code\n"
        f"print('SEEN', *(seen[n] for n in {list(calls)!r}), gc.isenabled())\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout + out.stderr


def test_validate_start_up_runs_without_the_cyclic_collector(tmp_path: Path) -> None:
    """The command turns the collector off while it imports and loads the project, and
    back on (start-up's objects frozen) before the checks run and after it returns."""
    root = write_project(tmp_path / "p", feeds=[CLEAN])
    seen = _collector_seen(
        ["validate", str(root), "-q", "--no-history"], "load_project", "validate"
    )
    assert "SEEN (False, False) (True, True) True" in seen, seen


def test_other_commands_do_their_work_with_the_cyclic_collector_on(tmp_path: Path) -> None:
    """Only ``validate`` keeps the collector off while it loads; ``lint`` (like every
    other command) turns it back on when its body begins."""
    root = write_project(tmp_path / "p", feeds=[CLEAN])
    seen = _collector_seen(["lint", str(root)], "load_project")
    assert "SEEN (True, " in seen, seen


def test_validate_through_the_test_runner_leaves_the_collector_alone(tmp_path: Path) -> None:
    import gc

    root = write_project(tmp_path / "p", feeds=[CLEAN])
    frozen = gc.get_freeze_count()
    code, out, _ = run("validate", str(root), "-q", "--no-history")
    assert code == 0, out
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_the_process_ends_with_the_command(tmp_path: Path) -> None:
    """Run as the process's entry point, the command ends the process itself: its output
    complete, its exit code kept, the exit handlers run, and the run history closed (no
    SQLite journal files left beside it)."""
    root = write_project(tmp_path / "p", feeds=[DIRTY])
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('exit handler ran'))\n"
        "from omnicontract.cli.main import main\n"
        f"sys.argv = ['omnicontract', 'validate', {str(root)!r}, '--format', 'json']\n"
        "main()\n"
        "print('not reached')\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    body, _, rest = done.stdout.rpartition("}")
    assert json.loads(body + "}")["summary"]["findings"]["error"] == 2
    assert rest == "\nexit handler ran\n"
    stored = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("runs.db"))
    assert stored == ["runs.db"]  # the run history conftest points every test at


def test_several_reports_in_one_run(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[DIRTY])
    a, b = tmp_path / "out" / "a.json", tmp_path / "out" / "b.txt"
    code, _out, _err = run(
        "validate", str(root), "-q", "--report", str(a), "--report", f"console:{b}"
    )
    assert code == 1
    assert json.loads(a.read_text())["summary"]["findings"]["error"] == 2
    assert "OC-FLD-009" in b.read_text()
    assert oct(a.stat().st_mode & 0o777) != "0o600"


def test_bad_report_spec_fails_before_reading_data(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[DIRTY])
    code, _out, err = run("validate", str(root), "--report", str(tmp_path / "r.pdf"))
    assert code == 2 and "cannot tell the report format" in err
    code, _out, err = run("validate", str(root), "--report", "pdf:" + str(tmp_path / "r"))
    assert code == 2 and "unknown report format 'pdf'" in err
    assert not list(tmp_path.glob("r*"))
