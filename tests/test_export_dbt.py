"""`omnicontract export dbt`: a schema.yml whose tests say what the contract says."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import cli
from omnicontract.contracts.loader import load_contract
from omnicontract.interop import export
from tests.conftest import ROOT

CONTRACTS = ROOT / "contracts"


def model(entity: str, **options: str) -> dict:
    contract = load_contract(CONTRACTS / f"{entity}.yaml").model
    doc = yaml.safe_load(export("dbt", contract, options))
    assert doc["version"] == 2
    (only,) = doc["models"]
    return only


def column_tests(m: dict, column: str, key: str = "data_tests") -> list:
    (col,) = [c for c in m["columns"] if c["name"] == column]
    return col.get(key, [])


def test_core_tests():
    m = model("interaction", model="fct_interactions", refs="customer:dim_customer")
    assert m["name"] == "fct_interactions"
    assert m["meta"]["omnicontract"] == {"entity": "interaction", "version": "1.2.0"}
    assert column_tests(m, "interaction_id") == ["not_null", "unique"]
    channel = column_tests(m, "channel")
    assert channel[0] == "not_null"
    assert channel[1]["accepted_values"]["values"][:3] == ["crm", "whatsapp", "email"]
    assert column_tests(m, "customer_id") == [
        {"relationships": {"to": "ref('dim_customer')", "field": "customer_id"}}
    ]
    currency = column_tests(m, "currency")
    assert "BRL" in currency[0]["accepted_values"]["values"]
    # no package tests unless asked for
    assert column_tests(m, "amount") == []
    assert column_tests(m, "email") == []


def test_columns_descriptions_and_pii():
    m = model("customer")
    names = [c["name"] for c in m["columns"]]
    contract = load_contract(CONTRACTS / "customer.yaml").model
    assert names == list(contract.fields)
    email = next(c for c in m["columns"] if c["name"] == "email")
    assert email["description"].startswith("Primary e-mail address")
    assert email["meta"] == {"type": "string", "format": "email", "pii": True}
    country = column_tests(m, "country")
    assert "BR" in country[0]["accepted_values"]["values"]


def test_optional_package_tests_are_named_by_package():
    m = model("interaction", packages="dbt_utils,dbt_expectations", tests_key="tests")
    amount = column_tests(m, "amount", "tests")
    assert amount == [
        {"dbt_utils.accepted_range": {"inclusive": True, "min_value": -1e6, "max_value": 1e6}}
    ]
    phone = column_tests(m, "phone", "tests")
    assert phone == [
        {
            "dbt_expectations.expect_column_values_to_match_regex": {
                "regex": r"^(?:\+[1-9][0-9]{6,14})$"
            }
        }
    ]
    pk = column_tests(m, "interaction_id", "tests")
    assert pk[2] == {
        "dbt_expectations.expect_column_value_lengths_to_be_between": {
            "min_value": 1,
            "max_value": 128,
        }
    }
    every = [t for c in m["columns"] for t in c.get("tests", []) if isinstance(t, dict)]
    assert all(
        next(iter(t)).split(".")[0] in ("dbt_utils", "dbt_expectations")
        for t in every
        if "." in next(iter(t))
    )


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("packages=great_expectations", "unknown dbt package(s): great_expectations"),
        ("tests_key=checks", "tests_key='checks'"),
        ("refs=customer", "is not ENTITY:MODEL"),
    ],
)
def test_bad_options(option, message):
    result = CliRunner().invoke(
        cli, ["export", "dbt", str(CONTRACTS / "interaction.yaml"), "--option", option]
    )
    assert result.exit_code == 2
    assert message in result.output


def test_project_entity(tmp_path):
    project = ROOT / "examples" / "retail"
    result = CliRunner().invoke(cli, ["export", "dbt", str(project), "--entity", "customer"])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(result.output)["models"][0]["name"] == "customer"
