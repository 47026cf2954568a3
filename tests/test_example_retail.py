"""End-to-end: the retail example reports exactly the defects planted in its exports.

The expected findings below are transcribed from examples/retail/DEFECTS.md, which
documents what examples/retail/generate.py plants. A difference means either the
generator, the documentation or the tool is wrong; find out which before editing.
The generator's corrected copy (every planted defect fixed) must report nothing at all.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

import omnicontract
from omnicontract.cli.main import cli
from omnicontract.reports import render
from omnicontract.validators.registry import registry

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "retail"
EXPORTS = EXAMPLE / "exports"
# The generator's reference "now": every clean timestamp lies before it.
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

# (code, channel, feed, field, count), one per row of the two tables in DEFECTS.md
PER_FEED = {
    ("OC-FLD-004", "crm", "customers", "customer_id", 4),
    ("OC-FLD-009", "crm", "customers", "email", 3),
    ("OC-FLD-010", "crm", "customers", "phone", 3),
    ("OC-FLD-011", "crm", "customers", "country", 3),
    ("OC-FLD-005", "crm", "customers", "document_type", 2),
    ("OC-FLD-006", "crm", "customers", "instagram_handle", 2),
    ("OC-MAP-001", "crm", "customers", "created_at", 4),
    ("OC-FLD-017", "crm", "customers", "document_id", 2),
    ("OC-FLD-004", "whatsapp", "messages", "interaction_id", 6),
    ("OC-MAP-002", "whatsapp", "messages", "status", 4),
    ("OC-REF-001", "email", "deliveries", "customer_id", 3),
    ("OC-SRC-006", "email", "deliveries", None, 2),
    ("OC-FLD-001", "call_center", "calls", "occurred_at", 2),
    ("OC-FLD-002", "call_center", "calls", "duration_seconds", 2),
    ("OC-FLD-007", "call_center", "calls", "duration_seconds", 2),
    ("OC-FLD-012", "web", "events", "currency", 2),
    ("OC-FLD-014", "app", "events", "occurred_at", 3),
    ("OC-SRC-004", "store", "tickets", None, 1),
    ("OC-MAP-002", "store", "tickets", "kind", 3),
    ("OC-FLD-008", "instagram", "interactions", "topic", 2),
}
ACROSS = {
    ("OC-IDN-001", "email", "deliveries", None, 3),
    ("OC-IDN-001", "whatsapp", "messages", None, 3),
    ("OC-IDN-001", "call_center", "calls", None, 2),
    ("OC-IDN-001", "instagram", "interactions", None, 3),
    ("OC-IDN-001", "store", "tickets", None, 2),
    ("OC-IDN-002", "store", "tickets", None, 4),
    ("OC-IDN-002", "email", "deliveries", None, 3),
    ("OC-IDN-003", "crm", "customers", "phone", 2),
    ("OC-IDN-003", "crm", "customers", "instagram_handle", 3),
    ("OC-IDN-003", "email", "deliveries", "email", 2),
    ("OC-IDN-009", "crm", "customers", None, 2),
    ("OC-IDN-004", "crm", "customers", "email", 2),
    ("OC-IDN-005", "call_center", "calls", "phone", 2),
    ("OC-IDN-006", "crm", "customers", "phone", 4),
    ("OC-IDN-006", "crm", "customers", "email", 2),
    ("OC-IDN-006", "email", "deliveries", "email", 3),
    ("OC-IDN-007", "web", "events", None, 3),
    ("OC-IDN-008", "whatsapp", "messages", None, 3),
    ("OC-CNS-001", "email", "deliveries", None, 3),
    ("OC-CNS-001", "whatsapp", "messages", None, 2),
    ("OC-CNS-003", "email", "deliveries", None, 2),
    ("OC-CNS-002", "crm", "customers", "consent_email", 3),
    ("OC-CNS-002", "email", "subscribers", "consent_email", 3),
    ("OC-JRN-001", "whatsapp", "messages", None, 3),
    ("OC-JRN-001", "call_center", "calls", None, 1),
    ("OC-TIM-001", "call_center", "calls", None, 501),
    ("OC-REF-002", "call_center", "calls", "ref_id", 2),
    ("OC-TIM-002", "call_center", "calls", None, 2),
}
PLANTED = PER_FEED | ACROSS
SEVERITIES = {"error": 30, "warning": 17, "info": 1}
FINDING_KEYS = {"code", "severity", "channel", "feed", "field", "count", "rate", "samples"}
# checks whose findings are counts only, without sample values
NO_SAMPLES = {"OC-IDN-002", "OC-IDN-008", "OC-CNS-001", "OC-CNS-003"}
# the families of the checks that compare channels with each other
CROSS_CHANNEL = ("OC-IDN-", "OC-CNS-", "OC-JRN-", "OC-TIM-", "OC-REF-")


def as_tuples(findings) -> list[tuple]:
    return sorted(
        ((f.code, f.channel, f.feed, f.field, f.count) for f in findings),
        key=lambda t: tuple(str(x) for x in t),
    )


def expected(planted=PLANTED) -> list[tuple]:
    return sorted(planted, key=lambda t: tuple(str(x) for x in t))


@pytest.fixture(scope="module")
def result():
    return omnicontract.validate(EXAMPLE, now=NOW)


def test_exactly_the_planted_findings(result) -> None:
    assert as_tuples(result.findings) == expected()
    assert result.counts() == SEVERITIES
    assert result.exit_code == 1
    assert {c.channel for c in result.channels} == {
        "crm",
        "whatsapp",
        "email",
        "call_center",
        "web",
        "app",
        "store",
        "instagram",
    }


def test_every_cross_channel_blocker_is_planted(result) -> None:
    """Each check that compares channels has at least one planted instance."""
    families = ("OC-IDN-", "OC-CNS-", "OC-JRN-", "OC-TIM-")
    codes = {c.code for c in registry().all() if c.code.startswith(families)}
    assert len(codes) >= 13
    assert codes <= {f.code for f in result.findings}


def test_json_report(result) -> None:
    doc = json.loads(render("json", result))
    assert doc["passed"] is False
    assert len(doc["findings"]) == len(PLANTED)
    for f in doc["findings"]:
        assert set(f) >= FINDING_KEYS, f
        assert 0 < f["rate"] <= 1
        assert bool(f["samples"]) is (f["code"] not in NO_SAMPLES), f
    got = sorted(
        ((f["code"], f["channel"], f["feed"], f["field"], f["count"]) for f in doc["findings"]),
        key=lambda t: tuple(str(x) for x in t),
    )
    assert got == expected()


def _raw_personal_values() -> set[str]:
    """Every e-mail address and phone number in the exports, as written there."""
    values: set[str] = set()
    crm = (EXPORTS / "crm" / "clientes.csv").read_text(encoding="utf-8-sig")
    for row in csv.DictReader(io.StringIO(crm), delimiter=";"):
        values.update([row["email"], row["celular"]])
    for line in (EXPORTS / "email" / "deliveries.csv").read_text("utf-8").splitlines()[1:]:
        values.add(line.split(",")[2])
    for line in (EXPORTS / "email" / "subscribers.csv").read_text("utf-8").splitlines()[1:]:
        values.add(line.split(",")[1])
    calls = (EXPORTS / "call_center" / "ligacoes.csv").read_text(encoding="latin-1")
    for row in csv.DictReader(io.StringIO(calls), delimiter=";"):
        values.add(row["Telefone"])
    for line in (EXPORTS / "whatsapp" / "messages.jsonl").read_text("utf-8").splitlines():
        values.add(json.loads(line)["wa_id"])
    values = {v.strip() for v in values if v and v.strip()}
    values |= {v.lower() for v in values}
    values |= {"+" + "".join(ch for ch in v if ch.isdigit()) for v in values if "@" not in v}
    return values


def test_pii_samples_are_masked(result) -> None:
    personal = _raw_personal_values()
    assert len(personal) > 500
    pii_findings = [f for f in result.findings if f.field in {"email", "phone"}]
    assert {(f.code, f.field) for f in pii_findings} == {
        ("OC-FLD-009", "email"),
        ("OC-FLD-010", "phone"),
        ("OC-IDN-003", "phone"),
        ("OC-IDN-003", "email"),
        ("OC-IDN-004", "email"),
        ("OC-IDN-005", "phone"),
        ("OC-IDN-006", "email"),
        ("OC-IDN-006", "phone"),
    }
    for f in pii_findings:
        assert f.masked and f.samples
    for f in result.findings:
        for s in f.samples:
            text = s.value or ""
            leaked = [v for v in personal if len(v) >= 6 and v in text]
            assert not leaked, (f.code, f.channel, f.field, text)


def test_cli_json_exits_1() -> None:
    run = CliRunner().invoke(cli, ["validate", str(EXAMPLE), "--format", "json"])
    assert run.exit_code == 1, run.output
    doc = json.loads(run.stdout)
    got = {(f["code"], f["channel"], f["feed"], f["field"], f["count"]) for f in doc["findings"]}
    # the CLI runs at the real time: the planted future stamps (2031-2035) may have passed
    assert {t for t in got if t[0] != "OC-FLD-014"} == {t for t in PLANTED if t[0] != "OC-FLD-014"}


# ------------------------------------------------------------------ the generator


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("retail_generate", EXAMPLE / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _same_parquet(a: Path, b: Path) -> bool:
    """Byte equality, or equal content when another pyarrow version wrote the file."""
    if a.read_bytes() == b.read_bytes():
        return True
    import pyarrow.parquet as pq

    if pq.read_metadata(a).created_by == pq.read_metadata(b).created_by:
        return False
    return pq.read_table(a).equals(pq.read_table(b), check_metadata=True)


def test_generator_is_deterministic(tmp_path: Path) -> None:
    gen = _generator()
    first = gen.generate(tmp_path / "a")
    second = gen.generate(tmp_path / "b")
    rel = [p.relative_to(tmp_path / "a") for p in first]
    assert rel == [p.relative_to(tmp_path / "b") for p in second]
    assert len(rel) == 9
    for r in rel:
        assert (tmp_path / "a" / r).read_bytes() == (tmp_path / "b" / r).read_bytes(), r
    committed = sorted(p.relative_to(EXPORTS) for p in EXPORTS.rglob("*") if p.is_file())
    assert committed == rel
    for r in rel:
        new, old = tmp_path / "a" / r, EXPORTS / r
        if r.suffix == ".parquet":
            assert _same_parquet(new, old), r
        else:
            assert new.read_bytes() == old.read_bytes(), f"{r}: rerun generate.py and commit"


def test_corrected_copy_reports_nothing(tmp_path: Path) -> None:
    """The same project with every planted defect fixed: no finding at all, and in
    particular none of the cross-channel checks (no false positives)."""
    root = _generator().write_project(tmp_path / "fixed", corrected=True)
    assert (root / "omnicontract.yaml").is_file() and (root / "channels" / "crm.yaml").is_file()
    result = omnicontract.validate(root, now=NOW)
    assert [f for f in result.findings if f.code.startswith(CROSS_CHANNEL)] == []
    assert as_tuples(result.findings) == []
    assert result.exit_code == 0
    assert {c.channel for c in result.channels} == {
        "crm",
        "whatsapp",
        "email",
        "call_center",
        "web",
        "app",
        "store",
        "instagram",
    }


def test_corrected_copy_never_overwrites_the_example(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        _generator().main(["--corrected"])
    assert exc.value.code == 2
    assert "--corrected needs --out or --project" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["console", "json", "junit", "markdown", "html"])
def test_no_report_format_reveals_personal_data(result, fmt: str) -> None:
    text = render(fmt, result)
    personal = [v for v in _raw_personal_values() if len(v) >= 6]
    leaked = sorted(v for v in personal if v in text)
    assert not leaked, leaked[:5]


def test_show_pii_is_the_only_way_to_reveal_it() -> None:
    shown = omnicontract.validate(EXAMPLE, now=NOW, show_pii=True)
    personal = [v for v in _raw_personal_values() if len(v) >= 6 and "@" in v]
    assert any(v in render("json", shown) for v in personal)
