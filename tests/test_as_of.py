"""--as-of and policy.as_of: the moment the exports represent is 'now' for every
time-based check, and every report says which moment that was."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from tests.conftest import FIXED_NOW, write_project

FEED = {
    "entity": "interaction",
    "fields": {"interaction_id": "id", "occurred_at": {"column": "t", "timezone": "UTC"}},
    "constants": {"channel": "web", "kind": "page_view"},
    "freshness": {"max_age": "2d"},
    "rows": "id,t\n1,2024-05-01 10:00:00\n2,2024-05-31 10:00:00\n",
}


def _codes(result) -> list[str]:
    return sorted(f.code for f in result.findings)


def test_as_of_is_now_for_future_timestamps_and_freshness(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[FEED])
    # today: nothing is in the future, but the newest record is two years old
    assert _codes(omnicontract.validate(root, now=FIXED_NOW)) == ["OC-SRC-008"]
    # the export's own moment: fresh, and nothing in the future
    as_of = datetime(2024, 6, 1, tzinfo=UTC)
    assert _codes(omnicontract.validate(root, as_of=as_of)) == []
    # a moment before the last record: that record lies in the future
    early = omnicontract.validate(root, as_of=datetime(2024, 5, 15, tzinfo=UTC))
    assert _codes(early) == ["OC-FLD-014"]
    assert early.as_of == "2024-05-15T00:00:00+00:00"


def test_the_flag_beats_the_project_setting(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p", feeds=[FEED], project={"policy": {"as_of": "2024-06-01T00:00:00Z"}}
    )
    assert omnicontract.validate(root).as_of == "2024-06-01T00:00:00+00:00"
    runner = CliRunner()
    out = runner.invoke(
        cli,
        ["validate", str(root), "--as-of", "2024-05-15", "--format", "json", "--no-history"],
    )
    doc = json.loads(out.output)
    assert doc["as_of"] == "2024-05-15T00:00:00+00:00"
    assert [f["code"] for f in doc["findings"]] == ["OC-FLD-014"]
    console = runner.invoke(cli, ["validate", str(root), "--as-of", "2024-06-01", "--no-history"])
    assert "data as of 2024-06-01T00:00:00+00:00" in console.output


def test_a_bad_as_of_is_a_usage_error(tmp_path: Path) -> None:
    root = write_project(tmp_path / "p", feeds=[FEED])
    out = CliRunner().invoke(cli, ["validate", str(root), "--as-of", "last tuesday"])
    assert out.exit_code == 2
    assert "not an ISO-8601 date or time" in out.output
