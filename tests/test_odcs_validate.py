"""An ODCS contract validated on its own (`omnicontract validate orders.odcs.yaml`): its
servers say where the data lies, each schema object is a feed of that server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import cli
from tests.conftest import odcs_document

CITIES = {
    "apiVersion": "v3.1.0",
    "kind": "DataContract",
    "id": "cities",
    "version": "2.0.0",
    "status": "active",
    "servers": [
        {"server": "current", "type": "local", "format": "csv", "path": "data/cities-2.csv"},
        {"server": "history", "type": "local", "format": "csv", "path": "data/cities-1.csv"},
        {"server": "all", "type": "local", "format": "csv", "path": "data/cities-*.csv"},
        {"server": "broken", "type": "local", "format": "csv", "path": "data/bad/cities.csv"},
        {
            "server": "lines",
            "type": "local",
            "format": "json",
            "delimiter": "new_line",
            "path": "data/cities.jsonl",
        },
        {"server": "bucket", "type": "s3", "format": "csv", "location": "s3://b/cities.csv"},
        {"server": "outside", "type": "local", "format": "csv", "path": "../cities.csv"},
    ],
    "schema": [
        {
            "name": "Cities",
            "properties": [
                {
                    "name": "CityId",
                    "logicalType": "string",
                    "required": True,
                    "unique": True,
                    "primaryKey": True,
                },
                {"name": "name", "logicalType": "string", "required": True},
                {
                    "name": "population",
                    "logicalType": "integer",
                    "logicalTypeOptions": {"minimum": 10000},
                },
            ],
        }
    ],
}
V1 = "CityId,name\nc1,Berlin\nc2,London\n"
V2 = "CityId,name,population\nc3,Milan,1300000\nc4,Lagos,\n"
BAD = "CityId,name,population\nc5,Hamlet,12\nc5,Twice,20000\n"
JSONL = '{"CityId": "c6", "name": "Lima", "population": 9000000}\n'


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    folder = tmp_path / "repo" / "contracts"
    (folder / "data" / "bad").mkdir(parents=True)
    (folder / "data" / "cities-1.csv").write_text(V1)
    (folder / "data" / "cities-2.csv").write_text(V2)
    (folder / "data" / "bad" / "cities.csv").write_text(BAD)
    (folder / "data" / "cities.jsonl").write_text(JSONL)
    (tmp_path / "repo" / "cities.csv").write_text(V2)  # beside, not inside, the contract's folder
    path = folder / "cities.odcs.yaml"
    path.write_text(yaml.safe_dump(CITIES, sort_keys=False))
    return path


def _run(contract: Path, *args: str) -> Any:
    return CliRunner().invoke(
        cli, ["validate", str(contract), "--format", "json", "--no-history", *args]
    )


def _codes(result: Any) -> dict[str, tuple[str, int]]:
    import json

    return {f["code"]: (f["severity"], f["count"]) for f in json.loads(result.stdout)["findings"]}


@pytest.mark.parametrize(
    ("server", "exit_code", "expected"),
    [
        ("current", 0, {}),  # the first server, also the default
        ("lines", 0, {}),
        # an optional column the older export lacks entirely: the contract is not met
        ("history", 1, {"OC-SRC-003": ("error", 0)}),
        # one file of the feed lacks the optional column: its rows have no value (allowed)
        ("all", 0, {"OC-SRC-003": ("info", 2)}),
        ("broken", 1, {"OC-FLD-004": ("error", 2), "OC-FLD-007": ("error", 1)}),
    ],
)
def test_a_server_is_validated_against_the_contract(
    contract: Path, server: str, exit_code: int, expected: dict[str, Any]
) -> None:
    result = _run(contract, "--server", server)
    assert result.exit_code == exit_code, result.output
    found = {c: v for c, v in _codes(result).items() if not c.startswith("OC-CON")}
    assert found == expected


def test_the_first_server_is_the_default(contract: Path) -> None:
    default, current = _run(contract), _run(contract, "--server", "current")
    assert default.exit_code == current.exit_code == 0
    assert _codes(default) == _codes(current)
    # CityId is read from its own column: its lower_snake_case name is no warning here
    assert "OC-CON-006" not in _codes(default)
    # a server that cannot be read here (a bucket) is passed over for the first one that can
    data = yaml.safe_load(contract.read_text())
    data["servers"] = [data["servers"][5], data["servers"][3], data["servers"][0]]
    contract.write_text(yaml.safe_dump(data, sort_keys=False))
    broken = _run(contract)
    assert broken.exit_code == 1 and "OC-FLD-004" in _codes(broken)


def test_paths_relative_to_the_working_directory(
    contract: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other ODCS tools read a server's path from the working directory: a contract run
    from its repository's top finds its data either way."""
    repo = contract.parent.parent
    data = dict(
        CITIES,
        servers=[
            {
                "server": "top",
                "type": "local",
                "format": "csv",
                "path": "./contracts/data/bad/cities.csv",
            }
        ],
    )
    contract.write_text(yaml.safe_dump(data, sort_keys=False))
    monkeypatch.chdir(repo)
    result = _run(Path("contracts/cities.odcs.yaml"))
    assert result.exit_code == 1
    assert _codes(result)["OC-FLD-004"] == ("error", 2)


@pytest.mark.parametrize(
    ("args", "message", "hint"),
    [
        (["--server", "nope"], "no server 'nope'", "current, history, all"),
        (["--server", "bucket"], "server type 's3' cannot be read", "type: local"),
        (["--server", "outside"], "outside", None),
    ],
)
def test_servers_that_cannot_be_read_are_refused_with_their_place(
    contract: Path, args: list[str], message: str, hint: str | None
) -> None:
    result = _run(contract, *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "cities.odcs.yaml:" in result.stderr
    assert hint is None or hint in result.stderr
    assert "Traceback" not in result.output


def test_server_on_a_project_is_a_usage_error(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["init", str(tmp_path / "p")])
    result = CliRunner().invoke(cli, ["validate", str(tmp_path / "p"), "--server", "x"])
    assert result.exit_code == 2 and "--server applies to an ODCS contract" in result.stderr


def test_several_objects_read_their_own_files(tmp_path: Path) -> None:
    two = dict(
        CITIES,
        servers=[{"server": "files", "type": "local", "format": "csv", "path": "{model}.csv"}],
        schema=[
            CITIES["schema"][0],
            {
                "name": "countries",
                "properties": [{"name": "code", "logicalType": "string", "required": True}],
            },
        ],
    )
    (tmp_path / "c.odcs.yaml").write_text(yaml.safe_dump(two, sort_keys=False))
    (tmp_path / "Cities.csv").write_text(V2)
    (tmp_path / "countries.csv").write_text("code,name\nBR,Brasil\n,Nowhere\n")
    result = _run(tmp_path / "c.odcs.yaml")
    assert result.exit_code == 1, result.output
    import json

    report = json.loads(result.stdout)
    assert sorted(f["feed"] for f in report["findings"] if f["code"] == "OC-FLD-001") == [
        "countries"
    ]
    assert report["summary"]["rows"] == 4


@pytest.mark.parametrize(
    ("rule", "exit_code"),
    [
        ({"mustBe": 2}, 0),
        ({"mustBe": 3}, 1),
        ({"mustBeGreaterThan": 1}, 0),
        ({"mustBeGreaterThan": 2}, 1),
        ({"mustBeLessOrEqualTo": 1}, 1),
        ({"mustBeBetween": [1, 2]}, 0),
        ({"mustBeBetween": [3, 9]}, 1),
    ],
)
def test_a_row_count_rule_bounds_the_feed(
    contract: Path, rule: dict[str, Any], exit_code: int
) -> None:
    data = yaml.safe_load(contract.read_text())
    data["schema"][0]["quality"] = [{"type": "library", "metric": "rowCount", **rule}]
    contract.write_text(yaml.safe_dump(data, sort_keys=False))
    result = _run(contract, "--server", "current")  # 2 rows
    assert result.exit_code == exit_code, result.output
    assert ("OC-SRC-007" in _codes(result)) == (exit_code == 1)
    import json

    ignored = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert not [m for m in ignored if "quality" in m]  # honoured, not listed as ignored


DCS = """\
dataContractSpecification: 1.2.1
id: orders
info:
  title: Orders
  version: 1.0.0
  owner: sales-team
servers:
  local:
    type: local
    path: orders.csv
    format: csv
models:
  orders:
    description: one row per order
    fields:
      order_id:
        type: integer
        required: true
        unique: true
      email:
        type: string
        pii: true
        pattern: "^.+@.+$"
      status:
        type: string
        enum: [open, paid]
      amount:
        type: decimal
        minimum: 0
      tags:
        type: array
        items: {type: string}
"""


def test_a_data_contract_specification_file_runs_as_its_odcs_counterpart(
    tmp_path: Path,
) -> None:
    """The older Data Contract Specification (models:, fields:, servers by name) is read
    as the ODCS document it corresponds to."""
    (tmp_path / "datacontract.yaml").write_text(DCS)
    (tmp_path / "orders.csv").write_text(
        "order_id,email,status,amount,tags\n1,a@b.com,open,10.5,[]\n2,nope,paid,-1,[]\n"
        "2,c@d.com,lost,3,[]\n"
    )
    result = _run(tmp_path / "datacontract.yaml")
    assert result.exit_code == 1, result.output
    codes = _codes(result)
    # the repeated id, the e-mail without @, the unknown status, the negative amount
    assert codes["OC-FLD-003"] == ("error", 2)
    assert codes["OC-FLD-006"] == ("error", 1)
    assert codes["OC-FLD-005"] == ("error", 1)
    assert codes["OC-FLD-007"] == ("error", 1)
    import json

    report = json.loads(result.stdout)
    email = next(f for f in report["findings"] if f["code"] == "OC-FLD-006")
    assert email["samples"][0]["value"] != "nope"  # pii: masked by default
    (tags,) = [f for f in report["findings"] if "nested array" in f["message"]]
    assert ":31:" in tags["location"]  # the DCS field's own line

    native = CliRunner().invoke(cli, ["import", "dcs", str(tmp_path / "datacontract.yaml")])
    assert native.exit_code == 0, native.output
    contract = yaml.safe_load(native.stdout)
    assert contract["fields"]["status"]["enum"] == ["open", "paid"]
    assert contract["fields"]["order_id"] == {
        "type": "integer",
        "required": True,
        "unique": True,
        "blank_is_missing": False,  # the standard's `required`: not null
    }


def test_a_bad_dcs_field_is_placed_in_the_dcs_file(tmp_path: Path) -> None:
    (tmp_path / "datacontract.yaml").write_text(
        DCS.replace("minimum: 0", "minimum: 0\n        maxLength: x")
    )
    (tmp_path / "orders.csv").write_text("order_id\n1\n")
    result = _run(tmp_path / "datacontract.yaml")
    import json

    (note,) = [f for f in json.loads(result.stdout)["findings"] if "maxLength" in f["message"]]
    assert note["location"].endswith("datacontract.yaml:30:20")  # the value 'x', in the DCS


def test_lint_judges_the_file_against_the_standard(contract: Path) -> None:
    """lint needs no data (a server it cannot read is fine) and fails a file the ODCS JSON
    Schema refuses; validate judges the data and keeps that a warning."""
    data = yaml.safe_load(contract.read_text())
    data["servers"] = [data["servers"][5]]  # only the bucket: nothing to read here
    contract.write_text(yaml.safe_dump(data, sort_keys=False))
    clean = CliRunner().invoke(cli, ["lint", str(contract), "--format", "json"])
    assert clean.exit_code == 0, clean.output
    assert "OC-CON-007" not in _codes(clean)

    data = yaml.safe_load(contract.read_text())
    del data["status"]  # required by the standard
    data["servers"] = CITIES["servers"][:1]
    contract.write_text(yaml.safe_dump(data, sort_keys=False))
    linted = CliRunner().invoke(cli, ["lint", str(contract), "--format", "json"])
    assert linted.exit_code == 1, linted.output
    assert _codes(linted)["OC-CON-007"] == ("error", 0)
    import json

    (finding,) = [f for f in json.loads(linted.stdout)["findings"] if f["code"] == "OC-CON-007"]
    assert "'status' is a required property" in finding["message"]
    assert finding["location"].endswith("cities.odcs.yaml:1:1")
    validated = _run(contract)
    assert validated.exit_code == 0 and _codes(validated)["OC-CON-007"] == ("info", 0)


def test_lint_of_a_contract_with_no_table(tmp_path: Path) -> None:
    empty = tmp_path / "empty.odcs.yaml"
    empty.write_text(
        "apiVersion: v3.1.0\nkind: DataContract\nid: e\nversion: 1.0.0\nstatus: draft\n"
    )
    assert CliRunner().invoke(cli, ["lint", str(empty)]).exit_code == 0
    result = _run(empty)
    assert result.exit_code == 2 and "no schema object" in result.stderr


# Five sales, two of whose amounts are outside {10, 30, 50} and one of whose e-mails has
# no "@": the verdicts below are those of the standard's reading of each rule.
SALES = "sale_id,email,amount\n1,ann@shop.example,50\n2,bo@shop.example,10\n3,nobody,200\n"
SALES += "4,cy@shop.example,-5\n5,di@shop.example,30\n"


def _sales(tmp_path: Path, field: str, rule: dict[str, Any]) -> Path:
    (tmp_path / "sales.csv").write_text(SALES)
    props: list[dict[str, Any]] = [
        {"name": "sale_id", "logicalType": "string"},
        {"name": "email", "logicalType": "string"},
        {"name": "amount", "logicalType": "integer"},
    ]
    next(p for p in props if p["name"] == field)["quality"] = [{"type": "library", **rule}]
    server = {"server": "here", "type": "local", "format": "csv", "path": "sales.csv"}
    doc = odcs_document("sales", [server], [{"name": "sales", "properties": props}])
    path = tmp_path / "sales.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


AMOUNTS = {"arguments": {"validValues": [10, 30, 50]}}


@pytest.mark.parametrize(
    ("field", "rule", "exit_code", "finding"),
    [
        # two of five amounts are invalid: 40% breaks "< 10%"
        ("amount", {"metric": "invalidValues", "unit": "percent", "mustBeLessThan": 10, **AMOUNTS},
         1, ("error", "40")),
        ("amount", {"metric": "invalidValues", "unit": "percent", "mustBeLessThan": 50, **AMOUNTS},
         0, None),
        # a non-blocking severity makes the broken rule a warning, in rows or in percent
        ("amount", {"metric": "invalidValues", "severity": "warning", "mustBe": 0, **AMOUNTS},
         0, ("warning", "2")),
        ("amount", {"metric": "invalidValues", "unit": "percent", "severity": "info",
                    "mustBeLessThan": 10, **AMOUNTS}, 0, ("info", "40")),
        # a pattern is found anywhere in the value: one e-mail in five has no "@"
        ("email", {"metric": "invalidValues", "unit": "percent", "mustBeLessThan": 10,
                   "arguments": {"pattern": "@"}}, 1, ("error", "20")),
        ("email", {"metric": "invalidValues", "mustBeLessThan": 2,
                   "arguments": {"pattern": "@"}}, 0, None),
    ],
)  # fmt: skip
def test_library_rules_read_as_the_standard_reads_them(
    tmp_path: Path, field: str, rule: dict[str, Any], exit_code: int, finding: Any
) -> None:
    result = _run(_sales(tmp_path, field, rule))
    assert result.exit_code == exit_code, result.output
    rules = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "OC-QLT-001"]
    if finding is None:
        assert rules == []
    else:
        (only,) = rules
        assert only["severity"] == finding[0]
        assert f": {finding[1]}, where the rule wants" in only["message"]


@pytest.mark.parametrize(
    ("pattern", "failing"),
    [
        ("@", 1),  # anywhere: "nobody" has none
        ("^[a-z]+@", 1),  # anchored at the start only
        ("example$", 1),  # anchored at the end only
        ("^[a-z]{2,3}@shop[.]example$", 1),  # whole value
        ("^nobody$|^ann", 3),  # alternation keeps each branch's own anchors
        ("shop", 1),
    ],
)
def test_a_field_pattern_is_found_anywhere_unless_anchored(
    tmp_path: Path, pattern: str, failing: int
) -> None:
    path = _sales(tmp_path, "email", {"metric": "nullValues", "mustBe": 0})
    doc = yaml.safe_load(path.read_text())
    doc["schema"][0]["properties"][1]["logicalTypeOptions"] = {"pattern": pattern}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _run(path)
    found = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "OC-FLD-006"]
    assert sum(f["count"] for f in found) == failing, result.output


def test_a_metric_without_a_bound_is_not_a_check(tmp_path: Path) -> None:
    result = _run(_sales(tmp_path, "amount", {"metric": "invalidValues", **AMOUNTS}))
    assert result.exit_code == 0, result.output
    (note,) = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "OC-CON-006"]
    assert "no bound" in note["message"]
    assert note["severity"] == "info"


def test_a_blocking_severity_keeps_the_native_check(tmp_path: Path) -> None:
    rule = {"metric": "invalidValues", "severity": "critical", "mustBe": 0, **AMOUNTS}
    result = _run(_sales(tmp_path, "amount", rule))
    assert result.exit_code == 1, result.output
    assert _codes(result)["OC-FLD-005"] == ("error", 2)


@pytest.mark.parametrize(
    ("query", "severity", "exit_code"),
    [
        # not a read-only query: the contract asks for a verdict that cannot be given
        ("COPY sales TO 'copied.csv'", "error", 1),
        ("SELECT count(*) FROM read_csv('sales.csv')", "error", 1),
        ("SELECT count(*) FROM sales WHERE", "error", 1),
        # a well-formed query of another table: a limitation, said and not judged
        ("SELECT count(*) FROM refunds", "info", 0),
    ],
)
def test_a_sql_rule_that_cannot_run_is_judged_by_why(
    tmp_path: Path, query: str, severity: str, exit_code: int
) -> None:
    path = _sales(tmp_path, "email", {"metric": "nullValues", "mustBe": 0})
    doc = yaml.safe_load(path.read_text())
    doc["schema"][0]["quality"] = [{"type": "sql", "query": query, "mustBe": 0}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _run(path)
    assert result.exit_code == exit_code, result.output
    (note,) = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "OC-CON-006"]
    assert note["severity"] == severity and "schema[0].quality[0]" in note["message"]
    assert not (tmp_path / "copied.csv").exists()
    linted = CliRunner().invoke(cli, ["lint", str(path), "--format", "json"])
    (note,) = [f for f in json.loads(linted.stdout)["findings"] if f["code"] == "OC-CON-006"]
    assert note["severity"] == ("error" if severity == "error" else "warning")


@pytest.mark.parametrize(
    ("prop", "naive_warned", "noted"),
    [
        ({}, True, False),  # nothing said: read as UTC, and the run says so
        ({"physicalType": "TIMESTAMP_NTZ"}, False, False),  # naive by declaration
        ({"logicalTypeOptions": {"timezone": False}}, False, False),
        ({"logicalTypeOptions": {"defaultTimezone": "America/Sao_Paulo"}}, False, False),
        ({"logicalTypeOptions": {"defaultTimezone": "Mars/Olympus"}}, True, True),
    ],
)
def test_a_property_says_where_its_naive_timestamps_are(
    tmp_path: Path, prop: dict[str, Any], naive_warned: bool, noted: bool
) -> None:
    (tmp_path / "visits.csv").write_text("id,at\nv1,2024-05-01 10:00:00\nv2,2024-05-01 11:00:00\n")
    doc = {
        "apiVersion": "v3.0.2",
        "kind": "DataContract",
        "id": "visits",
        "version": "1.0.0",
        "status": "active",
        "servers": [{"server": "here", "type": "local", "format": "csv", "path": "visits.csv"}],
        "schema": [
            {
                "name": "visits",
                "properties": [
                    {"name": "id", "logicalType": "string"},
                    {"name": "at", "logicalType": "timestamp", **prop},
                ],
            }
        ],
    }
    path = tmp_path / "visits.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _run(path)
    assert result.exit_code == 0, result.output
    codes = _codes(result)
    assert ("OC-FLD-013" in codes) == naive_warned
    assert ("OC-CON-006" in codes) == noted


@pytest.mark.parametrize(
    ("blank_is_missing", "required", "key"),
    [
        (None, 1, 1),  # the standard's `required` and primary key: a null is missing
        (True, 3, 3),  # `blankIsMissing: true`: empty and all-space text is missing too
    ],
)
def test_required_refuses_nulls_as_the_standard_reads_it(
    contract: Path, blank_is_missing: bool | None, required: int, key: int
) -> None:
    """An ODCS `required` (and primary key) refuses a null, not an empty text: a JSON
    export's `""` and `"  "` are values, as upstream tools judge them; the custom
    property `blankIsMissing: true` (what `export odcs` writes) counts them as missing."""
    doc = yaml.safe_load(contract.read_text())
    if blank_is_missing is not None:
        custom = [{"property": "blankIsMissing", "value": blank_is_missing}]
        for prop in doc["schema"][0]["properties"][:2]:
            prop["customProperties"] = custom
    contract.write_text(yaml.safe_dump(doc, sort_keys=False))
    rows = [("c1", "Lima"), ("", ""), ("  ", "  "), (None, None), ("c2", "Oslo")]
    (contract.parent / "data" / "cities.jsonl").write_text(
        "".join(json.dumps({"CityId": i, "name": n}) + "\n" for i, n in rows)
    )
    result = _run(contract, "--server", "lines")
    assert result.exit_code == 1, result.output
    codes = _codes(result)
    assert codes["OC-FLD-001"] == ("error", required)
    assert codes["OC-FLD-004"] == ("error", key)


def test_columns_and_tables_are_read_under_their_physical_names(tmp_path: Path) -> None:
    """As ODCS tools read a contract: a property's column is its ``physicalName`` (else
    its name), a schema object's table (and ``{model}`` of a path) its ``physicalName``;
    a composite primary key is each member not null and the members together unique."""
    (tmp_path / "shipments_v1.csv").write_text(
        "sid,oid,qty\n1,10,5\n1,11,6\n1,10,7\n2,,8\n3,12,9\n"
    )
    server = {"server": "here", "type": "local", "format": "csv", "path": "{model}.csv"}
    shipments = {
        "name": "shipments",
        "physicalName": "shipments_v1",
        "properties": [
            {"name": "shipment_id", "physicalName": "sid", "logicalType": "integer",
             "primaryKey": True, "primaryKeyPosition": 1},
            {"name": "order_id", "physicalName": "oid", "logicalType": "integer",
             "primaryKey": True, "primaryKeyPosition": 2},
            {"name": "qty", "logicalType": "integer"},
        ],
    }  # fmt: skip
    doc = odcs_document("shipments", [server], [shipments])
    path = tmp_path / "shipments.odcs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _run(path)
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    found = {(f["code"], f.get("field")): f["count"] for f in report["findings"]}
    assert ("OC-SRC-003", "shipment_id") not in found  # read from column sid
    assert found[("OC-FLD-001", "order_id")] == 1  # a member of the key is never null
    rule = next(f for f in report["findings"] if f["code"] == "OC-QLT-001")
    assert "1, where the rule wants = 0" in rule["message"]  # (1, 10) in two rows: one key
    assert not [f for f in report["findings"] if "physicalName" in f["message"]]


# amount 10 in three rows, 30 in two: two values that repeat (four rows beyond the first)
REPEATS = "sale_id,email,amount\n1,a@x.io,10\n2,b@x.io,10\n3,c@x.io,10\n4,a@x.io,30\n5,e@x.io,30\n"


@pytest.mark.parametrize(("bound", "exit_code"), [(2, 0), (1, 1)])
def test_duplicate_values_count_the_values_that_repeat(
    tmp_path: Path, bound: int, exit_code: int
) -> None:
    """``duplicateValues`` counts values found in more than one row, as ODCS tools do."""
    path = _sales(tmp_path, "amount", {"metric": "duplicateValues", "mustBeLessOrEqualTo": bound})
    (tmp_path / "sales.csv").write_text(REPEATS)
    result = _run(path)
    assert result.exit_code == exit_code, result.output


def test_an_object_duplicate_rule_counts_repeated_tuples(tmp_path: Path) -> None:
    path = _sales(tmp_path, "amount", {"metric": "nullValues", "mustBe": 0})
    (tmp_path / "sales.csv").write_text(REPEATS)
    doc = yaml.safe_load(path.read_text())
    rule = {"metric": "duplicateValues", "arguments": {"properties": ["email", "amount"]}}
    doc["schema"][0]["quality"] = [{"type": "library", **rule, "mustBe": 0}]
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    assert _run(path).exit_code == 0  # (a@x.io, 10) and (a@x.io, 30) differ
    (tmp_path / "sales.csv").write_text(REPEATS + "6,a@x.io,10\n")
    result = _run(path)
    assert result.exit_code == 1, result.output
    (rule_finding,) = [
        f for f in json.loads(result.stdout)["findings"] if f["code"] == "OC-QLT-001"
    ]
    assert "1, where the rule wants = 0" in rule_finding["message"]


@pytest.mark.parametrize(
    ("options", "failing"),
    [
        ({"exclusiveMinimum": 10}, {"OC-QLT-001": 1}),  # 10 itself is not above 10
        ({"exclusiveMaximum": 50}, {"OC-QLT-001": 1}),
        ({"exclusiveMinimum": -5.5, "exclusiveMaximum": 200.5}, {}),
    ],
)
def test_exclusive_bounds_of_a_number_field(
    tmp_path: Path, options: dict[str, Any], failing: dict[str, int]
) -> None:
    path = _sales(tmp_path, "amount", {"metric": "nullValues", "mustBe": 0})
    doc = yaml.safe_load(path.read_text())
    doc["schema"][0]["properties"][2]["logicalType"] = "number"
    doc["schema"][0]["properties"][2]["logicalTypeOptions"] = options
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _run(path)
    codes = {c: n for c, (_s, n) in _codes(result).items() if c.startswith(("OC-QLT", "OC-FLD"))}
    assert {c: 1 for c in codes} == failing, result.output


@pytest.mark.parametrize(
    ("options", "bounds"),
    [
        ({"exclusiveMinimum": -5.5}, (-5, None)),  # the next integer above, not toward zero
        ({"exclusiveMaximum": 30.5}, (None, 30)),
        ({"minimum": 0, "exclusiveMinimum": -3}, (0, None)),  # the stricter bound wins
        ({"maximum": 40, "exclusiveMaximum": 30}, (None, 29)),
    ],
)
def test_exclusive_bounds_of_an_integer_field_are_exact(
    tmp_path: Path, options: dict[str, Any], bounds: tuple[int | None, int | None]
) -> None:
    path = _sales(tmp_path, "amount", {"metric": "nullValues", "mustBe": 0})
    doc = yaml.safe_load(path.read_text())
    doc["schema"][0]["properties"][2]["logicalTypeOptions"] = options
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    native = CliRunner().invoke(cli, ["import", "odcs", str(path)])
    assert native.exit_code == 0, native.output
    amount = yaml.safe_load(native.stdout)["fields"]["amount"]
    assert (amount.get("minimum"), amount.get("maximum")) == bounds


def test_a_length_bound_of_the_contract_fails_the_run(tmp_path: Path) -> None:
    """Every constraint an ODCS contract states is a hard one: a text longer than its
    ``maxLength`` fails the run, as ODCS tools judge it (a warning in a project)."""
    path = _sales(tmp_path, "amount", {"metric": "nullValues", "mustBe": 0})
    doc = yaml.safe_load(path.read_text())
    doc["schema"][0]["properties"][1]["logicalTypeOptions"] = {"maxLength": 15}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    result = _run(path)
    assert result.exit_code == 1, result.output
    assert _codes(result)["OC-FLD-008"] == ("error", 1)  # ann@shop.example: 16 characters


def test_repeated_values_in_percent_are_not_a_check(tmp_path: Path) -> None:
    """ODCS tools take ``unit: percent`` only for null, missing and invalid values: a
    duplicateValues rule in percent is reported as not honoured, not judged."""
    rule = {"metric": "duplicateValues", "mustBeLessThan": 1, "unit": "percent"}
    path = _sales(tmp_path, "amount", rule)
    (tmp_path / "sales.csv").write_text(REPEATS)
    result = _run(path)
    assert result.exit_code == 0, result.output
    (note,) = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "OC-CON-006"]
    assert "percent" in note["message"]
