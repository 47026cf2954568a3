from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from omnicontract.validators import normalize
from omnicontract.validators.normalize import normalize_phones, to_e164


def test_to_e164_rules() -> None:
    assert to_e164("(11) 98765-4321", "BR") == "+5511987654321"
    assert to_e164("5511987654321", "BR") == "+5511987654321"  # national prefix stripped
    assert to_e164("5491123456789", None, international=True) == "+5491123456789"
    assert to_e164("123", "BR") is None
    assert to_e164("   ", "BR") is None
    assert to_e164(None, "BR") is None


def test_parallel_and_serial_agree(monkeypatch) -> None:
    rng = random.Random(3)
    values = [
        f"(1{rng.randint(1, 9)}) 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        for _ in range(3000)
    ]
    values += ["123", "", "+1 202 555 0143"] * 10
    serial = [to_e164(v, "BR") for v in values]
    monkeypatch.setattr(normalize, "PARALLEL_THRESHOLD", 100)
    assert normalize_phones(values, "BR") == serial


def test_pool_is_safe_from_a_script_without_main_guard(tmp_path) -> None:
    script = tmp_path / "pipeline.py"
    script.write_text(
        "from omnicontract.validators import normalize\n"
        "normalize.PARALLEL_THRESHOLD = 10\n"
        "out = normalize.normalize_phones(['(11) 98765-4321'] * 50, 'BR')\n"
        "print(len(out), out[0])\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["50", "+5511987654321"]


def _raw_phones(rng: random.Random, n: int) -> list[str]:
    """Phone-like text in every layout: plain ones (digits, spaces, ``( ) . -``, a
    leading ``+`` or ``00``) and the ones libphonenumber must read whole (letters,
    extensions, tabs, other punctuation, several pluses, very long)."""
    pieces = ["(", ")", " ", "-", ".", "+", "00", "0", "9", "x", "ext. ", "#", "\t", "/", ",", "A"]
    numbers = ["11987654321", "5511987654321", "2025550143", "12025550143", "442079460000"]
    numbers += ["1123456789", "5491123456789", "3023456789", "8005551234", "55119876543"]
    out = []
    for _ in range(n):
        digits = rng.choice(numbers) if rng.random() < 0.8 else str(rng.randint(0, 10**13))
        text = "".join(d + (rng.choice(pieces[:5]) if rng.random() < 0.25 else "") for d in digits)
        if rng.random() < 0.3:
            text = rng.choice(["+", "00", "0", "+ ", "(+", "++", " "]) + text
        if rng.random() < 0.15:
            text += rng.choice(pieces[9:]) + str(rng.randint(1, 999))
        if rng.random() < 0.05:
            text = " " * rng.randint(1, 200) + text
        out.append(text)
    # a '+' before no country calling code: read again as a number of the region
    again = ["+00 15 55 11 98765 4321", "+0015 5511987654321", "+011 44 20 7946 0958"]
    return [*out, *again, "", " ", "+", "00", "()", "+ ()", "0", "+0", "00 00"]


def test_plain_layouts_reduced_in_sql_normalize_alike() -> None:
    """The work item SQL derives from a raw value normalizes to the same E.164 as the raw
    value itself, for every layout, region and reading."""
    import duckdb
    from sqlalchemy import literal_column, select, table

    from omnicontract.validators.dialect import duckdb_dialect

    rng = random.Random(7)
    raws = _raw_phones(rng, 3000)
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT unnest(?::VARCHAR[]) AS raw", [raws])
    reduced = 0
    for region in ("BR", "US", "GB", "AR", None):
        for intl in (False, True):
            text, reg, is_intl = normalize.phone_work(literal_column("raw"), region, intl)
            stmt = select(literal_column("raw"), text, reg, is_intl).select_from(table("t"))
            sql = str(
                stmt.compile(dialect=duckdb_dialect(), compile_kwargs={"literal_binds": True})
            )
            for raw, item, item_region, item_intl in con.execute(sql).fetchall():
                reduced += item != raw
                assert to_e164(item, item_region or None, item_intl) == to_e164(
                    raw, region, intl
                ), (raw, region, intl, item)
    assert reduced > 10_000  # most values are of a plain layout


def test_phone_lookups_batch_and_share_work_across_feeds(monkeypatch) -> None:
    """Lookups built in small batches, on a pool, equal the serial normalization; a
    number written another way in a second feed is not normalized again."""
    from sqlalchemy import column, table

    from omnicontract.validators.engines.base import EngineOptions
    from omnicontract.validators.engines.duckdb import DuckDBEngine

    monkeypatch.setattr(normalize, "PARALLEL_THRESHOLD", 100)
    monkeypatch.setattr(normalize, "BATCH", 97)
    rng = random.Random(11)
    local = [
        f"(1{rng.randint(1, 9)}) 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        for _ in range(800)
    ]
    local += ["abc", "", "123", "(11) 98765-4321 ext. 5"]
    spaced = [v.replace("(", "").replace(")", "").replace("-", " ") for v in local]
    engine = DuckDBEngine(EngineOptions())
    con = engine.con
    try:
        con.execute("CREATE TABLE a AS SELECT unnest(?::VARCHAR[]) AS p", [local])
        con.execute("CREATE TABLE b AS SELECT unnest(?::VARCHAR[]) AS p", [spaced])
        engine.phones.build("la", table("a", column("p")), "p", "BR", False)
        normalized = con.execute("SELECT count(*) FROM phone_e164").fetchone()[0]
        engine.phones.build("lb", table("b", column("p")), "p", "BR", False)
        assert con.execute("SELECT count(*) FROM phone_e164").fetchone()[0] - normalized <= 3
        for name, values in (("la", local), ("lb", spaced)):
            got = dict(con.execute(f"SELECT raw, e164 FROM {name}").fetchall())
            assert got == {v: to_e164(v, "BR") for v in set(values)}
    finally:
        engine.close()


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        out |= {int(c) for c in (task / "children").read_text().split()}
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_pool_workers_end_with_a_killed_process(tmp_path) -> None:
    script = tmp_path / "killed.py"
    script.write_text(
        "import sys, time\n"
        "from omnicontract.validators import normalize\n"
        "normalize.PARALLEL_THRESHOLD = 10\n"
        "def slow(items):\n"
        "    sys.stdout.write('working\\n')\n"  # one write per worker: lines never mix
        "    sys.stdout.flush()\n"
        "    time.sleep(600)\n"
        "    return [None] * len(items)\n"
        "normalize._normalize_chunk = slow\n"
        "normalize.normalize_phones(['(11) 98765-4321'] * 50, 'BR')\n"
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "working"
        workers = _children(proc.pid)
        assert workers
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 20
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [w for w in workers if _alive(w)]


def _sizes(items: list) -> list[str]:
    return [str(len(items))] * len(items)


def test_one_batch_is_spread_over_every_worker(monkeypatch) -> None:
    # 20k-50k distinct values are one batch: it is split over the workers, not given to one
    monkeypatch.setattr(normalize, "PARALLEL_THRESHOLD", 100)
    monkeypatch.setattr(normalize.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(normalize, "_normalize_chunk", _sizes)  # forked workers see it
    out = normalize_phones([f"(11) 9{i:04d}-{i:04d}" for i in range(200)], "BR")
    assert out == ["50"] * 200
