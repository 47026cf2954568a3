"""Feed formats and encodings, read by DuckDB in place."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

import omnicontract
from tests.conftest import FIXED_NOW, write_project

CUSTOMER = {"customer_id": "id", "full_name": "nome", "email": "mail"}


def _validate(root: Path):
    return omnicontract.validate(root, now=FIXED_NOW, show_pii=True)


def _codes(result) -> set[tuple[str, str | None]]:
    return {(f.code, f.field) for f in result.findings if f.channel is not None}


def test_csv_encodings_and_bom(tmp_path: Path) -> None:
    text = "id;nome;mail\nC1;João Araújo;joao@example.com\nC2;Zoë;zoe@example\n"
    feeds = [
        {
            "entity": "customer",
            "fields": CUSTOMER,
            "source": {"path": "data/a.csv", "delimiter": ";", **src},
            "files": {"a.csv": text.encode(enc)},
        }
        for enc, src in (
            ("utf-8-sig", {}),
            ("latin-1", {"encoding": "latin-1"}),
            ("utf-16", {"encoding": "utf-16"}),
        )
    ]
    for i, feed in enumerate(feeds):
        root = write_project(tmp_path / f"p{i}", feeds=[feed])
        result = _validate(root)
        assert _codes(result) == {("OC-FLD-009", "email")}, feed["source"]
        assert result.channels[0].feeds[0].rows == 2
        (email,) = [f for f in result.findings if f.code == "OC-FLD-009"]
        assert [s.value for s in email.samples] == ["zoe@example"]


def test_glob_reads_many_files_as_one_feed(tmp_path: Path) -> None:
    files = {f"part{i}.csv": f"id,nome,mail\nC{i},N{i},n{i}@example.com\n" for i in range(3)}
    files["part9.csv"] = "id,nome,mail\nC0,dup,dup@example.com\n"
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "customer",
                "fields": CUSTOMER,
                "source": {"path": "data/part*.csv"},
                "files": files,
            }
        ],
    )
    result = _validate(root)
    assert result.channels[0].feeds[0].files == 4 and result.channels[0].feeds[0].rows == 4
    (pk,) = [f for f in result.findings if f.code == "OC-FLD-004"]
    assert pk.count == 2 and pk.samples[0].value == "C0"


def test_json_array_with_nested_keys(tmp_path: Path) -> None:
    rows = [
        {"id": "C1", "contact": {"email": " Ana@Example.com ", "phone": "11987654321"}},
        {"id": "C2", "contact": {"email": "nope", "phone": "12"}},
    ]
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "customer",
                "fields": {
                    "customer_id": "id",
                    "email": "contact.email",
                    "phone": {"column": "contact.phone", "phone_region": "BR"},
                },
                "source": {"path": "data/c.json"},
                "files": {"c.json": json.dumps(rows)},
            }
        ],
    )
    result = _validate(root)
    assert _codes(result) == {("OC-FLD-009", "email"), ("OC-FLD-010", "phone")}
    assert all(f.count == 1 for f in result.findings if f.channel)


def test_jsonl_epoch_timestamps(tmp_path: Path) -> None:
    lines = [
        {"id": "m1", "ts": 1704103200, "st": "read"},
        {"id": "m2", "ts": 4102444800, "st": "read"},  # 2100-01-01: in the future
    ]
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "interaction",
                "fields": {
                    "interaction_id": "id",
                    "occurred_at": {"column": "ts", "format": "epoch_s"},
                    "status": "st",
                },
                "constants": {"channel": "whatsapp", "kind": "message"},
                "source": {"path": "data/m.jsonl"},
                "files": {"m.jsonl": "\n".join(json.dumps(x) for x in lines) + "\n"},
            }
        ],
    )
    result = _validate(root)
    assert _codes(result) == {("OC-FLD-014", "occurred_at")}


def test_parquet_typed_timestamps(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "data").mkdir(parents=True)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"""COPY (SELECT * FROM (VALUES
              ('e1', TIMESTAMPTZ '2024-01-01 10:00:00+00', TIMESTAMP '2024-01-01 07:00:00', 10.5::DOUBLE, 'BRL'),
              ('e2', TIMESTAMPTZ '2099-01-01 10:00:00+00', TIMESTAMP '2099-01-01 07:00:00', -5.0::DOUBLE, 'R$'))
            t(id, ts, local_ts, amount, cur)) TO '{root / "data" / "web.parquet"}' (FORMAT parquet)"""
    )
    write_project(
        root,
        feeds=[
            {
                "entity": "interaction",
                "fields": {
                    "interaction_id": "id",
                    "occurred_at": "ts",
                    "amount": "amount",
                    "currency": "cur",
                },
                "constants": {"channel": "web", "kind": "order"},
                "source": {"path": "data/web.parquet"},
                "files": {},
            }
        ],
    )
    result = _validate(root)
    assert _codes(result) == {
        ("OC-FLD-014", "occurred_at"),
        ("OC-FLD-012", "currency"),
        ("OC-SRC-004", None),
    }
    # a naive Parquet timestamp column is flagged unless a zone is declared
    write_project(
        root,
        feeds=[
            {
                "entity": "interaction",
                "fields": {"interaction_id": "id", "occurred_at": "local_ts"},
                "constants": {"channel": "web", "kind": "order"},
                "source": {"path": "data/web.parquet"},
                "unexpected_columns": "ignore",
                "files": {},
            }
        ],
    )
    naive = [f for f in _validate(root).findings if f.code == "OC-FLD-013"]
    assert naive and naive[0].count == 2


def test_source_files_are_never_modified(tmp_path: Path) -> None:
    text = b"id,nome,mail\nC1,A,bad\nC1,B,x@y.com,extra\n"
    root = write_project(
        tmp_path / "p",
        feeds=[{"entity": "customer", "fields": CUSTOMER, "files": {"ch0.csv": text}}],
    )
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (root / "data").iterdir()}
    _validate(root)
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (root / "data").iterdir()}
    assert before == after


def test_empty_file_is_one_finding(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        feeds=[{"entity": "customer", "fields": CUSTOMER, "files": {"ch0.csv": b""}}],
    )
    result = _validate(root)
    assert [(f.code, f.count) for f in result.findings if f.channel] == [("OC-SRC-005", 1)]
