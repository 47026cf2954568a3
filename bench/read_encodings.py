"""What reading costs: a Windows-1252 export against the same rows in UTF-8, and the
wide-row and long-field cases of a CSV.

    python bench/read_encodings.py --size-mb 1024          # the 1 GB comparison
    python bench/read_encodings.py --size-mb 64 --repeat 1  # quick

Each measurement runs in a child process (so its peak memory is its own): a feed of
the file is read by the run's engine exactly as ``validate`` reads it (transcoding,
layout, strict rows, every column checked for bad bytes) into the raw table of its
mapped columns. Printed: seconds (median of ``--repeat``), peak resident memory of the
child, and the cp1252 / UTF-8 ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAMES = ["João", "Conceição", "Muñoz", "Peña", "Åsa", "Zoë", "O\u2019Brien", "Françoise", "Íñigo"]
NOTES = ["“ótimo” atendimento", "cliente pediu \u2013 reembolso", "pagó 12,50 €", "sin observación"]


def write_export(path: Path, size: int, encoding: str, rows_wanted: int = 0) -> int:
    """A call-center export of about ``size`` bytes (or of ``rows_wanted`` rows); the same
    rows, in the same order, for every encoding."""
    rng = random.Random(7)
    rows, written = 0, 0
    with open(path, "wb") as out:
        header = "id;cliente;nome;telefone;data_hora;duracao;obs\n".encode(encoding)
        out.write(header)
        written += len(header)
        block: list[str] = []
        while (rows < rows_wanted) if rows_wanted else (written < size):
            rows += 1
            block.append(
                f"L{rows};C{rng.randrange(10**6)};{rng.choice(NAMES)} {rng.choice(NAMES)};"
                f"(11) 9{rng.randrange(10**8):08d};{rng.randrange(1, 29):02d}/01/2024 "
                f"{rng.randrange(24):02d}:{rng.randrange(60):02d};{rng.randrange(3600)};"
                f"{rng.choice(NOTES)}\n"
            )
            if len(block) == 10_000 or (rows_wanted and rows == rows_wanted):
                data = "".join(block).encode(encoding)
                out.write(data)
                written += len(data)
                block = []
        if block:
            out.write("".join(block).encode(encoding))
    return rows


def read_once(path: str, encoding: str, delimiter: str) -> dict[str, float]:
    """Child: read the file as a feed, map every column, report seconds and rows."""
    from omnicontract.contracts.model import Source
    from omnicontract.validators.engines.base import EngineOptions
    from omnicontract.validators.engines.duckdb import DuckDBEngine
    from omnicontract.validators.feeds.reader import FeedReader

    engine = DuckDBEngine(EngineOptions())
    started = time.perf_counter()
    source = Source(path=path, delimiter=delimiter, encoding=encoding)
    reader = FeedReader(engine, Path("/"), source, prefix="b", samples=5)
    selected = {f"c{i}": reader.resolve(name) for i, name in enumerate(reader.columns)}
    created = reader.load("raw", selected)
    from sqlalchemy import func, select

    rows = engine.fetch(select(func.count()).select_from(created))[0][0]
    seconds = time.perf_counter() - started
    engine.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "rows": rows, "peak_mb": peak_kb / 1024}


def measure(path: Path, encoding: str, repeat: int) -> dict[str, float]:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(path), encoding, ";"],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "rows": runs[0]["rows"],
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


def wide_and_long(folder: Path) -> list[tuple[str, float]]:
    """A 40,000-field ragged row and a 1 MB field, each in a 10,000-row file."""
    head = "id,nome,obs\n" + "".join(f"C{i},N{i},ok\n" for i in range(10_000))
    cases = {
        "ragged row of 40,000 fields": head + ",".join(["x"] * 40_000) + "\n",
        "field of 1 MB": head + 'C0,"' + "y" * 1_000_000 + '",z\n',
        "field of 12 MB (over the line limit)": head + 'C0,"' + "y" * 12_000_000 + '",z\n',
    }
    out = []
    for name, text in cases.items():
        path = folder / "wide.csv"
        path.write_text(text)
        result = measure_csv(path)
        out.append((name, result))
    return out


def measure_csv(path: Path) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "utf-8", ","],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["seconds"]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(read_once(sys.argv[2], sys.argv[3], sys.argv[4])))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        size = args.size_mb << 20
        results = {}
        rows = 0
        for encoding in ("utf-8", "cp1252"):
            path = folder / f"calls_{encoding}.csv"
            rows = write_export(path, size, encoding, rows)
            results[encoding] = measure(path, encoding, args.repeat)
            mb = path.stat().st_size / 2**20
            r = results[encoding]
            print(
                f"{encoding:7} {mb:8.0f} MB {rows:>11,} rows  {r['seconds']:7.2f} s  "
                f"peak {r['peak_mb']:6.0f} MB"
            )
            path.unlink()
        ratio = results["cp1252"]["seconds"] / results["utf-8"]["seconds"]
        print(f"cp1252 / utf-8: {ratio:.2f}x")
        for name, seconds in wide_and_long(folder):
            print(f"{name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
