"""The pandera schema: a live one from the Python API, and the exported module."""

from __future__ import annotations

import builtins
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from omnicontract.cli.main import cli
from omnicontract.contracts.loader import load_contract
from omnicontract.errors import MissingExtraError, UsageError
from omnicontract.interop import export
from tests.conftest import ROOT

pa = pytest.importorskip("pandera")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")

from omnicontract.interop.pandera import schema  # noqa: E402

CONTRACTS = ROOT / "contracts"
INTERACTION = load_contract(CONTRACTS / "interaction.yaml").model
WHEN = datetime(2026, 3, 1, 12, tzinfo=UTC)

ROWS = {
    "interaction_id": ["a", "b", "b", "  "],
    "channel": ["whatsapp", "fax", "email", "web"],
    "kind": ["message", "message", "email", "page_view"],
    "occurred_at": [WHEN] * 4,
    "phone": ["+5511987654321", "11 98765-4321", None, None],
    "duration_seconds": [10, -1, None, 5],
    "currency": ["BRL", "R$", None, "USD"],
}


def failures(cases, codes) -> set[tuple[str, str]]:
    rows = cases.iter_rows(named=True) if hasattr(cases, "iter_rows") else cases.to_dict("records")
    out = set()
    for r in rows:
        n = r["check_number"]
        out.add(
            (r["column"], codes[r["column"]][int(n)] if n is not None and n == n else r["check"])
        )
    return out


EXPECTED = {
    ("interaction_id", "field_uniqueness"),
    ("interaction_id", "OC-FLD-004"),  # blank key
    ("channel", "OC-FLD-005"),
    ("phone", "OC-FLD-010"),
    ("duration_seconds", "OC-FLD-007"),
    ("currency", "OC-FLD-012"),
}


def test_polars_schema_validates_a_frame_in_process():
    s = schema(INTERACTION)
    df = pl.DataFrame(ROWS, schema_overrides={"duration_seconds": pl.Int64})
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        s.validate(df, lazy=True)
    assert failures(exc.value.failure_cases, s.metadata["check_codes"]) == EXPECTED
    good = df.filter(pl.col("interaction_id") == "a")
    assert s.validate(good).height == 1


def test_pandas_schema_validates_a_frame_in_process():
    s = schema(INTERACTION, backend="pandas")
    df = pd.DataFrame(ROWS)
    with pytest.raises(pa.errors.SchemaErrors) as exc:
        s.validate(df, lazy=True)
    assert failures(exc.value.failure_cases, s.metadata["check_codes"]) == EXPECTED


def test_metadata_and_optional_columns():
    s = schema(load_contract(CONTRACTS / "customer.yaml").model)
    assert s.name == "customer"
    assert s.columns["customer_id"].required and not s.columns["email"].required
    assert s.columns["email"].metadata == {"type": "string", "format": "email", "pii": True}
    assert s.metadata["check_codes"]["country"] == ["OC-FLD-011"]
    # a frame with only some of the optional columns is fine
    assert s.validate(pl.DataFrame({"customer_id": ["C1"], "country": ["BR"]})).height == 1


def test_exported_module_is_importable_and_equivalent(tmp_path):
    for backend in ("polars", "pandas"):
        code = export("pandera", INTERACTION, {"backend": backend, "name": "schema_"})
        assert "# OC-FLD-005" in code
        namespace: dict = {}
        exec(compile(code, f"interaction_{backend}.py", "exec"), namespace)
        exported, live = namespace["schema_"], schema(INTERACTION, backend=backend)
        assert exported.columns.keys() == live.columns.keys()
        for name, col in live.columns.items():
            other = exported.columns[name]
            assert (other.nullable, other.unique, other.required) == (
                col.nullable,
                col.unique,
                col.required,
            )
            assert [repr(c) for c in other.checks] == [repr(c) for c in col.checks]
        assert exported.metadata == live.metadata


def test_cli_export_writes_a_module(tmp_path):
    out = tmp_path / "customer_schema.py"
    result = CliRunner().invoke(
        cli, ["export", "pandera", str(CONTRACTS / "customer.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    namespace: dict = {}
    exec(compile(out.read_text(), str(out), "exec"), namespace)
    assert namespace["customer_schema"].name == "customer"


def test_bad_backend():
    with pytest.raises(UsageError, match="unknown pandera backend 'spark'"):
        schema(INTERACTION, backend="spark")


def test_missing_extra_names_the_install(monkeypatch):
    real_import = builtins.__import__

    def no_pandera(name, *args, **kwargs):
        if name.startswith("pandera"):
            raise ImportError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandera)
    with pytest.raises(MissingExtraError) as exc:
        schema(INTERACTION)
    assert exc.value.hint == "pip install 'omnicontract[pandera]'"
