"""No data value ends a run: generated exports full of broken rows, bad bytes and values
that do not convert (epochs out of range, numbers past 64 bits, impossible dates, lines
that are not JSON) give findings and exit 0 or 1, never exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnicontract.cli.main import cli
from tests.conftest import write_project

NASTY = [
    "", " ", "0", "-1", "1e308", "-1e400", "99999999999999999999999", "NaN", "inf",
    "31/02/2024 10:00", "2024-13-45", "9999999999999999999", "-9223372036854775809",
    "25:61:61", "PT", "P1Y", "1:2:3:4", "12,5", "1.234,56", "0x1F", "\u00e9", "\u201c",
    "\t", ";", ",", '"', '""', "a\nb", "\x00", "\ud7ff", "2024-01-01T25:00:00Z",
    "1705329000000", "1705329000", "-62135596801", "253402300800", "01/15/2024 13:30 PM",
]  # fmt: skip
FIELDS = {
    "interaction_id": "id",
    "occurred_at": {"column": "ts", "format": "epoch_ms"},
    "duration_seconds": {"column": "dur", "format": "duration"},
    "amount": {"column": "valor", "decimal_separator": ","},
    "case_id": "caso",
}
OTHER_FORMATS = [
    {"occurred_at": {"column": "ts", "format": "%d/%m/%Y %H:%M"}},
    {"occurred_at": {"column": "ts", "time_column": "caso", "format": "%Y-%m-%d %H:%M"}},
    {"occurred_at": "ts", "duration_seconds": {"column": "dur", "format": "hh:mm:ss"}},
    {"occurred_at": {"column": "ts", "format": "epoch_us"}, "amount": "valor"},
]

value = st.one_of(st.sampled_from(NASTY), st.text(max_size=12))
row = st.lists(value, min_size=0, max_size=8)


def _exit_code(
    root: Path, fields: dict, constants: dict, source: dict, files: dict
) -> tuple[int, str]:
    """Write a one-feed interaction project and validate it from the command line."""
    feed = {"entity": "interaction", "fields": fields, "constants": constants}
    write_project(root, feeds=[{**feed, "source": source, "files": files}])
    run = CliRunner().invoke(cli, ["validate", str(root), "--format", "json"])
    return run.exit_code, run.output + (run.stderr if run.stderr_bytes else "")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(row, min_size=0, max_size=12),
    junk=st.binary(max_size=40),
    delimiter=st.sampled_from([",", ";"]),
    variant=st.integers(0, len(OTHER_FORMATS)),
)
def test_csv_values_never_stop_a_run(
    tmp_path_factory, rows: list[list[str]], junk: bytes, delimiter: str, variant: int
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    header = delimiter.join(["id", "ts", "dur", "valor", "caso"])
    body = "\n".join(delimiter.join(r) for r in rows)
    data = (header + "\n" + body + "\n").encode("utf-8", "surrogatepass") + junk + b"\n"
    fields = {**FIELDS, **(OTHER_FORMATS[variant - 1] if variant else {})}
    code, output = _exit_code(
        root,
        fields,
        {"channel": "store", "kind": "visit"},
        {"delimiter": delimiter},
        {"ch0.csv": data},
    )
    assert code in (0, 1), output[-2000:]


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    records=st.lists(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "id": value,
                    "ts": st.one_of(value, st.integers(-(2**70), 2**70), st.floats(allow_nan=True)),
                    "dur": st.one_of(value, st.integers(-(2**66), 2**66)),
                }
            ),
            st.text(max_size=20),  # a line that is (mostly) not JSON
        ),
        max_size=10,
    ),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16le"]),
)
def test_jsonl_values_never_stop_a_run(tmp_path_factory, records: list, encoding: str) -> None:
    root = tmp_path_factory.mktemp("fuzzj")
    lines = [json.dumps(r) if isinstance(r, dict) else r.replace("\n", " ") for r in records]
    data = ("\n".join(lines) + "\n").encode(encoding, "replace")
    fields = {
        "interaction_id": "id",
        "occurred_at": {"column": "ts", "format": "epoch_s"},
        "duration_seconds": "dur",
    }
    code, output = _exit_code(
        root,
        fields,
        {"channel": "whatsapp", "kind": "message"},
        {"path": "data/m.jsonl", "encoding": encoding},
        {"m.jsonl": data},
    )
    assert code in (0, 1), output[-2000:]
