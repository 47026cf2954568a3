"""`omnicontract diff`: one case file per rule under tests/cases_diff/, and the command."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import cli
from omnicontract.contracts.compare import diff
from omnicontract.contracts.diff import RULES
from tests.conftest import ROOT

CASES_DIR = Path(__file__).parent / "cases_diff"
CUSTOMER = ROOT / "contracts" / "customer.yaml"
WHATSAPP = ROOT / "examples" / "retail" / "channels" / "whatsapp.yaml"


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert doc["rule"] == path.stem
        for case in doc["cases"]:
            params.append(pytest.param(case, id=f"{path.stem}:{case['name']}"))
    return params


def _write(path: Path, doc: dict[str, Any] | None) -> Path:
    if doc is None:  # the file is not in that version
        return path
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", _load_cases())
def test_case(case: dict[str, Any], tmp_path: Path) -> None:
    result = diff(
        _write(tmp_path / "old.yaml", case["old"]), _write(tmp_path / "new.yaml", case["new"])
    )
    actual = sorted((c.rule, c.impact.value) for c in result.changes)
    expected = sorted((e["rule"], e["impact"]) for e in case["expect"])
    assert actual == expected, [(c.rule, c.reason) for c in result.changes]
    for e in case["expect"]:
        reasons = [c.reason for c in result.changes if c.rule == e["rule"]]
        assert any(e["reason"] in r for r in reasons), (e["reason"], reasons)
    assert result.suggested_bump.value == case["bump"]
    assert result.exit_code == (1 if case["bump"] == "major" else 0)
    for change in result.changes:
        assert change.location.file is not None and change.location.line


def test_every_rule_has_a_case_file_and_a_row_in_the_docs() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(p.stem for p in CASES_DIR.glob("*.yaml"))
    docs = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
    missing = [r.name for r in RULES if f"`{r.name}`" not in docs]
    assert not missing, f"document these rules in docs/diff.md: {missing}"


def test_location_points_at_the_new_key_or_the_removed_one(tmp_path: Path) -> None:
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text(
        "entity: c\nversion: 1.0.0\nfields:\n  id: {type: string}\n  email:\n    type: string\n"
    )
    new.write_text(
        "entity: c\nversion: 2.0.0\nfields:\n  id:\n    type: string\n    unique: true\n"
    )
    by_rule = {c.rule: c for c in diff(old, new).changes}
    assert str(by_rule["field-removed"].location) == f"{old}:5:3"
    assert str(by_rule["unique-set"].location) == f"{new}:6:5"


@pytest.mark.parametrize(
    ("old", "new", "bump", "warned"),
    [
        ("1.0.0", "1.0.0", "unchanged", True),
        ("1.0.0", "1.1.0", "minor", True),
        ("1.0.0", "2.0.0", "major", False),
        ("0.3.0", "0.4.0", "minor", False),  # 0.y.z: a minor bump may break
        ("1.2.0", "1.1.0", None, True),
    ],
)
def test_declared_version_is_compared_with_the_suggestion(
    tmp_path: Path, old: str, new: str, bump: str | None, warned: bool
) -> None:
    body = "entity: c\nversion: {v}\nfields:\n  id: {{type: string{extra}}}\n"
    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    a.write_text(body.format(v=old, extra=""))
    b.write_text(body.format(v=new, extra=", required: true"))
    result = diff(a, b)
    assert result.suggested_bump.value == "major"
    assert bool(result.warnings) is warned, result.warnings
    if bump is None:
        assert "goes backwards" in result.warnings[0]
    elif warned:
        assert f"is {bump if bump == 'unchanged' else 'a ' + bump + ' bump'}" in result.warnings[0]


# ---------------------------------------------------------------- the command


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_unchanged_file_has_no_changes_and_exits_0() -> None:
    for path in (CUSTOMER, WHATSAPP):
        code, out, _ = run("diff", str(path), str(path))
        assert code == 0, out
        assert "NO CHANGES" in out
    code, out, _ = run("diff", str(CUSTOMER), str(CUSTOMER), "--format", "json")
    doc = json.loads(out)
    assert doc["changes"] == [] and doc["suggested_bump"] == "none" and doc["exit_code"] == 0


def test_non_breaking_change_exits_0_and_breaking_exits_1(tmp_path: Path) -> None:
    text = CUSTOMER.read_text(encoding="utf-8")
    added = tmp_path / "added.yaml"
    added.write_text(
        text.replace("version: 2.0.0", "version: 2.1.0")
        + "  nickname:\n    type: string\n    description: What friends call them.\n"
    )
    code, out, _ = run("diff", str(CUSTOMER), str(added))
    assert code == 0, out
    assert "field-added-optional" in out and "suggested bump: minor (2.1.0)" in out

    removed = tmp_path / "removed.yaml"
    removed.write_text(text.replace("    format: email\n", "").replace("    unique: true\n", "", 1))
    code, out, _ = run("diff", str(CUSTOMER), str(removed))
    assert code == 1
    assert out.index("Breaking (") < out.index("Non-breaking (")
    assert out.index("unique-dropped") < out.index("Non-breaking (") < out.index("format-dropped")


def test_breaking_first_in_json_with_reason_and_location(tmp_path: Path) -> None:
    text = CUSTOMER.read_text(encoding="utf-8")
    new = tmp_path / "customer.yaml"
    new.write_text(
        text.replace("    pii: true\n    max_length: 254\n", "    max_length: 254\n").replace(
            "description: Stable customer key", "description: The stable customer key"
        )
    )
    code, out, _ = run("diff", str(CUSTOMER), str(new), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["kind"] == "entity" and doc["name"] == "customer"
    assert [c["rule"] for c in doc["changes"]] == ["pii-dropped", "field-docs-changed"]
    pii = doc["changes"][0]
    assert pii["breaking"] is True and "unmasked" in pii["reason"]
    assert pii["location"]["file"] == str(CUSTOMER) and pii["location"]["line"]
    assert doc["suggested_bump"] == "major" and doc["suggested_version"] == "3.0.0"
    assert doc["declared_bump"] == "none" and "need a major bump" in doc["warnings"][0]


def test_markdown_for_a_pull_request_comment(tmp_path: Path) -> None:
    new = tmp_path / "whatsapp.yaml"
    new.write_text(
        WHATSAPP.read_text(encoding="utf-8").replace("Encerrado: closed", "Encerrado: resolved")
    )
    code, out, _ = run("diff", str(WHATSAPP), str(new), "--format", "markdown")
    assert code == 1
    assert out.startswith("### :x: Contract diff: channel `whatsapp`")
    assert "#### Breaking (1)" in out and "`value-map-entry-changed`" in out
    assert "channel bindings carry no version" in out


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (CUSTOMER, WHATSAPP, "cannot compare an entity"),
        (CUSTOMER, ROOT / "contracts" / "interaction.yaml", "two different entities"),
        (ROOT / "nope.yaml", ROOT / "nope-either.yaml", "neither"),
        (CUSTOMER, ROOT / "examples" / "retail" / "omnicontract.yaml", "kind 'project'"),
    ],
)
def test_could_not_run_exits_2(old: Path, new: Path, message: str) -> None:
    code, out, err = run("diff", str(old), str(new))
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_malformed_new_version_exits_2_with_its_line(tmp_path: Path) -> None:
    new = tmp_path / "c.yaml"
    new.write_text("entity: customer\nversion: 1.0.0\nfields:\n  id: {type: text}\n")
    code, _, err = run("diff", str(CUSTOMER), str(new))
    assert code == 2
    assert err.startswith(f"error: {new}:4:")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revision_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    (repo / "contracts").mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
    contract = repo / "contracts" / "customer.yaml"
    shutil.copy(CUSTOMER, contract)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "contract"], check=True)
    contract.write_text(CUSTOMER.read_text(encoding="utf-8").replace("    unique: true\n", "", 1))
    monkeypatch.chdir(repo)

    code, out, _ = run("diff", "git:main:contracts/customer.yaml", "contracts/customer.yaml")
    assert code == 1
    assert "unique-dropped" in out and "old: git:main:contracts/customer.yaml" in out

    code, out, _ = run(
        "diff", "git:main:contracts/customer.yaml", "git:main:contracts/customer.yaml"
    )
    assert code == 0 and "NO CHANGES" in out

    code, _, err = run("diff", "git:nobranch:contracts/customer.yaml", "contracts/customer.yaml")
    assert code == 2 and "cannot read contracts/customer.yaml at nobranch" in err
    code, _, err = run("diff", "git:main", "contracts/customer.yaml")
    assert code == 2 and "is not git:REV:PATH" in err


def _git_project(tmp_path: Path) -> tuple[Path, list[str]]:
    """The retail example's contracts and bindings (no exports) committed in a new repo."""
    repo = tmp_path / "repo"
    project = repo / "retail"
    example = ROOT / "examples" / "retail"
    shutil.copytree(example, project, ignore=shutil.ignore_patterns("exports", ".omnicontract"))
    shutil.copytree(ROOT / "contracts", project / "contracts")  # its own copy, to change
    settings = project / "omnicontract.yaml"
    settings.write_text(
        settings.read_text().replace(
            'contracts: ["builtin:customer", "builtin:interaction"]',
            'contracts: ["contracts/*.yaml"]',
        )
    )
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "project"], check=True)
    return project, git


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_project_mode_against_the_previous_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, git = _git_project(tmp_path)
    # one commit: a channel added, a field removed, an optional field added
    (project / "channels" / "sms.yaml").write_text(
        "channel: sms\nfeeds:\n- name: texts\n  entity: interaction\n"
        "  source: {path: exports/sms/*.csv}\n  fields: {interaction_id: id, phone: tel}\n"
        "  constants: {channel: sms, kind: message}\n"
    )
    target = project / "contracts" / "interaction.yaml"
    doc = yaml.safe_load(target.read_text())
    roles = {doc["primary_key"], doc["event_time"], doc["journey_key"], *doc["identity_keys"]}
    removed = next(n for n, f in doc["fields"].items() if not f.get("required") and n not in roles)
    del doc["fields"][removed]
    doc["fields"]["sentiment"] = {"type": "string", "description": "an optional score"}
    _write(target, doc)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "change"], check=True)
    monkeypatch.chdir(project)

    code, out, err = run("diff", "git:HEAD~1", ".")
    assert code == 1, err
    assert out.count("BREAKING:") == 1 and out.rstrip().splitlines()[-1].startswith("BREAKING:")
    assert "channel-added" in out and "field-removed" in out and "field-added-optional" in out
    assert f"field '{removed}' removed" in out

    code, out, _ = run("diff", "git:HEAD~1", ".", "--format", "json")
    doc_out = json.loads(out)
    assert code == 1 and doc_out["kind"] == "project" and doc_out["exit_code"] == 1
    rules = {c["rule"] for f in doc_out["files"] for c in f["changes"]}
    assert {"channel-added", "field-removed", "field-added-optional"} <= rules
    assert doc_out["breaking"] == 1
    added = next(f for f in doc_out["files"] if f["name"] == "sms")
    assert added["old"]["file"] == "(absent)" and added["new"]["file"] == "channels/sms.yaml"

    code, out, _ = run("diff", "git:HEAD~1", ".", "--format", "markdown")
    assert code == 1 and out.startswith("### :x: Contract diff: project")
    assert "`channel-added`" in out and "`field-removed`" in out

    # two folders: the same verdict; and the unchanged commit has no changes
    code, out, _ = run("diff", "git:HEAD", ".")
    assert code == 0 and "NO CHANGES" in out
    (project / "channels" / "sms.yaml").unlink()
    code, out, _ = run("diff", "git:HEAD", ".", "--format", "json")
    assert code == 1 and [c["rule"] for f in json.loads(out)["files"] for c in f["changes"]] == [
        "channel-removed"
    ]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_file_new_in_the_pull_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, _git = _git_project(tmp_path)
    monkeypatch.chdir(project.parent)
    new = project / "channels" / "sms.yaml"
    new.write_text(
        "channel: sms\nfeeds:\n- name: texts\n  entity: interaction\n"
        "  source: {path: exports/sms.csv}\n  fields: {interaction_id: id}\n"
    )
    code, out, err = run("diff", "git:main:retail/channels/sms.yaml", "retail/channels/sms.yaml")
    assert code == 0, err
    assert "channel-added" in out and "OK: 0 breaking, 1 non-breaking" in out
    code, out, _ = run("diff", "git:main:retail/channels/crm.yaml", "retail/channels/gone.yaml")
    assert code == 1 and "channel-removed" in out
