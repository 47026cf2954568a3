"""Loading contracts, bindings and project files: every error names file, line, column."""

from __future__ import annotations

from pathlib import Path

import pytest

import omnicontract
from omnicontract.contracts.loader import load_channel, load_contract, load_project
from omnicontract.contracts.yamlio import load_yaml
from omnicontract.errors import ContractError
from tests.conftest import ROOT, write_project


def _write(tmp_path: Path, text: str, name: str = "f.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dates_stay_strings_and_positions_are_kept(tmp_path: Path) -> None:
    doc = load_yaml(_write(tmp_path, "a:\n  since: 2024-01-01\n  at: 10:30\n"))
    assert doc.data == {"a": {"since": "2024-01-01", "at": "10:30"}}
    assert doc.positions[("a", "since")] == (2, 10)
    assert doc.key_positions[("a", "at")] == (3, 3)


def test_yaml_1_1_surprises_stay_strings(tmp_path: Path) -> None:
    doc = load_yaml(_write(tmp_path, "a: [NO, yes, off, 0123, 1_000, 10:30, 1.5, 7, true, null]\n"))
    assert doc.data == {"a": ["NO", "yes", "off", "0123", "1_000", "10:30", 1.5, 7, True, None]}


def test_duplicate_keys_are_rejected_with_both_lines(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as err:
        load_yaml(_write(tmp_path, "a: 1\nb: 2\na: 3\n"))
    assert (err.value.location.line, err.value.location.column) == (3, 1)
    assert "first defined on line 1" in err.value.message


def test_python_tags_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as err:
        load_yaml(_write(tmp_path, "a: !!python/object/apply:os.system ['true']\n"))
    assert err.value.location.line == 1


def test_syntax_error_position(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as err:
        load_yaml(_write(tmp_path, "a:\n  b: [1, 2\n  c: 3\n"))
    assert err.value.location.file == tmp_path / "f.yaml"
    assert err.value.location.line == 3
    assert "YAML syntax error" in err.value.message


def test_empty_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="empty"):
        load_yaml(_write(tmp_path, "# nothing\n"))
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("a: ol\xe1\n".encode("latin-1"))
    with pytest.raises(ContractError) as err:
        load_yaml(bad)
    assert (err.value.location.line, err.value.location.column) == (1, 6)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert load_yaml(path).data == {"a": 1}


def test_unknown_key_did_you_mean(tmp_path: Path) -> None:
    text = "entity: thing\nversion: 1.0.0\nfields:\n  a:\n    typ: string\n"
    with pytest.raises(ContractError) as err:
        load_contract(_write(tmp_path, text))
    assert err.value.message == "unknown key 'typ'"
    assert err.value.hint == "did you mean 'type'?"
    assert (err.value.location.line, err.value.location.column) == (5, 5)


def test_invalid_enum_value_did_you_mean(tmp_path: Path) -> None:
    text = "entity: thing\nversion: 1.0.0\nfields:\n  a: {type: bool}\n"
    with pytest.raises(ContractError) as err:
        load_contract(_write(tmp_path, text))
    assert err.value.location.line == 4
    assert err.value.hint == "did you mean 'boolean'?"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("entity: thing\nversion: one\nfields: {a: {}}\n", "not a semantic version"),
        ("entity: Thing\nversion: 1.0.0\nfields: {a: {}}\n", "should match pattern"),
        (
            "entity: thing\nversion: 1.0.0\nfields: {a: {pattern: '[a-'}}\n",
            "invalid regular expression",
        ),
        ("entity: thing\nversion: 1.0.0\nprimary_key: b\nfields: {a: {}}\n", "primary_key 'b'"),
        ("entity: thing\nversion: 1.0.0\nfields: {a: {minimum: 1}}\n", "integer and number"),
        ("entity: thing\nversion: 1.0.0\nfields: {}\n", "at least 1"),
        (
            "entity: thing\nversion: 1.0.0\nfields: {a: {type: date, enum: [inbound]}}\n",
            "enum value 'inbound' is not a date",
        ),
        (
            "entity: thing\nversion: 1.0.0\nfields: {a: {type: integer, enum: ['1', x]}}\n",
            "enum value 'x' is not an integer",
        ),
        (
            "entity: thing\nversion: 1.0.0\nfields: {a: {type: boolean, enum: ['yes']}}\n",
            "is not a boolean",
        ),
    ],
)
def test_contract_rules(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ContractError) as err:
        load_contract(_write(tmp_path, text))
    assert fragment in err.value.message
    assert err.value.location.line is not None


def test_binding_shorthand_and_unknown_zone(tmp_path: Path) -> None:
    ok = load_channel(
        _write(
            tmp_path,
            "channel: web\nfeeds:\n  - name: f\n    entity: interaction\n"
            "    source: {path: x.parquet}\n    fields: {interaction_id: id}\n",
        )
    )
    assert ok.model.feeds[0].fields["interaction_id"].column == "id"
    with pytest.raises(ContractError) as err:
        load_channel(
            _write(
                tmp_path,
                "channel: web\nfeeds:\n  - name: f\n    entity: interaction\n"
                "    source: {path: x.csv}\n    fields:\n      occurred_at: {column: t, timezone: Mars/Base}\n",
                "b.yaml",
            )
        )
    assert "unknown time zone 'Mars/Base'" in err.value.message
    assert err.value.location.line == 7


def test_csv_options_on_parquet_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match="delimiter"):
        load_channel(
            _write(
                tmp_path,
                "channel: web\nfeeds:\n  - name: f\n    entity: interaction\n"
                "    source: {path: x.parquet, delimiter: ';'}\n    fields: {interaction_id: id}\n",
            )
        )


def test_mapping_to_unknown_canonical_field(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        feeds=[
            {"entity": "customer", "fields": {"customer_id": "id", "emial": "e"}, "rows": "id,e\n"}
        ],
    )
    with pytest.raises(ContractError) as err:
        load_project(root)
    assert err.value.location.file == root / "channels" / "ch0.yaml"
    assert err.value.message == "'emial' is not a field of entity 'customer'"
    assert err.value.hint == "did you mean 'email'?"


def test_unknown_entity_and_check_override(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        feeds=[
            {"entity": "custmer", "fields": {"customer_id": "id"}, "rows": "id\n"},
        ],
        project={
            "policy": {
                "checks": {"OC-FLD-999": {"severity": "info"}, "requird": {"enabled": False}}
            }
        },
    )
    with pytest.raises(ContractError) as err:
        omnicontract.load_project(root)  # the API gives the loader the registry's names
    text = str(err.value)
    assert "unknown check 'OC-FLD-999'" in text
    assert "unknown check 'requird'" in text and "did you mean 'required'?" in text
    assert "binds unknown entity 'custmer'" in text


def test_missing_project_and_glob(tmp_path: Path) -> None:
    with pytest.raises(ContractError, match=r"no omnicontract\.yaml"):
        load_project(tmp_path)
    (tmp_path / "omnicontract.yaml").write_text("project: p\ncontracts: [nothing/*.yaml]\n")
    with pytest.raises(ContractError) as err:
        load_project(tmp_path)
    assert "matches no file" in err.value.message
    assert err.value.location.line == 2


def test_shipped_contracts_are_identical_to_top_level_copies() -> None:
    packaged = ROOT / "src" / "omnicontract" / "data" / "contracts"
    for path in (ROOT / "contracts").glob("*.yaml"):
        assert path.read_bytes() == (packaged / path.name).read_bytes(), path.name
    assert {p.name for p in (ROOT / "contracts").glob("*.yaml")} == {
        p.name for p in packaged.glob("*.yaml")
    }


def test_canonical_contracts_document_every_field() -> None:
    for path in (ROOT / "contracts").glob("*.yaml"):
        contract = load_contract(path).model
        undocumented = [n for n, f in contract.fields.items() if not (f.description or "").strip()]
        assert not undocumented, (path.name, undocumented)
