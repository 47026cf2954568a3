"""Feeds that are tables or queries of PostgreSQL and SQLite: checks run in the database,
only counts, capped samples and the documented key columns come back (measured at the
driver), failures are findings with redacted URLs, and what a dialect cannot do is said."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from sqlalchemy import Column, MetaData, Table, Text, create_engine, event, insert, text
from sqlalchemy.engine import Engine

import omnicontract
from tests.conftest import FIXED_NOW
from tests.database_feeds import findings_key

N_CUSTOMERS = 1200
CRM_COLUMNS = ["codigo", "email", "celular", "nascimento", "notas", "aceita_email"]


def _crm_rows() -> list[dict[str, Any]]:
    rows = []
    for i in range(N_CUSTOMERS):
        rows.append(
            {
                "codigo": f"C{i:05d}",
                "email": f"user{i}@example.com" if i % 100 else "not-an-email",
                "celular": f"(11) 9{i:04d}-{i % 10000:04d}" if i % 7 else None,
                "nascimento": f"{1 + i % 28:02d}/{1 + i % 12:02d}/19{50 + i % 50}"
                if i % 250
                else "31/02/1990",
                "notas": "a long free-text note that must never cross the wire " * 3,
                "aceita_email": "S" if i % 3 else "N",
            }
        )
    rows[17]["codigo"] = rows[16]["codigo"]  # one duplicated key
    return rows


def _project(
    root: Path,
    url: str,
    table: str | None = "crm",
    query: str | None = None,
    policy: dict[str, Any] | None = None,
) -> Path:
    (root / "channels").mkdir(parents=True, exist_ok=True)
    (root / "exports").mkdir(exist_ok=True)
    settings = {
        "project": "wire",
        "contracts": ["builtin:customer", "builtin:interaction"],
        "defaults": {"phone_region": "BR", "timezone": "America/Sao_Paulo"},
        "connections": {"crm": {"url": url, "batch_size": 500}},
        **({"policy": policy} if policy else {}),
    }
    (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings, sort_keys=False))
    source = {"connection": "crm", **({"table": table} if query is None else {"query": query})}
    crm = {
        "channel": "crm",
        "feeds": [
            {
                "name": "customers",
                "entity": "customer",
                "source": source,
                "unexpected_columns": "ignore",
                "fields": {
                    "customer_id": "codigo",
                    "email": "email",
                    "phone": "celular",
                    "birth_date": {"column": "nascimento", "format": "%d/%m/%Y"},
                    "consent_email": "aceita_email",
                },
            }
        ],
    }
    (root / "channels" / "crm.yaml").write_text(yaml.safe_dump(crm, sort_keys=False))
    lines = ["id,cliente,quando"] + [
        f"M{i},C{(i * 7) % (N_CUSTOMERS + 20):05d},2024-05-0{1 + i % 9} 10:00" for i in range(600)
    ]
    (root / "exports" / "mail.csv").write_text("\n".join(lines) + "\n")
    mail = {
        "channel": "email",
        "feeds": [
            {
                "name": "deliveries",
                "entity": "interaction",
                "source": {"path": "exports/mail.csv"},
                "fields": {
                    "interaction_id": "id",
                    "customer_id": "cliente",
                    "occurred_at": "quando",
                },
                "constants": {"channel": "email", "kind": "email", "direction": "outbound"},
            }
        ],
    }
    (root / "channels" / "email.yaml").write_text(yaml.safe_dump(mail, sort_keys=False))
    return root


def _load(url: str, rows: list[dict[str, Any]], name: str = "crm") -> None:
    engine = create_engine(url)
    table = Table(name, MetaData(), *[Column(c, Text()) for c in CRM_COLUMNS])
    with engine.begin() as conn:
        table.create(conn)
        conn.execute(insert(table), rows)
    engine.dispose()


def _validate_counting(root: Path, **options: Any) -> tuple[Any, _Wire]:
    wire = _Wire()
    event.listen(Engine, "connect", wire.on_connect)
    try:
        result = omnicontract.validate(root, now=FIXED_NOW, show_pii=True, **options)
    finally:
        event.remove(Engine, "connect", wire.on_connect)
    return result, wire


class _Wire:
    """Rows and columns every psycopg cursor of the run received (client and server side)."""

    def __init__(self) -> None:
        self.results: list[tuple[list[str], int]] = []
        wire = self

        def counted(base: type) -> type:
            class Counting(base):  # type: ignore[misc, valid-type]
                def _count(self, rows: list[Any]) -> list[Any]:
                    names = [d.name for d in (self.description or [])]
                    wire.results.append((names, len(rows)))
                    return rows

                def fetchall(self) -> list[Any]:
                    return self._count(super().fetchall())

                def fetchmany(self, size: int = 0) -> list[Any]:
                    return self._count(super().fetchmany(size))

                def fetchone(self) -> Any:
                    row = super().fetchone()
                    self._count([row] if row is not None else [])
                    return row

            return Counting

        self.client, self.server = counted(psycopg.Cursor), counted(psycopg.ServerCursor)

    def on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, psycopg.Connection):
            dbapi_connection.cursor_factory = self.client
            dbapi_connection.server_cursor_factory = self.server

    @property
    def rows(self) -> int:
        return sum(n for _names, n in self.results)


def test_a_postgres_feed_sends_back_only_counts_samples_and_keys(
    tmp_path: Path, postgres_database: str
) -> None:
    _load(postgres_database, _crm_rows())
    result, wire = _validate_counting(_project(tmp_path / "p", postgres_database))
    found = {(f.code, f.field): f.count for f in result.findings if f.channel == "crm"}
    assert found[("OC-FLD-009", "email")] == 12  # every 100th address
    assert found[("OC-MAP-001", "birth_date")] == 5  # every 250th date
    assert found[("OC-FLD-004", "customer_id")] == 2
    # the cross-channel checks saw the CRM keys: 20 e-mails name unknown customers
    orphans = [f for f in result.findings if f.code == "OC-REF-001" and f.channel == "email"]
    assert orphans and orphans[0].count > 0
    # what crossed the wire: never the free-text column, never a whole row
    assert wire.results, "the run did not read PostgreSQL"
    assert all("notas" not in names for names, _n in wire.results)
    wide = [names for names, n in wire.results if n > 50]
    # the keys (with their raw text), the consent flag, and the birth date that tells one
    # person entered twice (OC-IDN-009) from two people sharing a key (OC-IDN-004)
    keys = {"customer_id", "email", "email__raw", "phone", "phone__raw", "consent_email"}
    assert wide and {n for names in wide for n in names} == keys | {"birth_date"}, wide
    # keys once per row, distinct phones once, and small results for everything else
    phones = len({r["celular"] for r in _crm_rows() if r["celular"]})
    small = sum(n for _names, n in wire.results if n <= 10)
    assert wire.rows <= N_CUSTOMERS + phones + small
    assert small <= 60  # row count, fused counts, capped samples, feed checks
    # in batches of the connection's batch_size
    assert max(n for _names, n in wire.results) <= 500


def test_a_column_crosses_only_for_a_check_that_runs_and_reads_it(
    tmp_path: Path, postgres_database: str
) -> None:
    _load(postgres_database, _crm_rows())
    # the two checks that compare birth dates switched off: the dates stay in the database
    off = {"checks": {"OC-IDN-004": {"enabled": False}, "OC-IDN-009": {"enabled": False}}}
    root = _project(tmp_path / "p", postgres_database, policy=off)
    _result, wire = _validate_counting(root)
    wide = {n for names, rows in wire.results if rows > 50 for n in names}
    assert "birth_date" not in wide and {"customer_id", "email", "consent_email"} <= wide
    # each feed on its own: only the references join, on the customer ids (and the
    # distinct phones come for the mapping to normalize, as always)
    per_feed, wire = _validate_counting(root, cross_channel=False)
    assert [f for f in per_feed.findings if f.code == "OC-REF-001"]
    keys = [names for names, rows in wire.results if rows > 50 and names != ["phone__raw"]]
    assert keys and {n for names in keys for n in names} == {"customer_id"}


def test_a_query_feed_gives_the_findings_of_its_table(tmp_path: Path) -> None:
    db = tmp_path / "p" / "crm.db"
    db.parent.mkdir(parents=True)
    _load(f"sqlite:///{db}", _crm_rows())
    table = omnicontract.validate(_project(tmp_path / "p", "sqlite:///crm.db"), now=FIXED_NOW)
    query = "select codigo, email, celular, nascimento, aceita_email from crm where 1 = 1"
    q_root = _project(tmp_path / "p", "sqlite:///crm.db", query=query)
    by_query = omnicontract.validate(q_root, now=FIXED_NOW)
    assert findings_key(by_query) == findings_key(table)
    assert sqlite3.connect(db).execute("select count(*) from crm").fetchone()[0] == N_CUSTOMERS


def test_what_a_dialect_cannot_do_is_a_finding(tmp_path: Path) -> None:
    db = tmp_path / "p" / "crm.db"
    db.parent.mkdir(parents=True)
    _load(f"sqlite:///{db}", _crm_rows())
    root = _project(tmp_path / "p", "sqlite:///crm.db")
    path = root / "channels" / "crm.yaml"
    path.write_text(path.read_text().replace("'%d/%m/%Y'", "'%d/%m/%Y %a'"))
    result = omnicontract.validate(root, now=FIXED_NOW)
    said = [f for f in result.findings if f.code == "OC-SRC-010"]
    assert [(f.channel, f.field) for f in said] == [("crm", "birth_date")]
    assert "%d/%m/%Y %a" in said[0].message
    # the other fields were still checked
    assert any(f.code == "OC-FLD-009" and f.channel == "crm" for f in result.findings)


def test_checks_compiled_for_a_dialect_without_the_functions_are_refused() -> None:
    from sqlalchemy import literal_column, select
    from sqlalchemy.dialects import mysql

    from omnicontract.validators.sqlfuncs import Unsupported, matches

    with pytest.raises(Unsupported) as info:
        select(matches(literal_column("email"), "[a-z]+")).compile(dialect=mysql.dialect())
    assert "regular expressions" in str(info.value) and "mysql" in str(info.value)


@pytest.mark.parametrize(
    ("url", "env", "message"),
    [
        ("postgresql://qa:hunter2@127.0.0.1:1/crm", {}, "cannot connect to 'crm'"),
        ("postgresql://qa:${CRM_PW}@127.0.0.1:1/crm", {"CRM_PW": "hunter2"}, "cannot connect"),
        ("postgresql://qa:${CRM_MISSING}@127.0.0.1:1/crm", {}, "CRM_MISSING"),
        ("sqlite:///missing.db", {}, "no SQLite database"),
    ],
)
def test_an_unreachable_database_is_a_finding_without_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, env: dict[str, str], message: str
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    result = omnicontract.validate(_project(tmp_path / "p", url), now=FIXED_NOW)
    [problem] = [f for f in result.findings if f.channel == "crm"]
    assert problem.code == "OC-SRC-002" and message in problem.message
    import json

    assert "hunter2" not in json.dumps(result.to_dict(), default=str)


def test_a_missing_table_is_a_missing_source(tmp_path: Path, postgres_database: str) -> None:
    result = omnicontract.validate(_project(tmp_path / "p", postgres_database, table="sales.nope"))
    [problem] = [f for f in result.findings if f.channel == "crm"]
    assert problem.code == "OC-SRC-001" and "sales.nope" in problem.message


def test_the_source_database_is_left_as_it_was(tmp_path: Path, postgres_database: str) -> None:
    _load(postgres_database, _crm_rows())
    omnicontract.validate(_project(tmp_path / "p", postgres_database), now=FIXED_NOW)
    engine = create_engine(postgres_database)
    with engine.connect() as conn:
        tables = conn.execute(
            text(
                "select table_schema, table_name from information_schema.tables "
                "where table_schema not in ('pg_catalog', 'information_schema')"
            )
        ).fetchall()
        count = conn.execute(text("select count(*) from crm")).scalar()
    engine.dispose()
    assert tables == [("public", "crm")] and count == N_CUSTOMERS


def test_the_capability_table_says_every_check_runs_on_the_tested_engines() -> None:
    from omnicontract.validators.capabilities import TESTED, reading_support, row_check_support

    for code, _name, support in row_check_support():
        assert all(support[d] is None for d in TESTED), (code, support)
    gaps = {
        (label, d) for label, support in reading_support() for d in TESTED if support[d] is not None
    }
    other = next(label for label, _s in reading_support() if "other directives" in label)
    assert gaps == {(other, "postgresql"), (other, "sqlite")}


def test_a_query_the_database_refuses_midway_is_a_finding_not_a_crash(
    tmp_path: Path, postgres_database: str
) -> None:
    _load(postgres_database, _crm_rows())
    # the cast fails on the first row that is read, not when the query is prepared
    query = (
        "select codigo, cast(email as integer) as email, celular, nascimento, aceita_email from crm"
    )
    result = omnicontract.validate(
        _project(tmp_path / "p", postgres_database, query=query), now=FIXED_NOW
    )
    said = [f for f in result.findings if f.channel == "crm" and f.code.startswith("OC-SRC")]
    assert said and all(f.code in ("OC-SRC-002", "OC-SRC-010") for f in said)
    assert any("refused the query" in f.message and "integer" in f.message for f in said)
    # the file feed is still validated
    assert any(f.channel == "email" for f in result.findings) or result.channels


def test_a_database_file_outside_the_project_is_refused_at_load(tmp_path: Path) -> None:
    from omnicontract.errors import ContractError

    with pytest.raises(ContractError) as info:
        omnicontract.validate(_project(tmp_path / "p", "sqlite:////etc/outside.db"))
    assert "outside the project" in str(info.value)
    assert "omnicontract.yaml" in str(info.value.location)
