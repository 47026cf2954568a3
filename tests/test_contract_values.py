"""What a contract names is checked at load against what the engine accepts, so the
engine never meets a pattern, zone, region or format it cannot use. The checks are held
to the engine itself: DuckDB is asked, and must agree."""

from __future__ import annotations

import string
from pathlib import Path

import duckdb
import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import cli
from omnicontract.contracts.values import (
    glob_regex,
    regex_problem,
    region_problem,
    strptime_problem,
    zone_problem,
)
from tests.conftest import write_project

PATTERNS = [
    "[A-Z]{2}", "C[0-9]+", "(?i)abc", "a\\z", "\\d{3}-\\d{4}", "(?P<n>a)", "[[:alpha:]]+",
    "(?=a)", "(?!a)b", "(?<=a)b", "(a)\\1", "x{1001}", "(a{100}){100}", "\\Z", "a++", "[z-a]",
    "(", "*a", "a{2,1}",
]  # fmt: skip


def duckdb_accepts(sql: str, *params: str) -> bool:
    con = duckdb.connect()
    try:
        con.execute(sql, list(params)).fetchall()
        return True
    except duckdb.Error:
        return False
    finally:
        con.close()


@pytest.mark.parametrize("pattern", PATTERNS)
def test_patterns_are_judged_as_the_engine_judges_them(pattern: str) -> None:
    engine_ok = duckdb_accepts("SELECT regexp_full_match('x', ?)", pattern)
    problem = regex_problem(pattern)
    if not engine_ok:
        assert problem is not None and pattern[:20] in problem
    elif problem is not None:  # only Python's dialect (the exports) may refuse more
        assert "Python's dialect" in problem


@pytest.mark.parametrize("spec", [*string.ascii_letters, "%", "-d", "-m", "-H", "-q"])
def test_strptime_specifiers_are_judged_as_the_engine_judges_them(spec: str) -> None:
    fmt = f"%{spec}"
    engine_ok = duckdb_accepts("SELECT try_strptime('x', ?)", fmt)
    assert (strptime_problem(fmt) is None) == engine_ok, fmt


@pytest.mark.parametrize("glob", ["test@*", "*@*@*", "**x**", "+55*0000*", "[!a]?b", "a[", "[]]"])
def test_placeholder_globs_become_engine_regexes(glob: str) -> None:
    import fnmatch

    regex = glob_regex(glob)
    assert duckdb_accepts("SELECT regexp_full_match('x', ?)", regex)
    for value in ("test@x.com", "a@b@c", "xx", "+5511000012", "bxb", "a[", "]"):
        con = duckdb.connect()
        ours = con.execute("SELECT regexp_full_match(?, ?)", [value, regex]).fetchone()[0]
        con.close()
        assert ours == fnmatch.fnmatchcase(value, glob), (glob, value)


def test_a_zone_is_known_exactly_when_the_system_lists_it() -> None:
    """Names are accepted from the tzdata package's list before the zone folders are
    scanned: the answer is the same as from the full list, for every name either holds."""
    import zoneinfo

    listed = zoneinfo.available_timezones()
    for name in sorted(listed | {"Factory", "posixrules", "localtime", "Mars/Base", "utc"}):
        known = name in listed and name not in {"Factory", "posixrules", "localtime"}
        assert (zone_problem(name) is None) == known, name


def test_zones_and_regions_have_a_did_you_mean() -> None:
    assert zone_problem("America/Sao_Paulo") is None
    assert "did you mean 'America/Sao_Paulo'" in (zone_problem("america/sao_paulo") or "")
    assert "did you mean 'America/Sao_Paulo'" in (zone_problem("America/SaoPaulo") or "")
    assert "IANA" in (zone_problem("Mars/Base") or "")
    assert len(zone_problem("Z" * 1000) or "") < 200
    assert region_problem("BR") is None
    assert "did you mean 'BR'" in (region_problem("br") or "")
    assert "did you mean 'BR'" in (region_problem("Brazil") or "")
    assert region_problem("XX") is not None


def _lint(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", str(root)])
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("where", "key", "value", "message"),
    [
        ("project", ("defaults", "timezone"), "Europe/Lisboa", "did you mean 'Europe/Lisbon'"),
        ("project", ("defaults", "phone_region"), "XX", "unknown phone region 'XX'"),
        ("channel", ("timezone",), "America/Sao Paulo", "did you mean 'America/Sao_Paulo'"),
        ("channel", ("timezone",), "x" * 300, "unknown time zone"),
        ("channel", ("phone_region",), "br", "did you mean 'BR'"),
        ("field", ("timezone",), "UTC+3", "unknown time zone"),
        ("field", ("format",), "%d/%m/%Y %Q", "'%Q'"),
        ("field", ("phone_region",), "ZZ", "unknown phone region"),
        ("project", ("policy", "future_tolerance"), "99999999999d", "longer than a century"),
        ("project", ("identity", "placeholders"), {"email": ["[z-a]@*"]}, "not a valid glob"),
        ("project", ("consent", "channels"), {"e'mail": "consent_email"}, "should match"),
        ("project", ("consent", "channels"), {"email": "customer_id"}, "is a boolean field"),
        ("entity", ("pattern",), "(?<=a)b", "RE2"),
        ("entity", ("pattern",), "x{1001}", "repetition"),
    ],
)
def test_every_level_is_checked_at_load_by_lint(
    where: str, key: tuple[str, ...], value: object, message: str, tmp_path: Path
) -> None:
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "customer",
                "fields": {"customer_id": "id", "created_at": {"column": "t"}},
                "rows": "id,t\nC1,2024-01-01\n",
            }
        ],
    )
    if where == "entity":
        contract = {
            "entity": "customer",
            "version": "1.0.0",
            "fields": {"customer_id": {"type": "string"}, "created_at": {"type": "timestamp"}},
        }
        contract["fields"]["customer_id"][key[0]] = value
        (root / "contracts").mkdir()
        (root / "contracts" / "customer.yaml").write_text(yaml.safe_dump(contract))
        settings = yaml.safe_load((root / "omnicontract.yaml").read_text())
        settings["contracts"] = ["contracts/*.yaml"]
        (root / "omnicontract.yaml").write_text(yaml.safe_dump(settings))
        file = root / "contracts" / "customer.yaml"
    else:
        file = root / ("omnicontract.yaml" if where == "project" else "channels/ch0.yaml")
        doc = yaml.safe_load(file.read_text())
        node = doc["feeds"][0]["fields"]["created_at"] if where == "field" else doc
        for part in key[:-1]:
            node = node.setdefault(part, {})
        node[key[-1]] = value
        file.write_text(yaml.safe_dump(doc))
    code, err = _lint(root)
    assert code == 2, err
    assert message in err and f"{file}:" in err, err


def test_a_consent_flag_of_another_type_is_left_out_by_the_default_policy(
    tmp_path: Path,
) -> None:
    """A customer contract whose ``consent_email`` is text (the project names no consent
    policy): the default policy leaves that field out instead of casting its words."""
    root = write_project(
        tmp_path / "p",
        contracts=[
            {
                "entity": "customer",
                "primary_key": "customer_id",
                "identity_keys": ["customer_id"],
                "fields": {"customer_id": {"type": "string"}, "consent_email": {"type": "string"}},
            }
        ],
        feeds=[
            {
                "entity": "customer",
                "fields": {"customer_id": "id", "consent_email": "optin"},
                "rows": "id,optin\nC1,S\nC2,N\n",
            }
        ],
    )
    result = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"])
    assert result.exit_code in (0, 1), result.output + result.stderr
    assert "unexpected" not in result.stderr


def test_a_value_map_on_a_number_field_is_refused(tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        contracts=[
            {
                "entity": "thing",
                "fields": {"id": {"type": "string"}, "size": {"type": "number"}},
            }
        ],
        feeds=[
            {
                "entity": "thing",
                "fields": {"id": "id", "size": {"column": "s", "values": {"big": "10"}}},
                "rows": "id,s\n1,big\n",
            }
        ],
    )
    code, err = _lint(root)
    assert code == 2 and "applies to string fields only" in err and "ch0.yaml:" in err


@pytest.mark.parametrize("limit", ["1GB'; ATTACH 'x.db' AS y; --", "lots", "10", "-1GB"])
def test_memory_limit_is_a_size(limit: str, tmp_path: Path) -> None:
    root = write_project(
        tmp_path / "p",
        feeds=[{"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\n"}],
    )
    result = CliRunner().invoke(cli, ["validate", str(root), "--memory-limit", limit])
    assert result.exit_code == 2 and "memory limit" in result.stderr
    assert not list(tmp_path.rglob("x.db"))
    ok = CliRunner().invoke(cli, ["validate", str(root), "--memory-limit", "512MiB"])
    assert ok.exit_code == 0, ok.stderr
