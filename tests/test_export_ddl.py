"""`omnicontract export ddl`: the DDL runs on the real databases, and they reject rows
that break the contract."""

from __future__ import annotations

import sqlite3

import duckdb
import pytest
from click.testing import CliRunner

from omnicontract.cli.main import cli
from omnicontract.contracts.loader import load_contract
from omnicontract.interop import export
from omnicontract.interop.ddl import statements
from tests.conftest import ROOT

CONTRACTS = ROOT / "contracts"
INTERACTION = load_contract(CONTRACTS / "interaction.yaml").model
CUSTOMER = load_contract(CONTRACTS / "customer.yaml").model

GOOD = {
    "interaction_id": "wa-1",
    "channel": "whatsapp",
    "kind": "message",
    "occurred_at": "2026-03-01 12:30:00+00",
    "email": "ana@example.com",
    "phone": "+5511987654321",
    "currency": "BRL",
    "amount": 10.5,
    "duration_seconds": 30,
    "language": "pt-BR",
    "topic": "entrega",
}

# (change, constraint the database names) - each row breaks exactly one rule
BAD = [
    ({"channel": "telegram"}, "ck_interaction_channel_enum"),
    ({"interaction_id": "  "}, "ck_interaction_interaction_id_not_blank"),
    ({"amount": 2_000_000}, "ck_interaction_amount_max"),
    ({"duration_seconds": -5}, "ck_interaction_duration_seconds_min"),
    ({"currency": "R$"}, "ck_interaction_currency_format"),
    ({"topic": "x" * 201}, r"topic|varying\(200\)"),  # VARCHAR(200) or its CHECK
    ({"email": "ana@@example"}, "ck_interaction_email_format"),
    ({"phone": "11 98765-4321"}, "ck_interaction_phone_format"),
    ({"language": "portuguese"}, "ck_interaction_language_format"),
    ({"kind": None}, "kind"),  # NOT NULL
]


def insert_sql(row: dict, style: str) -> tuple[str, list]:
    cols = list(row)
    marks = ", ".join(("%s" if style == "format" else "?") for _ in cols)
    return f"INSERT INTO interaction ({', '.join(cols)}) VALUES ({marks})", list(row.values())


def test_postgresql_accepts_the_ddl_and_enforces_it(postgres_database):
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(postgres_database)
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    script = export("ddl", INTERACTION, {"dialect": "postgresql"})
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(script)  # the script as written, comments and all
        comment = conn.execute("SELECT col_description('interaction'::regclass, 1)").fetchone()[0]
        assert comment.startswith("Key of the interaction")
        conn.execute(*insert_sql(GOOD, "format"))
        for change, constraint in BAD:
            with pytest.raises((psycopg.IntegrityError, psycopg.DataError), match=constraint):
                conn.execute(*insert_sql({**GOOD, "interaction_id": "x", **change}, "format"))
        with pytest.raises(psycopg.errors.UniqueViolation, match="pk_interaction"):
            conn.execute(*insert_sql(GOOD, "format"))
        # the customer contract too: its own pattern and its unique key
        conn.execute(export("ddl", CUSTOMER, {"dialect": "postgresql"}))
        conn.execute("INSERT INTO customer (customer_id, instagram_handle) VALUES ('C1', '@ana')")
        with pytest.raises(psycopg.errors.CheckViolation, match="instagram_handle_pattern"):
            conn.execute(
                "INSERT INTO customer (customer_id, instagram_handle) VALUES ('C2', 'a b')"
            )
        with pytest.raises(psycopg.errors.CheckViolation, match="customer_country_format"):
            conn.execute("INSERT INTO customer (customer_id, country) VALUES ('C3', 'Brasil')")


def test_duckdb_accepts_the_ddl_and_enforces_it():
    con = duckdb.connect()
    con.execute(export("ddl", INTERACTION, {"dialect": "duckdb"}))
    con.execute(*insert_sql(GOOD, "qmark"))
    for change, constraint in BAD:
        with pytest.raises(duckdb.ConstraintException):
            con.execute(
                *insert_sql({**GOOD, "interaction_id": f"x-{constraint}", **change}, "qmark")
            )
    with pytest.raises(duckdb.ConstraintException):
        con.execute(*insert_sql(GOOD, "qmark"))
    assert con.execute("SELECT count(*) FROM interaction").fetchone()[0] == 1
    assert (
        con.execute(
            "SELECT comment FROM duckdb_columns() WHERE column_name = 'channel'"
        ).fetchone()[0]
        == "Channel the interaction happened on."
    )


def test_sqlite_has_no_regular_expressions_but_the_rest():
    con = sqlite3.connect(":memory:")
    script = export("ddl", INTERACTION, {"dialect": "sqlite"})
    assert "email_format" not in script  # no REGEXP in SQLite: patterns are left out
    con.executescript(script)
    con.execute(*insert_sql(GOOD, "qmark"))
    with pytest.raises(sqlite3.IntegrityError, match="ck_interaction_channel_enum"):
        con.execute(*insert_sql({**GOOD, "interaction_id": "x", "channel": "fax"}, "qmark"))


def test_options_table_schema_and_no_checks():
    stmts = statements(
        CUSTOMER, {"dialect": "postgresql", "table": "dim_customer", "schema": "crm"}
    )
    assert stmts[0].startswith("CREATE TABLE crm.dim_customer (")
    assert "CONSTRAINT pk_dim_customer PRIMARY KEY (customer_id)" in stmts[0]
    assert any(s.startswith("COMMENT ON COLUMN crm.dim_customer.email") for s in stmts)
    bare = statements(CUSTOMER, {"dialect": "postgresql", "checks": "false"})[0]
    assert "CHECK" not in bare and "NOT NULL" in bare


def test_mysql_comments_are_inline_and_keys_bounded():
    stmts = statements(INTERACTION, {"dialect": "mysql"})
    assert len(stmts) == 1
    assert "channel TEXT NOT NULL COMMENT 'Channel the interaction happened on.'" in stmts[0]


@pytest.mark.parametrize(
    ("option", "message"),
    [("dialect=nosuchdb", "unknown SQL dialect 'nosuchdb'"), ("checks=maybe", "checks='maybe'")],
)
def test_bad_options(option, message):
    result = CliRunner().invoke(
        cli, ["export", "ddl", str(CONTRACTS / "customer.yaml"), "--option", option]
    )
    assert result.exit_code == 2
    assert message in result.output
