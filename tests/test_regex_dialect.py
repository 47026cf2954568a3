"""Patterns follow one regular-expression dialect: refused at load when an engine would
read them differently, and matched alike by DuckDB, PostgreSQL and SQLite when accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import String, create_engine, event, literal, select

from omnicontract.contracts.loader import load_project
from omnicontract.contracts.regex import portable, problem
from omnicontract.errors import ContractError
from omnicontract.validators.sqlfuncs import matches
from omnicontract.validators.sqlite_functions import register
from tests.test_one_meaning import _on_duckdb

ACCEPTED = [
    r"^@?[A-Za-z0-9._]{1,30}$",
    r"\d{3}\.\d{3}\.\d{3}-\d{2}",
    r"[\w.+-]+@[\w-]+\.[a-z]{2,}",
    r"C[0-9]{6}",
    r"(BR|AR)-\d+",
    r"a.c",
    r"\s*x\s*",
    r"[^\s]+",
    r"Aé?",
    r"(?:ab)+?",
]
REFUSED = {
    r"(?=a)a": "look-around",
    r"(a)\1": "back-references",
    r"x{1001}": "repetition bound",
    r"x{256}": "repetition bound",
    r"a\Z": "\\Z",
    r"(?i)abc": "inline flags",
    r"[[:alpha:]]+": "POSIX classes",
    r"\bword\b": "word boundaries",
    r"[^\D]": "inside a character class",
    r"a++": "possessive",
    r"(?P<x>a)": "named groups",
    r"(?>a)": "atomic",
    r"\p{L}": "invalid",
    r"(": "invalid",
    r"\x41": "code escapes",
    r"\u00e9": "code escapes",
}
TEXTS = [
    "abc",
    "a\nc",
    "aXc",
    "٣٣٣.٣٣٣.٣٣٣-٣٣",
    "123.456.789-09",
    "Ana.b@ex-1.com",
    "ção@x.br",
    "\u00a0x\u00a0",
    " x ",
    "C123456",
    "BR-12",
    "@handle_1",
    "Aé",
    "A",
    "ababab",
    "",
    "x\ty",
]


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_accepted_patterns_match_alike_everywhere(pattern: str, postgres_url: str) -> None:
    assert problem(pattern) is None
    stmts = [select(matches(literal(t, String()), pattern)) for t in TEXTS]
    expected = _on_duckdb(stmts)
    for url in ("sqlite://", postgres_url):
        engine = create_engine(url)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", lambda c, _r: register(c))
        with engine.connect() as conn:
            got = [bool(conn.execute(s).scalar()) for s in stmts]
        engine.dispose()
        assert got == [bool(e) for e in expected], (
            url.split(":")[0],
            list(zip(TEXTS, expected, got, strict=True)),
        )


@pytest.mark.parametrize(("pattern", "reason"), REFUSED.items())
def test_other_constructs_are_refused_with_the_reason(pattern: str, reason: str) -> None:
    assert reason in (problem(pattern) or "")


def test_shorthands_become_explicit_ascii_classes() -> None:
    assert portable(r"\d+\.\w") == r"[0-9]+\.[0-9A-Za-z_]"
    assert portable(r"[\d-]") == r"[0-9-]"
    assert portable("a.b") == "a[^\\n]b"


def test_a_pattern_outside_the_dialect_is_a_load_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "contracts").mkdir()
    contract = {
        "entity": "thing",
        "version": "1.0.0",
        "fields": {"code": {"type": "string", "pattern": "(?=C)C\\d+"}},
    }
    (tmp_path / "contracts" / "thing.yaml").write_text(yaml.safe_dump(contract, sort_keys=False))
    (tmp_path / "omnicontract.yaml").write_text(yaml.safe_dump({"project": "p", "channels": []}))
    with pytest.raises(ContractError) as info:
        load_project(tmp_path)
    assert (
        "look-around" in str(info.value) or "lookaround" in str(info.value)
    ) and "thing.yaml" in str(info.value.location)
