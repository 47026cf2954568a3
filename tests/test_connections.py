"""Connections and database sources in the project files: declared, checked at load,
and never printed with their secrets."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from omnicontract.contracts.loader import load_project
from omnicontract.contracts.sqlquery import QueryError, check_query
from omnicontract.errors import ContractError
from omnicontract.redact import redact
from omnicontract.urls import EnvironmentProblem, backend, expand_password


def _project(root: Path, source: dict, connections: dict | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "channels").mkdir(exist_ok=True)
    settings = {"project": "p", "contracts": ["builtin:customer"]}
    if connections is not None:
        settings["connections"] = connections
    (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings))
    binding = {
        "channel": "crm",
        "feeds": [
            {
                "name": "customers",
                "entity": "customer",
                "source": source,
                "fields": {"customer_id": "id"},
            }
        ],
    }
    (root / "channels" / "crm.yaml").write_text(yaml.safe_dump(binding, sort_keys=False))
    return root


def test_table_and_query_sources_load(tmp_path: Path) -> None:
    conns = {
        "crm": "postgresql://qa:${CRM_PW}@db.example.com/crm",
        "lite": {"url": "sqlite:///x.db"},
    }
    project = load_project(
        _project(tmp_path / "a", {"connection": "crm", "table": "sales.customers"}, conns)
    )
    source = next(project.iter_feeds())[2].source
    assert source.is_database and source.resolved_format == "table"
    assert source.display == "crm:sales.customers"
    assert project.settings.connections["lite"].url == "sqlite:///x.db"
    q = {"connection": "lite", "query": "select id from customers where active = 1"}
    project = load_project(_project(tmp_path / "b", q, conns))
    assert next(project.iter_feeds())[2].source.resolved_format == "query"


@pytest.mark.parametrize(
    ("source", "connections", "message"),
    [
        (
            {"connection": "crn", "table": "t"},
            {"crm": "sqlite:///x.db"},
            "unknown connection 'crn'",
        ),
        ({"connection": "crm"}, {"crm": "sqlite:///x.db"}, "exactly one of table or query"),
        (
            {"connection": "crm", "table": "t", "query": "select 1"},
            {"crm": "sqlite:///x.db"},
            "exactly one of table or query",
        ),
        (
            {"connection": "crm", "table": "t", "path": "x.csv"},
            {"crm": "sqlite:///x.db"},
            "not both",
        ),
        (
            {"connection": "crm", "table": "t", "delimiter": ";"},
            {"crm": "sqlite:///x.db"},
            "file sources",
        ),
        ({"connection": "crm", "table": "a.b.c"}, {"crm": "sqlite:///x.db"}, "schema.name"),
        ({"query": "select 1"}, {}, "a query needs a connection"),
        ({"table": "t", "path": "x.csv"}, {}, "needs a connection, a DuckDB database file"),
        ({"table": "db.t", "delimiter": ";"}, {}, "file sources"),
        (
            {"connection": "crm", "query": "delete from customers"},
            {"crm": "sqlite:///x.db"},
            "must be a SELECT",
        ),
        (
            {"connection": "crm", "query": "select 1; drop table customers"},
            {"crm": "sqlite:///x.db"},
            "exactly one SELECT",
        ),
        ({"connection": "crm", "table": "t"}, {"crm": "qa:hunter2@db/crm"}, "not a SQLAlchemy URL"),
        (
            {"connection": "crm", "table": "t"},
            {"crm": "postgresql://qa@${HOST_SECRET}/crm"},
            "only the password",
        ),
    ],
)
def test_bad_sources_are_refused_with_their_place(
    tmp_path: Path, source: dict, connections: dict, message: str
) -> None:
    with pytest.raises(ContractError) as info:
        load_project(_project(tmp_path, source, connections))
    text = str(info.value) + str(getattr(info.value, "hint", ""))
    assert message in text
    assert "hunter2" not in text
    assert info.value.location is not None


@pytest.mark.parametrize(
    "query",
    [
        "with x as (delete from t returning *) select * from x",
        "select * into t2 from t",
        "select * from t for update",
        "select pg_read_file('/etc/passwd')",
        "select set_config('default_transaction_read_only', 'off', false)",
        "copy t to '/tmp/x'",
        "attach database '/tmp/x.db' as x",
        "pragma writable_schema = 1",
        "select load_extension('/tmp/evil')",
        "",
    ],
)
def test_queries_that_could_write_or_reach_out_are_refused(query: str) -> None:
    for kind in ("postgresql", "sqlite"):
        with pytest.raises(QueryError):
            check_query(query, kind)


def test_a_query_runs_as_parsed() -> None:
    sql = check_query(
        "select id, 'a:b' as x from crm.customers union all select 1, 'c'", "postgresql"
    )
    assert sql.startswith("SELECT") and "'a:b'" in sql


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://qa:hunter2@db.example.com/crm",
        "postgresql+psycopg://qa:hunt@er2@db/crm",
        "qa:hunter2@db:5432/crm",
        "postgresql://db/crm?sslmode=require&password=hunter2",
        "mssql+pyodbc://qa:hunter2@dsn?odbc_connect=x;PWD=hunter2",
    ],
)
def test_every_url_form_is_redacted(url: str) -> None:
    shown = redact(f"cannot connect to {url}: refused")
    assert "hunter2" not in shown and "er2@" not in shown.split("***")[0]


def test_only_the_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.engine import make_url

    monkeypatch.setenv("CRM_PW", "s3cret!")
    url, used = expand_password(make_url("postgresql://qa:${CRM_PW}@db/crm"), "connection 'crm'")
    assert url.password == "s3cret!" and used == "s3cret!"
    assert "s3cret" not in redact(f"failed on {url.render_as_string(hide_password=False)}", used)
    for placed in (
        "postgresql://qa@${CRM_PW}/crm",
        "postgresql://qa@db/${CRM_PW}",
        "postgresql://${CRM_PW}@db/crm",
        "postgresql://db/crm?sslkey=${CRM_PW}",
    ):
        with pytest.raises(EnvironmentProblem, match="only the password"):
            expand_password(make_url(placed), "connection 'crm'")
    monkeypatch.delenv("CRM_PW")
    with pytest.raises(EnvironmentProblem, match=r"\$\{CRM_PW\}, which is not set"):
        expand_password(make_url("postgresql://qa:${CRM_PW}@db/crm"), "connection 'crm'")
    assert backend("postgres://x") == "postgresql" and backend("db/crm") is None
