"""A project reads only inside its folder, unless a folder outside is allowed visibly.

Each case plants a file outside the project holding a marker, points a binding (or the
project's contract globs) at it in one of the ways an attacker would, and checks that
the run exits 2 naming file and line, and that no byte of the outside file reaches any
output: standard output, standard error, report files, the run history.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import cli
from tests.conftest import write_project

MARKER = "OUTSIDE-BYTES-7f3a"
ROWS = f"id,e\n{MARKER},{MARKER}@x.com\n"


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "customers.csv").write_text(ROWS)
    (folder / "customer.yaml").write_text(
        f"entity: customer\nversion: 1.0.0\nfields:\n  customer_id: {{pattern: '{MARKER}('}}\n"
    )
    return folder


def _project(tmp_path: Path, path: str) -> Path:
    return write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "customer",
                "fields": {"customer_id": "id", "email": "e"},
                "rows": "id,e\nC1,a@b.com\n",
                "source": {"path": path},
            }
        ],
    )


def _everything_written(root: Path, *texts: str) -> str:
    """Every output of a run: the texts given plus every file the run wrote."""
    out = list(texts)
    for p in root.rglob("*"):
        if p.is_file() and p.suffix in (".json", ".html", ".md", ".xml", ".txt"):
            out.append(p.read_text(errors="replace"))
        if p.is_file() and p.suffix == ".db":
            with sqlite3.connect(p) as con:
                for (doc,) in con.execute("SELECT document FROM runs"):
                    out.append(doc)
    return "\n".join(out)


def _link(tmp_path: Path, outside: Path) -> str:
    data = tmp_path / "p" / "data"
    data.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / "customers.csv", data / "link.csv")
    return "data/link.csv"


def _linked_folder(tmp_path: Path, outside: Path) -> str:
    data = tmp_path / "p" / "data"
    data.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, data / "exports")
    return "data/exports/*.csv"


@pytest.mark.parametrize(
    "how",
    ["absolute", "dotdot", "glob", "symlink", "linked folder", "recursive glob"],
)
def test_a_source_outside_the_project_is_refused(how: str, tmp_path: Path, outside: Path) -> None:
    path = {
        "absolute": lambda: str(outside / "customers.csv"),
        "dotdot": lambda: "data/../../elsewhere/customers.csv",
        "glob": lambda: str(outside) + "/*.csv",
        "symlink": lambda: _link(tmp_path, outside),
        "linked folder": lambda: _linked_folder(tmp_path, outside),
        "recursive glob": lambda: "../**/customers.csv",
    }[how]()
    root = _project(tmp_path, path)
    report = root / "out" / "r.json"
    for command in ("validate", "lint"):
        args = [command, root] + (["--report", f"json:{report}"] if command == "validate" else [])
        code, out, err = run(*args)
        assert code == 2, (how, command, out, err)
        assert "outside the project folder" in err and "--allow-path" in err
        assert f"{root / 'channels' / 'ch0.yaml'}:" in err  # file:line of the source path
        assert MARKER not in _everything_written(root, out, err)
    assert not report.exists()


def test_contract_globs_outside_the_project_are_refused(tmp_path: Path, outside: Path) -> None:
    root = _project(tmp_path, "data/ch0.csv")
    settings = yaml.safe_load((root / "omnicontract.yaml").read_text())
    for contracts in ([str(outside / "*.yaml")], ["../elsewhere/customer.yaml"]):
        settings["contracts"] = contracts
        (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings))
        code, out, err = run("validate", root)
        assert code == 2 and "outside the project folder" in err, err
        assert f"{root / 'omnicontract.yaml'}:" in err and MARKER not in out + err


def test_allowed_roots_are_read_and_named_in_the_header(tmp_path: Path, outside: Path) -> None:
    root = _project(tmp_path, str(outside / "customers.csv"))
    code, out, err = run("validate", root, "--allow-path", outside, "--no-history")
    assert code in (0, 1), err
    flat = " ".join(out.split())  # the console may wrap a long path
    assert f"reads outside the project: {outside.resolve()} (allowed by --allow-path)" in flat
    code, out, _ = run("validate", root, "--allow-path", outside, "--format", "json")
    assert '"allowed_by": "--allow-path"' in out
    settings = yaml.safe_load((root / "omnicontract.yaml").read_text())
    settings["data_roots"] = [str(outside)]
    (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings))
    code, out, err = run("validate", root, "--format", "markdown")
    assert code in (0, 1), err
    assert "Reads outside the project" in out and "data\\_roots" in out
    # a folder inside the project is not "outside", and is not announced
    code, out, _ = run("validate", _project(tmp_path / "q", "data/ch0.csv"), "--allow-path", ".")
    assert code == 0 and "reads outside" not in out


def test_a_sqlite_connection_outside_the_project_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path, "data/ch0.csv")
    settings = yaml.safe_load((root / "omnicontract.yaml").read_text())
    settings["connections"] = {"crm": f"sqlite:///{tmp_path / 'elsewhere.db'}"}
    (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings))
    code, _, err = run("lint", root)
    assert code == 2 and "connection 'crm'" in err and "outside the project folder" in err
