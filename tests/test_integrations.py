"""The integrations users of this ecosystem expect: the pre-commit hooks, the GitHub
Action (its shell steps run here, as a runner would run them), shell completion, the
schema association that init writes, the LICENSE in the wheel, no unused dependency."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import COMMANDS, cli
from tests.conftest import ROOT, copy_example

BIN = Path(sys.executable).parent


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNICONTRACT_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return {**env, **extra}


# ------------------------------------------------------------------ pre-commit


def test_pre_commit_hooks_point_at_real_commands(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"omnicontract-lint", "omnicontract-diff"}
    project = copy_example("retail", tmp_path / "repo")
    git = ["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git[:3], "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "project"], check=True)
    subprocess.run([*git, "update-ref", "refs/remotes/origin/main", "HEAD"], check=True)
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= hook.keys()
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        re.compile(hook["files"])
        program, command = hook["entry"].split()
        assert program == "omnicontract" and command in COMMANDS
        # run as pre-commit would: entry, then args, in the repository
        run = subprocess.run(
            [str(BIN / program), command, *hook["args"]],
            cwd=project,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert run.returncode == 0, (hook["id"], run.stdout, run.stderr)


# ------------------------------------------------------------------ GitHub Action


def _expand(text: str, context: dict[str, Any]) -> str:
    """``${{ inputs.x }}``, ``${{ steps.s.outputs.o }}`` as a runner expands them."""

    def value(match: re.Match[str]) -> str:
        expr = match.group(1).strip()
        parts = expr.split(".")
        if parts[0] == "inputs":
            return str(context["inputs"][parts[1]])
        if parts[0] == "steps" and parts[2] == "outputs":
            return context["outputs"].get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"the harness does not know ${{{{ {expr} }}}}")

    return re.sub(r"\$\{\{(.+?)\}\}", value, text)


def _condition(expr: str | None, context: dict[str, Any]) -> bool:
    """The conditions the action uses: always(), an input compared with a string."""
    if expr is None:
        return True
    ok = True
    for clause in (c.strip() for c in expr.split("&&")):
        if clause == "always()" or clause.startswith("hashFiles("):
            continue
        m = re.fullmatch(r"inputs\.([\w-]+) (==|!=) '([^']*)'", clause)
        assert m, f"the harness cannot evaluate: {clause}"
        equal = str(context["inputs"][m.group(1)]) == m.group(3)
        ok = ok and (equal if m.group(2) == "==" else not equal)
    return ok


def _run_action(inputs: dict[str, str], workdir: Path) -> tuple[list[int], dict[str, Any]]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    declared = action["inputs"]
    context: dict[str, Any] = {
        "inputs": {k: inputs.get(k, v.get("default", "")) for k, v in declared.items()},
        "outputs": {},
    }
    summary = workdir / "step-summary.md"
    codes = []
    for step in action["runs"]["steps"]:
        if not _condition(step.get("if"), context):
            continue
        if "uses" in step:  # a marketplace action: pinned to a major version
            assert re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step["uses"]
            continue
        output = workdir / f"output-{step['id']}"
        output.write_text("")
        env = _env(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary))
        env.update({k: _expand(str(v), context) for k, v in step.get("env", {}).items()})
        assert step["shell"] == "bash"
        proc = subprocess.run(
            ["bash", "-e", "-c", _expand(step["run"], context)],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        codes.append(proc.returncode)
        context["outputs"][step["id"]] = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )
    context["summary"] = summary.read_text() if summary.exists() else ""
    return codes, context


def test_action_runs_validate_writes_the_summary_and_fails_with_its_exit_code(
    tmp_path: Path,
) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"exit-code", "junit", "summary"} <= action["outputs"].keys()
    publish = next(s for s in action["runs"]["steps"] if s.get("id") == "publish")
    assert publish["uses"].startswith("mikepenz/action-junit-report@")
    project = copy_example("retail", tmp_path / "retail")
    codes, context = _run_action(
        {"project": str(project), "args": "--no-history", "package": ""}, tmp_path
    )
    assert codes == [0, 0, 1]  # validate records its code; the last step fails with it
    outputs = context["outputs"]["validate"]
    assert outputs["exit-code"] == "1"
    junit = tmp_path / outputs["junit"]
    assert junit.exists() and "<testsuites" in junit.read_text()
    assert context["summary"].startswith("## omnicontract · retail")
    assert "FAIL" in context["summary"]

    # a clean project passes, and fail-on reaches validate
    init = CliRunner().invoke(cli, ["init", str(tmp_path / "clean")])
    assert init.exit_code == 0
    codes, context = _run_action(
        {"project": str(tmp_path / "clean"), "package": "", "fail-on": "info"}, tmp_path
    )
    assert codes == [0, 0, 0] and context["outputs"]["validate"]["exit-code"] == "0"


# ------------------------------------------------------------------ shell and editors


def test_shell_completion_is_what_the_docs_say() -> None:
    docs = (ROOT / "docs" / "ci.md").read_text()
    assert "_OMNICONTRACT_COMPLETE=bash_source omnicontract" in docs
    script = subprocess.run(
        [str(BIN / "omnicontract")],
        env=_env(_OMNICONTRACT_COMPLETE="bash_source"),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "complete -o nosort -F" in script
    words = subprocess.run(
        [str(BIN / "omnicontract")],
        env=_env(
            _OMNICONTRACT_COMPLETE="bash_complete", COMP_WORDS="omnicontract va", COMP_CWORD="1"
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "validate" in words and "history" not in words


def test_init_associates_every_yaml_file_with_its_schema(tmp_path: Path) -> None:
    target = tmp_path / "audit"
    assert CliRunner().invoke(cli, ["init", str(target)]).exit_code == 0
    files = sorted(target.rglob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert m, path
        schema = (path.parent / m.group(1)).resolve()
        assert schema.is_file() and schema.parent == target / "schemas"
        jsonschema.validate(yaml.safe_load(path.read_text()), json.loads(schema.read_text()))
    packaged = ROOT / "src" / "omnicontract" / "schemas"
    for schema in (target / "schemas").iterdir():
        assert schema.read_text() == (packaged / schema.name).read_text()


# ------------------------------------------------------------------ packaging


def _imported_modules() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))


def test_every_dependency_is_used() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    names = [re.split(r"[<>=\[ ;]", d, maxsplit=1)[0] for d in meta["project"]["dependencies"]]
    modules = {
        "pyyaml": "yaml",
        "duckdb-engine": "duckdb_engine",
        "sqlalchemy": "sqlalchemy",
        "python-stdnum": "stdnum",
        "google-re2": "re2",
        "tzdata": "zoneinfo",  # a data package: the standard library's zoneinfo reads it
    }
    code = _imported_modules()
    for name in names:
        module = modules.get(name.lower(), name.lower().replace("-", "_"))
        assert re.search(rf"^\s*(?:from|import) {module}\b", code, re.M), f"{name} is not used"
    assert "pytz" not in names


def _requirement_modules(requirements: list[str]) -> set[str]:
    aliases = {"pyyaml": "yaml", "google-re2": "re2", "python-stdnum": "stdnum"}
    out = set()
    for req in requirements:
        name = re.split(r"[<>=\[ ;]", req, maxsplit=1)[0].lower()
        out.add(aliases.get(name, name.replace("-", "_")))
    return out


LAZY_MODULES = {"udfs.py"}


def test_every_import_is_declared() -> None:
    """A module the code imports is the standard library's or a declared requirement's: a
    fresh install has nothing else (a package that happens to sit in a developer's venv
    fails only on a clean machine). Optional extras are imported only inside functions, or at
    the top of a module that is itself loaded only by a function (the Spark engine's UDFs)."""
    import ast
    import sys

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    core = _requirement_modules(meta["project"]["dependencies"])
    core.add("markupsafe")  # jinja2's own requirement, the escaping it renders with
    extras = set()
    for name, reqs in meta["project"]["optional-dependencies"].items():
        if name != "test":
            extras |= _requirement_modules(reqs)
    problems = []
    for path in (ROOT / "src").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(n) for n in tree.body}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                if root in sys.stdlib_module_names or root == "omnicontract" or root in core:
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if root not in extras:
                    problems.append(f"{where} imports {root}, which no requirement declares")
                elif id(node) in top_level and path.name not in LAZY_MODULES:
                    problems.append(f"{where} imports the optional {root} at module level")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_wheel_carries_the_license(tmp_path: Path) -> None:
    license_text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in license_text and "Version 2.0, January 2004" in license_text
    assert "END OF TERMS AND CONDITIONS" in license_text  # the full text
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "*.egg-info", "examples", "bench", "tests", ".*cache*", "out"
        ),
    )
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next((tmp_path / "dist").glob("omnicontract-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        licenses = [n for n in names if n.endswith("/LICENSE") and ".dist-info/" in n]
        assert licenses, names
        assert z.read(licenses[0]).decode() == license_text
        assert any(n.endswith("omnicontract/schemas/channel.schema.json") for n in names)
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert "pytz" not in metadata
