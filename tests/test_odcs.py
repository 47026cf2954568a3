"""Open Data Contract Standard: export validates against the official v3.1.0 JSON Schema,
import gives the same contract back, and what ODCS says that omnicontract cannot honour
is reported by its place in the file."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from omnicontract.contracts.loader import builtin_contracts_dir, load_contract
from omnicontract.contracts.model import EntityContract
from omnicontract.contracts.odcs_import import convert
from omnicontract.contracts.yamlio import load_yaml
from omnicontract.errors import ContractError
from omnicontract.interop import export
from tests.conftest import FIXED_NOW, ROOT, copy_example

DATA = Path(__file__).parent / "data" / "odcs"


def _contract_files() -> list[Path]:
    """Both canonical contracts, and every entity contract the examples use."""
    files = sorted((ROOT / "contracts").glob("*.yaml"))
    for project in sorted((ROOT / "examples").glob("*/omnicontract.yaml")):
        loaded = omnicontract.load_project(project)
        files += [c.path for c in loaded.contracts.values()]
    return files


CONTRACT_FILES = _contract_files()
IDS = [f"{p.parent.parent.name}/{p.name}" for p in CONTRACT_FILES]


@pytest.fixture(scope="module")
def odcs_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("open_data_contract_standard", reason="pip install -e '.[test]'")
    text = resources.files("open_data_contract_standard").joinpath("schema.json").read_text()
    schema = json.loads(text)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _odcs(model: EntityContract) -> dict[str, Any]:
    return yaml.safe_load(export("odcs", model))


def _comparable(model: EntityContract) -> dict[str, Any]:
    data = model.model_dump(mode="json")
    data["description"] = (data["description"] or "").strip() or None
    for spec in data["fields"].values():
        spec["description"] = (spec["description"] or "").strip() or None
    return data


@pytest.mark.parametrize("path", CONTRACT_FILES, ids=IDS)
def test_export_validates_against_official_schema(path: Path, odcs_validator: Any) -> None:
    doc = _odcs(load_contract(path).model)
    errors = [f"{e.json_path}: {e.message}" for e in odcs_validator.iter_errors(doc)]
    assert not errors, errors
    assert doc["apiVersion"] == "v3.1.0" and doc["kind"] == "DataContract"


@pytest.mark.parametrize("path", CONTRACT_FILES, ids=IDS)
def test_round_trip_gives_the_same_contract(path: Path, tmp_path: Path) -> None:
    model = load_contract(path).model
    target = tmp_path / "contract.odcs.yaml"
    target.write_text(export("odcs", model), encoding="utf-8")
    loaded = load_contract(target)  # the loader detects ODCS by apiVersion/kind
    assert loaded.unsupported == []
    assert _comparable(loaded.model) == _comparable(model)


def test_export_places() -> None:
    doc = _odcs(load_contract(ROOT / "contracts" / "interaction.yaml").model)
    obj = doc["schema"][0]
    props = {p["name"]: p for p in obj["properties"]}
    assert props["interaction_id"]["primaryKey"] is True
    assert props["customer_id"]["relationships"] == [
        {"type": "foreignKey", "to": "customer.customer_id"}
    ]
    assert props["channel"]["quality"][0]["metric"] == "invalidValues"
    assert props["duration_seconds"]["logicalTypeOptions"] == {"minimum": 0, "maximum": 86400}
    assert props["email"]["logicalTypeOptions"]["format"] == "email"
    assert {"property": "format", "value": "e164"} in props["phone"]["customProperties"]
    assert {"property": "notFuture", "value": True} in props["occurred_at"]["customProperties"]
    assert props["phone"]["classification"] == "restricted"
    custom = {c["property"]: c["value"] for c in obj["customProperties"]}
    assert custom["eventTime"] == "occurred_at" and custom["journeyKey"] == "case_id"
    assert doc["team"]["members"][0]["role"] == "owner"


def test_messy_import_reports_unsupported_parts_by_name() -> None:
    imported = convert(load_yaml(DATA / "messy.yaml"), entity="members")
    model = EntityContract.model_validate(imported.data)
    assert model.entity == "members" and model.version == "2.1.0"
    assert model.primary_key == "member_id" and model.owner == "ana@example.com"
    f = model.fields
    assert f["member_id"].required and f["member_id"].max_length == 32
    assert f["email"].pii and f["email"].format == "email"
    assert f["tier"].enum == ["bronze", "silver", "gold"]
    assert f["points"].type == "integer" and f["points"].minimum == 0
    assert f["joined_at"].type == "timestamp" and f["joined_at"].not_future
    assert f["home_store"].references == "stores.store_id"
    assert f["address"].type == "string"  # nested: read as text, present and required only
    notes = {n.path: n.reason for n in imported.unsupported}
    assert "schema[0].properties[2].quality[1]" not in notes  # a sql rule: it runs
    rule, share = model.sql_rules
    assert rule.query == "SELECT COUNT(*) FROM members WHERE tier IS NULL"  # physicalName
    assert rule.must_be_less_than == 10
    # a null-value tolerance in percent: the SELECT that measures it
    assert share.query == (
        'SELECT 100.0 * (COUNT_IF("home_store" IS NULL)) / NULLIF(COUNT(*), 0) FROM members'
    )
    assert share.must_be_less_than == 5
    assert "multipleOf" in notes["schema[0].properties[3].logicalTypeOptions.multipleOf"]
    assert "sourceSystem" in notes["schema[0].properties[4].customProperties[1]"]
    assert "nested object: read as text" in notes["schema[0].properties[5]"]
    assert "schema[0].properties[6].quality[0]" not in notes
    assert "soda" in notes["schema[0].quality[0]"]
    for path in ("servers", "slaProperties", "domain", "schema[1]", "team[1]"):
        assert path in notes, path
    lines = [n.location.line for n in imported.unsupported if n.location]
    assert lines == sorted(lines) and all(lines)


def test_several_objects_need_a_choice() -> None:
    with pytest.raises(ContractError, match="2 schema objects") as err:
        convert(load_yaml(DATA / "messy.yaml"))
    assert "Members, stores" in (err.value.hint or "")
    with pytest.raises(ContractError, match="no schema object 'nope'"):
        convert(load_yaml(DATA / "messy.yaml"), entity="nope")


def test_cli_import_writes_contract_and_warns(tmp_path: Path) -> None:
    out = tmp_path / "members.yaml"
    runner = CliRunner()
    args = ["import", "odcs", str(DATA / "messy.yaml"), "--entity", "members", "-o", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "schema[0].properties[3].logicalTypeOptions.multipleOf: multipleOf" in result.stderr
    assert "messy.yaml:48:56:" in result.stderr
    assert "quality[1]" not in result.stderr  # the sql rule is imported, not warned about
    assert "members WHERE tier IS NULL" in out.read_text()
    assert load_contract(out).model.fields["tier"].enum == ["bronze", "silver", "gold"]
    strict = runner.invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1
    several = runner.invoke(cli, ["import", "odcs", str(DATA / "messy.yaml")])
    assert several.exit_code == 2 and "--entity" in several.stderr
    unknown = runner.invoke(cli, ["import", "avro", str(DATA / "messy.yaml")])
    assert unknown.exit_code == 2 and "unknown import format" in unknown.stderr


def test_invalid_odcs_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: active\n"
        "schema:\n  - name: thing\n    properties:\n      - name: n\n        logicalType: string\n"
        "        logicalTypeOptions: {minLength: 1}\n      - name: age\n"
        "        logicalType: string\n        customProperties:\n"
        "          - {property: notFuture, value: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(ContractError) as err:
        load_contract(bad)
    assert "not_future applies to timestamp" in err.value.message
    assert err.value.location.line == 12  # the property, in the ODCS file


def test_project_references_an_odcs_file(tmp_path: Path) -> None:
    """A project lists an ODCS file in `contracts:`; validate runs on it, and what the
    file says that omnicontract does not honour comes back as OC-CON-006."""
    project = tmp_path / "p"
    copy_example("retail", project)
    customer = yaml.safe_load(
        export("odcs", load_contract(builtin_contracts_dir() / "customer.yaml").model)
    )
    customer["schema"][0]["properties"][0]["quality"] = [
        {"type": "custom", "engine": "soda", "implementation": "row_count > 0"}
    ]
    (project / "contracts").mkdir()
    (project / "contracts" / "customer.odcs.yaml").write_text(yaml.safe_dump(customer))
    settings = yaml.safe_load((project / "omnicontract.yaml").read_text())
    settings["contracts"] = ["contracts/customer.odcs.yaml", "builtin:interaction"]
    settings["history"] = {"enabled": False}
    (project / "omnicontract.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))

    reference = omnicontract.validate(ROOT / "examples" / "retail", now=FIXED_NOW)
    result = omnicontract.validate(project, now=FIXED_NOW)
    lint = [f for f in result.findings if f.code == "OC-CON-006"]
    assert len(lint) == 1
    assert "schema[0].properties[0].quality[0]" in lint[0].message
    assert "customer.odcs.yaml:" in (lint[0].location or "")

    def key(r: Any) -> list[tuple[Any, ...]]:
        return sorted(
            (f.code, f.channel, f.feed, f.field, f.count)
            for f in r.findings
            if f.code != "OC-CON-006"
        )

    assert key(result) == key(reference)


def test_one_odcs_file_of_several_objects_serves_a_project(tmp_path: Path) -> None:
    """An ODCS contract of several tables is listed once in `contracts:`: each schema
    object becomes an entity, and the run is the run of the native contracts."""
    project = tmp_path / "p"
    copy_example("retail", project)
    both = [
        yaml.safe_load(export("odcs", load_contract(builtin_contracts_dir() / f"{e}.yaml").model))
        for e in ("customer", "interaction")
    ]
    both[0]["schema"] += both[1]["schema"]
    (project / "contracts").mkdir()
    (project / "contracts" / "crm.odcs.yaml").write_text(yaml.safe_dump(both[0]))
    settings = yaml.safe_load((project / "omnicontract.yaml").read_text())
    settings["contracts"] = ["contracts/crm.odcs.yaml"]
    settings["history"] = {"enabled": False}
    (project / "omnicontract.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))

    reference = omnicontract.validate(ROOT / "examples" / "retail", now=FIXED_NOW)
    result = omnicontract.validate(project, now=FIXED_NOW)
    assert not [f for f in result.findings if f.code == "OC-CON-006"]  # nothing left out

    def key(r: Any) -> list[tuple[Any, ...]]:
        return sorted((f.code, f.channel, f.feed, f.field, f.count) for f in r.findings)

    assert key(result) == key(reference)
    # `import` still converts one object at a time, and asks which
    runner = CliRunner()
    several = runner.invoke(cli, ["import", "odcs", str(project / "contracts" / "crm.odcs.yaml")])
    assert several.exit_code == 2 and "customer, interaction" in several.stderr


def test_an_object_without_properties_is_refused_with_its_place(tmp_path: Path) -> None:
    registry = tmp_path / "orders.odcs.yaml"
    registry.write_text(
        "apiVersion: v3.0.2\nkind: DataContract\nid: orders\nversion: 0.0.1\nstatus: active\n"
        "schema:\n- name: Orders\n  physicalType: topic\n"
        "  authoritativeDefinitions:\n    - {url: 'https://registry:8081', type: implementation}\n",
        encoding="utf-8",
    )
    with pytest.raises(ContractError, match="'Orders' has no property that can be imported") as err:
        load_contract(registry)
    assert (err.value.location.line, err.value.location.column) == (7, 3)
    assert "properties:" in (err.value.hint or "")
