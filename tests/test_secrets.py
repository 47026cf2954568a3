"""No secret is printed: every URL form, through every command, with and without --debug;
standard output, standard error, report files and the run history are all searched."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import cli
from omnicontract.redact import redact
from tests.conftest import write_project

SECRET = "S3cr3t-Pw-42"
URLS = [
    f"postgresql://qa:{SECRET}@127.0.0.1:1/qa",
    f"postgresql+psycopg://qa:{SECRET}@@127.0.0.1:1/qa",
    "postgresql://qa:S3cr3t@Pw-42@127.0.0.1:1/qa",  # unencoded '@' in the password
    f"postgresql://127.0.0.1:1/qa?password={SECRET}",
    f"postgresql://127.0.0.1:1/qa?sslmode=disable&pwd={SECRET}",
    f"postgresql://127.0.0.1:1/qa?user=qa&sslpassword={SECRET}&x=1",
    f"qa:{SECRET}@127.0.0.1:1/qa",  # no scheme
    f"//qa:{SECRET}@127.0.0.1:1/qa",
    "postgresql://qa:${OC_TEST_SECRET}@127.0.0.1:1/qa",  # expanded from the environment
    "postgresql://qa:x@${OC_TEST_SECRET}.example/qa",  # refused: host from the environment
    "sqlite:///${OC_TEST_SECRET}.db",  # refused: file name from the environment
    f"sqlite:///runs.db?password={SECRET}",
]


def _secret_parts() -> list[str]:
    return [SECRET, "S3cr3t@Pw", "r3t-Pw", "Pw-42"]


def _outputs(root: Path, *texts: str) -> str:
    out = list(texts)
    for p in root.rglob("*"):
        if p.is_file() and p.suffix not in (".yaml", ".csv"):  # not the inputs we wrote
            out.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


@pytest.mark.parametrize("url", URLS)
def test_no_url_form_prints_its_secret(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OC_TEST_SECRET", SECRET)
    monkeypatch.delenv("OMNICONTRACT_HISTORY_URL", raising=False)
    root = write_project(
        tmp_path / "p",
        feeds=[{"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\n"}],
    )
    texts: list[str] = []
    runs = [
        ["validate", root, "--history-url", url, "--report", f"json:{root / 'out' / 'r.json'}"],
        ["validate", root, "--history-url", url, "--debug"],
        ["history", root, "--history-url", url],
        ["history", root, "--history-url", url, "--debug"],
        ["report", root, "--history-url", url, "--debug"],
    ]
    for args in runs:
        result = CliRunner().invoke(cli, [str(a) for a in args])
        texts += [result.stdout, result.stderr]
    # the same URL written in the project file, and as a database connection
    settings = yaml.safe_load((root / "omnicontract.yaml").read_text())
    settings["history"] = {"url": url}
    settings["connections"] = {"crm": url}
    (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings))
    for args in (["validate", root], ["validate", root, "--debug"], ["lint", root, "--debug"]):
        result = CliRunner().invoke(cli, [str(a) for a in args])
        texts += [result.stdout, result.stderr]
    everything = _outputs(tmp_path, *texts)
    for part in _secret_parts():
        assert part not in everything, (url, part)


def test_redaction_keeps_what_is_not_secret() -> None:
    text = "cannot open postgresql://qa:pw@db.internal:5432/quality?sslmode=require"
    shown = redact(text)
    assert shown == "cannot open postgresql://***@db.internal:5432/quality?sslmode=require"
    assert redact("sqlite:////srv/runs/history.db") == "sqlite:////srv/runs/history.db"
    assert redact("contact ana@example.com at 10:30") == "contact ana@example.com at 10:30"
    assert redact("host=db password='a b' user=qa") == "host=db password=*** user=qa"
