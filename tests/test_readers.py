"""Reading real exports faithfully: encodings, multi-file feeds, strict rows, bad values.

Every test writes its own small files (Brazilian, Spanish and US exports) and checks
what the run reports and which rows it counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

import omnicontract
from tests.conftest import FIXED_NOW, write_project

CUSTOMER = {"customer_id": "id", "full_name": "nome", "email": "mail"}


def _run(root: Path):
    return omnicontract.validate(root, now=FIXED_NOW, show_pii=True)


def _by_code(result, code: str) -> list:
    return [f for f in result.findings if f.code == code]


def _feed(result):
    return result.channels[0].feeds[0]


def _values(root: Path, field: str, order: str = "1") -> list:
    """Canonical values of one field, read through the engine's own run."""
    from omnicontract.api import load_project
    from omnicontract.validators.run import Run, execute

    project = load_project(root)
    run = Run(project, sample_size=5, now=FIXED_NOW)
    try:
        execute(project, run)
        query = f'SELECT "{field}" FROM {run.feeds[0].view_name} ORDER BY {order}'
        return [r[0] for r in run.engine.con.execute(query).fetchall()]
    finally:
        run.close()


def _interactions(root: Path, fields: dict, files: dict, **feed) -> Path:
    """A project with one interaction feed (a store visit unless constants say)."""
    feed.setdefault("constants", {"channel": "store", "kind": "visit"})
    fields = {"interaction_id": "id", **fields}
    return write_project(
        root, feeds=[{"entity": "interaction", "fields": fields, "files": files, **feed}]
    )


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize("declared", ["cp1252", "windows-1252", "latin-1", "CP1252"])
def test_windows_1252_export_reads_with_its_characters(tmp_path: Path, declared: str) -> None:
    name = (
        "Jo\u00e3o \u201cZ\u00e9\u201d Ara\u00fajo \u2013 S\u00e3o Paulo"  # curly quotes, en dash
    )
    text = f"id;nome;mail\nC1;{name};joao@example.com\nC2;Mu\u00f1oz \u20ac;m@e.es\n"
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "customer",
                "fields": CUSTOMER,
                "source": {"path": "data/a.csv", "delimiter": ";", "encoding": declared},
                "files": {"a.csv": text.encode("cp1252")},
            }
        ],
    )
    result = _run(root)
    assert not [f for f in result.findings if f.code.startswith("OC-SRC-00") and f.channel]
    assert _feed(result).rows == 2
    names = _values(root, "full_name")
    assert names == [name, "Mu\u00f1oz \u20ac"]


def test_other_codecs_and_bad_names(tmp_path: Path) -> None:
    text = "id,nome,mail\nC1,Señor Ñandú,a@b.es\n"
    for i, enc in enumerate(["iso-8859-15", "utf-16le", "utf-16", "mac_roman"]):
        root = write_project(
            tmp_path / f"p{i}",
            feeds=[
                {
                    "entity": "customer",
                    "fields": CUSTOMER,
                    "source": {"path": "data/a.csv", "encoding": enc},
                    "files": {"a.csv": text.encode(enc)},
                }
            ],
        )
        assert _values(root, "full_name") == ["Señor Ñandú"], enc
    from omnicontract.contracts.model import Source

    with pytest.raises(ValueError, match="unknown encoding 'klingon'"):
        Source(path="a.csv", encoding="klingon")


@pytest.mark.parametrize("mapped", [False, True])
def test_bad_byte_found_in_any_column(tmp_path: Path, mapped: bool) -> None:
    rows = b"id,nome,mail,obs\nC1,Ana,a@b.com,ok\nC2,Bia,b@b.com,caf\xe9 frio\nC3,Caio,c@b.com,\n"
    fields = {**CUSTOMER, **({"topic": "obs"} if False else {})}
    if mapped:
        fields = {**CUSTOMER, "loyalty_id": "obs"}
    root = write_project(
        tmp_path / "p",
        feeds=[{"entity": "customer", "fields": fields, "files": {"ch0.csv": rows}}],
    )
    result = _run(root)
    (bad,) = _by_code(result, "OC-SRC-002")
    assert bad.count == 1 and "ch0.csv:3" in bad.location
    assert _feed(result).rows == 2  # the row is excluded whichever columns are mapped


def test_invalid_byte_in_declared_single_byte_encoding(tmp_path: Path) -> None:
    # 0x81 is not a Windows-1252 character: that row is rejected, the others read
    rows = (
        "id;nome;mail\nC1;Ana;a@b.com\n".encode("cp1252")
        + b"C2;B\x81a;b@b.com\nC3;Zo\xeb;z@b.com\n"
    )
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "customer",
                "fields": CUSTOMER,
                "source": {"path": "data/ch0.csv", "encoding": "cp1252", "delimiter": ";"},
                "files": {"ch0.csv": rows},
            }
        ],
    )
    result = _run(root)
    (bad,) = _by_code(result, "OC-SRC-002")
    assert bad.count == 1 and bad.location.endswith("ch0.csv:3")
    assert _feed(result).rows == 2


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_invalid_byte_line_counts_the_line_breaks_of_quoted_fields(
    tmp_path: Path, encoding: str
) -> None:
    # a note written over three lines (a quoted field) comes before the bad row: the
    # line given is the row's line in the file, where an editor shows it
    rows = (
        'id;nome;mail;obs\nC1;Ana;a@b.com;"liga\nde manhã\nou à tarde"\nC2;Bia;b@b.com;ok\n'
    ).encode(encoding) + b"C3;Caio;c@b.com;\x81\xff\nC4;Dora;d@b.com;ok\n"
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "customer",
                "fields": {**CUSTOMER, "loyalty_id": "obs"},
                "source": {"path": "data/ch0.csv", "encoding": encoding, "delimiter": ";"},
                "files": {"ch0.csv": rows},
            }
        ],
    )
    result = _run(root)
    (bad,) = _by_code(result, "OC-SRC-002")
    assert bad.count == 1 and bad.location.endswith("ch0.csv:6")
    assert [s.value for s in bad.samples] == ["ch0.csv:6: invalid bytes"]
    assert _feed(result).rows == 3


# ------------------------------------------------------------------ multi-file feeds


def test_files_that_differ_in_columns_are_one_feed(tmp_path: Path) -> None:
    files = {
        "calls_01.csv": "id,cliente,agente\nL1,C1,ag1\nL2,C2,ag2\n",
        "calls_02.csv": "id,agente,cliente\nL3,ag3,C3\nL1,ag1,C1\n",  # other order, L1 again
        "calls_03.csv": "id,cliente\nL4,C4\nL5,C5\nL6,C6\n",  # no agent column
    }
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "interaction",
                "fields": {"interaction_id": "id", "customer_id": "cliente", "agent_id": "agente"},
                "constants": {"channel": "call_center", "kind": "call"},
                "source": {"path": "data/calls_*.csv"},
                "files": files,
            }
        ],
        project={"policy": {"checks": {"OC-REF-001": {"enabled": False}}}},
    )
    result = _run(root)
    assert _feed(result).rows == 7 and _feed(result).files == 3
    (missing,) = _by_code(result, "OC-SRC-003")
    assert "calls_03.csv" in missing.message and missing.count == 3
    assert missing.field == "agent_id"
    assert missing.severity == "info"  # optional: those rows have no agent, allowed
    agents = _values(root, "agent_id")
    assert sorted(a for a in agents if a) == ["ag1", "ag1", "ag2", "ag3"]
    (dup,) = _by_code(result, "OC-SRC-009")
    assert dup.count == 1 and dup.samples[0].value == "L1 (calls_01.csv, calls_02.csv)"
    (pk,) = _by_code(result, "OC-FLD-004")  # the duplicate row is kept and counted
    assert pk.count == 2


def test_a_required_column_missing_from_some_files_is_an_error(tmp_path: Path) -> None:
    files = {"c_1.csv": "id,mail\nC1,a@b.com\n", "c_2.csv": "id\nC2\nC3\n"}
    root = write_project(
        tmp_path / "p",
        contracts=[
            {
                "entity": "customer",
                "primary_key": "customer_id",
                "fields": {
                    "customer_id": {"type": "string", "required": True},
                    "email": {"type": "string", "required": True},
                },
            }
        ],
        feeds=[
            {
                "entity": "customer",
                "fields": {"customer_id": "id", "email": "mail"},
                "source": {"path": "data/c_*.csv"},
                "files": files,
            }
        ],
    )
    result = _run(root)
    (missing,) = _by_code(result, "OC-SRC-003")
    assert (missing.count, missing.severity) == (2, "error")


def test_per_file_time_zone_and_constants(tmp_path: Path) -> None:
    sp = "id,quando\nS1,15/01/2024 10:00\n"
    mao = "id;quando\nM1;15/01/2024 10:00\n"
    manaus = {
        "path": "data/manaus.csv",
        "delimiter": ";",
        "encoding": "cp1252",
        "timezone": "America/Manaus",
        "constants": {"store_id": "MAO-02"},
    }
    root = _interactions(
        tmp_path / "p",
        {"occurred_at": {"column": "quando", "format": "%d/%m/%Y %H:%M"}},
        {"sp.csv": sp, "manaus.csv": mao.encode("cp1252")},
        constants={"channel": "store", "kind": "visit", "store_id": "SP-01"},
        source={"path": "data/sp.csv", "files": [manaus]},
    )
    binding = root / "channels" / "ch0.yaml"
    channel = binding.read_text()
    binding.write_text(
        channel.replace("channel: ch0\n", "channel: ch0\ntimezone: America/Sao_Paulo\n")
    )
    result = _run(root)
    assert not _by_code(result, "OC-FLD-013")  # every row has a zone
    times = _values(root, "occurred_at")
    hours = sorted(t.astimezone().utctimetuple().tm_hour for t in times)
    assert hours == [13, 14]  # 10:00 in São Paulo (UTC-3) and in Manaus (UTC-4)
    assert _values(root, "store_id") == ["MAO-02", "SP-01"]


# ------------------------------------------------------------------ strict rows


def test_shifted_row_is_rejected_not_read_shifted(tmp_path: Path) -> None:
    rows = (
        "id,cliente,nome,duracao\n"
        "L1,C1,Ana,30\n"
        "L2,C2,Silva, Maria,21,\n"  # an unquoted comma: one field too many, empty last field
        "L3,C3,Caio,45\n"
        "L4,C4\n"
    )
    root = write_project(
        tmp_path / "p",
        feeds=[
            {
                "entity": "interaction",
                "fields": {"interaction_id": "id", "customer_id": "cliente"},
                "constants": {"channel": "call_center", "kind": "call"},
                "unexpected_columns": "ignore",
                "files": {"ch0.csv": rows},
            }
        ],
        project={"policy": {"checks": {"OC-REF-001": {"enabled": False}}}},
    )
    result = _run(root)
    (bad,) = _by_code(result, "OC-SRC-006")
    assert bad.count == 2
    assert [s.value for s in bad.samples] == [
        "ch0.csv:3: too many columns",
        "ch0.csv:5: too few columns",
    ]
    assert _feed(result).rows == 2
    assert _values(root, "customer_id") == ["C1", "C3"]


@pytest.mark.parametrize(
    ("rows", "names"),
    [
        # every row ends with a delimiter the header has not: the file's style
        ("id,nome,mail\nC1,Ana,a@b.com,\nC2,Bia,b@b.com,\n", ["Ana", "Bia"]),
        # quoted line breaks and quotes are one field
        (
            'id,nome,mail\nC1,"Ana\nda Silva",a@b.com\nC2,"Bia ""B""",b@b.com\n',
            ["Ana\nda Silva", 'Bia "B"'],
        ),
    ],
)
def test_rows_that_are_whole(tmp_path: Path, rows: str, names: list[str]) -> None:
    root = write_project(
        tmp_path / "p",
        feeds=[{"entity": "customer", "fields": CUSTOMER, "files": {"ch0.csv": rows}}],
    )
    result = _run(root)
    assert not _by_code(result, "OC-SRC-006") and _feed(result).rows == 2
    assert _values(root, "full_name") == names


def test_wide_ragged_row_and_megabyte_field(tmp_path: Path) -> None:
    head = "id,nome,mail\n" + "".join(f"C{i},N{i},n{i}@b.com\n" for i in range(50))
    ragged = head + ",".join(["x"] * 40_000) + "\n" + "C99,Z,z@b.com\n"
    big = head + 'C98,"' + "y" * 1_000_000 + '",big@b.com\n'
    for name, text, rows, rejected in (("r", ragged, 51, 1), ("b", big, 51, 0)):
        root = write_project(
            tmp_path / name,
            feeds=[{"entity": "customer", "fields": CUSTOMER, "files": {"ch0.csv": text}}],
        )
        result = _run(root)
        assert _feed(result).rows == rows, name
        assert sum(f.count for f in _by_code(result, "OC-SRC-006")) == rejected, name


def test_one_bad_jsonl_line_is_one_finding(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "m1", "ts": "2024-01-01T10:00:00Z"}),
        '{"id": "m2", "ts": ',
        json.dumps({"id": "m3", "ts": "2024-01-01T11:00:00Z"}),
        "",
        json.dumps({"id": "m4", "ts": "2024-01-01T12:00:00Z"}),
    ]
    root = _interactions(
        tmp_path / "p",
        {"occurred_at": "ts"},
        {"m.jsonl": "\n".join(lines) + "\n"},
        source={"path": "data/m.jsonl"},
    )
    result = _run(root)
    (bad,) = _by_code(result, "OC-SRC-006")
    assert bad.count == 1 and bad.samples[0].value == "m.jsonl:2: not a JSON record"
    assert _feed(result).rows == 3
    assert not _by_code(result, "OC-SRC-002")


# ------------------------------------------------------------------ formats


def test_duration_forms(tmp_path: Path) -> None:
    cases = {
        "hh:mm:ss": (["01:02:03", "0:00:45", "25:00:00", "1:75:00"], [3723, 45, 90000, None]),
        "mm:ss": (["02:03", "75:30", "1:2:3"], [123, 4530, None]),
        "iso8601": (["PT1H2M3S", "PT45S", "P1DT1M", "PT", "1h"], [3723, 45, 86460, None, None]),
        "seconds": (["45", '"12,5"', "x"], [45, 13, None]),
        "milliseconds": (["45000", "1500"], [45, 2]),
        "duration": (["01:00:00", "02:30", "PT2M", "90"], [3600, 150, 120, 90]),
    }
    for i, (fmt, (raw, expected)) in enumerate(cases.items()):
        rows = "id,dur\n" + "".join(f"I{j},{v}\n" for j, v in enumerate(raw))
        root = _interactions(
            tmp_path / f"p{i}",
            {"duration_seconds": {"column": "dur", "format": fmt}},
            {"ch0.csv": rows},
        )
        result = _run(root)
        assert _values(root, "duration_seconds", "interaction_id") == expected, fmt
        failures = sum(f.count for f in _by_code(result, "OC-MAP-001"))
        assert failures == expected.count(None), fmt


def test_timestamp_forms(tmp_path: Path) -> None:
    """Date and time in two columns, 12-hour clocks, epoch seconds/ms/us, all to UTC."""
    rows = (
        "id,data,hora,us_time,ep_s,ep_ms,ep_us\n"
        "I1,15/01/2024,14:30,01/15/2024 02:30 PM,1705329000,1705329000000,1705329000000000\n"
        "I2,31/02/2024,09:00,13/15/2024 02:30 PM,99999999999999999,-1e30,abc\n"
    )
    forms = {
        "split": {"column": "data", "time_column": "hora", "format": "%d/%m/%Y %H:%M"},
        "twelve": {"column": "us_time", "format": "%m/%d/%Y %I:%M %p"},
        "ep_s": {"column": "ep_s", "format": "epoch_s"},
        "ep_ms": {"column": "ep_ms", "format": "epoch_ms"},
        "ep_us": {"column": "ep_us", "format": "epoch_us"},
    }
    for name, mapping in forms.items():
        root = _interactions(
            tmp_path / name,
            {"occurred_at": {**mapping, "timezone": "UTC"}},
            {"ch0.csv": rows},
            unexpected_columns="ignore",
        )
        result = _run(root)  # never exit 2: bad values are findings
        values = _values(root, "occurred_at")
        good = [v for v in values if v is not None]
        assert len(good) == 1 and good[0].isoformat().startswith("2024-01-15T14:30:00"), name
        (bad,) = _by_code(result, "OC-MAP-001")
        assert bad.count == 1, name


def test_epoch_millis_in_parquet_and_values_that_do_not_fit(tmp_path: Path) -> None:
    root = tmp_path / "p"
    (root / "data").mkdir(parents=True)
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT * FROM (VALUES
              ('e1', 1705329000000::BIGINT, 12::HUGEINT, '1.234,50'),
              ('e2', 9223372036854775807::BIGINT, 170141183460469231731687303715884105727::HUGEINT, '2.000'),
              ('e3', -9223372036854775807::BIGINT, 5::HUGEINT, '7,5'))
            t(id, ts_ms, dur, valor)) TO '{root / "data" / "web.parquet"}' (FORMAT parquet)"""
    )
    fields = {
        "occurred_at": {"column": "ts_ms", "format": "epoch_ms"},
        "duration_seconds": "dur",
        "amount": {"column": "valor", "decimal_separator": ","},
    }
    _interactions(root, fields, {}, source={"path": "data/web.parquet"})
    result = _run(root)
    assert _feed(result).rows == 3
    maps = {f.field: f.count for f in _by_code(result, "OC-MAP-001")}
    assert maps.get("occurred_at") == 2
    times = [t for t in _values(root, "occurred_at") if t is not None]
    assert [t.isoformat()[:19] for t in times] == ["2024-01-15T14:30:00"]
    assert sorted(_values(root, "amount")) == [7.5, 1234.5, 2000.0]
    durations = _values(root, "duration_seconds")
    assert sorted(d for d in durations if d is not None) == [5, 12]


def test_thousands_separator(tmp_path: Path) -> None:
    rows = 'id,amount\nI1,"1,234.50"\nI2,12.5\nI3,"1,2,3.4.5"\n'
    root = _interactions(
        tmp_path / "p",
        {"amount": {"column": "amount", "thousands_separator": ","}},
        {"ch0.csv": rows},
    )
    _run(root)
    values = _values(root, "amount")
    assert sorted(v for v in values if v is not None) == [12.5, 1234.5]


@pytest.mark.parametrize("name", ["cp1252", "latin-1", "iso-8859-15", "cp1250", "utf-16le"])
def test_system_converter_writes_what_python_does(tmp_path: Path, name: str) -> None:
    """The fast path (the system's iconv, when installed) and the codec path agree byte for
    byte; a file the system converter refuses falls back to the codec path."""
    import shutil

    from omnicontract.validators.feeds import encoding

    every = bytes(b for b in range(0x20, 0x100) if b not in b"\x7f\x81\x8d\x8f\x90\x9d")
    source = tmp_path / "a.csv"
    text = "id,obs\n" + "".join(f"L{i},{every.decode('cp1252')}\n" for i in range(3))
    if name == "utf-16le":
        source.write_bytes(text.encode(name))
    else:
        source.write_bytes(text.encode("cp1252" if name == "latin-1" else name, errors="replace"))

    def by_codec() -> bytes:
        return b"".join(t.encode("utf-8", "surrogateescape") for t in encoding.chunks(source, name))

    fast = encoding.transcode(source, name, tmp_path / "fast.csv").read_bytes()
    assert fast == by_codec()
    if name in ("cp1252", "latin-1"):
        assert "\u20ac".encode() in fast and "\u201c".encode() in fast  # 0x80, 0x93
    if shutil.which("iconv") and name != "utf-16le":
        source.write_bytes(source.read_bytes() + b"L9,\x81\n")  # not Windows-1252
        out = encoding.transcode(source, name, tmp_path / "mixed.csv").read_bytes()
        assert out == by_codec()
        if name == "cp1252":
            assert out.endswith(b"L9,\xff\n")  # an invalid byte stays invalid


@pytest.mark.parametrize("name", ["at", "pivot", "qualify", "order", "select", "Summarize"])
def test_a_column_named_like_a_keyword_is_read(tmp_path: Path, name: str) -> None:
    """Exports name columns freely; a name DuckDB's grammar reads as a keyword is a name."""
    root = write_project(
        tmp_path / "p",
        contracts=[
            {
                "entity": "visit",
                "primary_key": "visit_id",
                "fields": {
                    "visit_id": {"type": "string", "required": True},
                    "seen": {"type": "timestamp"},
                },
            }
        ],
        feeds=[
            {
                "entity": "visit",
                "fields": {"visit_id": name, "seen": {"column": "at", "format": "%Y-%m-%d %H:%M"}}
                if name != "at"
                else {"visit_id": "id", "seen": {"column": "at", "format": "%Y-%m-%d %H:%M"}},
                "rows": f"{name if name != 'at' else 'id'},at\nv1,2024-01-02 10:00\n"
                "v1,2024-01-03 11:00\n",
            }
        ],
    )
    result = _run(root)
    assert not _by_code(result, "OC-SRC-002")
    assert _feed(result).rows == 2
    (pk,) = _by_code(result, "OC-FLD-004")
    assert pk.count == 2
    assert _values(root, "seen", "seen")[0].hour == 10
