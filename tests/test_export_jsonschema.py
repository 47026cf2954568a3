"""`omnicontract export jsonschema`: the schema accepts the records the contract accepts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator, FormatChecker

from omnicontract.cli.main import cli
from omnicontract.contracts.loader import load_contract
from omnicontract.interop import export
from tests.conftest import ROOT

CONTRACTS = ROOT / "contracts"


def validator(entity: str, **options: str) -> Draft202012Validator:
    contract = load_contract(CONTRACTS / f"{entity}.yaml").model
    schema = json.loads(export("jsonschema", contract, options))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


GOOD_INTERACTION = {
    "interaction_id": "wa-0001",
    "customer_id": "C000123",
    "email": "ana.souza@example.com.br",
    "phone": "+5511987654321",
    "channel": "whatsapp",
    "direction": "inbound",
    "kind": "message",
    "occurred_at": "2026-03-01T12:30:00Z",
    "status": None,
    "amount": 129.9,
    "currency": "BRL",
    "duration_seconds": 0,
    "language": "pt-BR",
}


def test_a_good_record_passes():
    v = validator("interaction")
    assert list(v.iter_errors(GOOD_INTERACTION)) == []
    # optional fields may be absent
    assert v.is_valid(
        {k: GOOD_INTERACTION[k] for k in ("interaction_id", "channel", "kind", "occurred_at")}
    )


@pytest.mark.parametrize(
    ("change", "keyword"),
    [
        ({"interaction_id": None}, "type"),  # primary key: required
        ({"interaction_id": "   "}, "pattern"),  # required text is not blank
        ({"channel": "telegram"}, "enum"),
        ({"email": "ana@@example"}, "pattern"),
        ({"phone": "(11) 98765-4321"}, "pattern"),
        ({"currency": "R$"}, "enum"),
        ({"language": "portuguese"}, "pattern"),
        ({"amount": 2_000_000}, "maximum"),
        ({"duration_seconds": -1}, "minimum"),
        ({"duration_seconds": 1.5}, "type"),
        ({"occurred_at": "01/03/2026 12:30"}, "pattern"),
        ({"topic": "x" * 201}, "maxLength"),
        ({"unknown_column": 1}, "additionalProperties"),
    ],
)
def test_a_bad_record_fails_on_the_rule_it_breaks(change, keyword):
    errors = list(validator("interaction").iter_errors({**GOOD_INTERACTION, **change}))
    assert [e.validator for e in errors] == [keyword]


def test_missing_required_field():
    record = dict(GOOD_INTERACTION)
    del record["kind"]
    errors = list(validator("interaction").iter_errors(record))
    assert [e.validator for e in errors] == ["required"]


def test_customer_contract():
    v = validator("customer")
    good = {
        "customer_id": "C1",
        "country": "BR",
        "instagram_handle": "@ana.souza",
        "birth_date": "1990-05-01",
        "consent_email": True,
    }
    assert list(v.iter_errors(good)) == []
    assert not v.is_valid({**good, "country": "Brasil"})
    assert not v.is_valid({**good, "instagram_handle": "ana souza"})
    assert not v.is_valid({**good, "consent_email": "yes"})
    assert not v.is_valid({**good, "birth_date": "01/05/1990"})


def test_annotations_and_options():
    contract = load_contract(CONTRACTS / "customer.yaml").model
    schema = json.loads(export("jsonschema", contract, {"additional": "true", "id": "urn:x"}))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:x"
    assert schema["additionalProperties"] is True
    props = schema["properties"]
    assert props["email"]["x-pii"] is True and "x-pii" not in props["country"]
    assert props["customer_id"]["x-primary-key"] is True
    assert props["customer_id"]["description"].startswith("Stable customer key")
    assert props["created_at"]["x-not-future"] is True
    assert schema["required"] == ["customer_id"]
    assert schema["x-omnicontract"]["version"] == contract.version


def test_cli_writes_the_file(tmp_path):
    out = tmp_path / "interaction.schema.json"
    result = CliRunner().invoke(
        cli, ["export", "jsonschema", str(CONTRACTS / "interaction.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["title"] == "Interaction"


def test_unknown_option_is_a_usage_error():
    result = CliRunner().invoke(
        cli, ["export", "jsonschema", str(CONTRACTS / "customer.yaml"), "--option", "strict=1"]
    )
    assert result.exit_code == 2
    assert "unknown option(s) for jsonschema: strict" in result.output
