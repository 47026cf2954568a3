"""Verdicts of omnicontract against the ODCS reference tool (datacontract-cli) on random
ODCS contracts and data.

    python tools/upstream_verdicts.py --datacontract /path/to/venv/bin/datacontract \\
        [--cases 100] [--seed 1] [--clean-share 0.5] [--keep DIR]

Each case is one schema object of two to five properties (types, required, unique, a
primary key, length, pattern and range options, library quality rules with bounds, in rows
or percent, a row count) and its data as CSV, Parquet or JSON Lines, generated from the
seed: values that meet the contract, with defects (nulls, empty text, values out of range
or vocabulary, repeats) in a share of the cases. Both tools judge the same files; a
verdict is ``passed`` (the reference tool's ``warning``, the checks it cannot run, counts
as passed, as does omnicontract's exit 0) or ``failed``. The tally is printed, then each
case where the verdicts differ, with what each tool reported. datacontract-cli is not a
dependency: install it in a virtual environment of its own
(``pip install 'datacontract-cli[duckdb,parquet]'``) and name its executable.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import yaml

TYPES = ("string", "integer", "number", "boolean", "date", "timestamp")
FORMATS = ("csv", "csv", "parquet", "json")


def _value(rng: random.Random, kind: str, i: int, bad: bool) -> Any:
    if kind == "string":
        return rng.choice(["", "  ", "ZZZ"]) if bad else rng.choice([f"v{i % 7}", f"c-{i}", "ab"])
    if kind == "integer":
        return rng.choice([-5, 1000]) if bad else rng.randint(0, 100)
    if kind == "number":
        return rng.choice([-1.5, 500.25]) if bad else round(rng.uniform(0, 100), 2)
    if kind == "boolean":
        return rng.choice([True, False])
    day = f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    return day if kind == "date" else f"{day}T1{rng.randint(0, 9)}:00:00Z"


def _options(rng: random.Random, kind: str) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if kind == "string":
        if rng.random() < 0.3:
            opts["minLength"] = rng.choice([1, 2, 3])
        if rng.random() < 0.3:
            opts["maxLength"] = rng.choice([3, 5, 8])
        if rng.random() < 0.3:
            opts["pattern"] = rng.choice(["^v[0-9]$", "[a-z]", "^c-", "^[A-Z]+$"])
    if kind in ("integer", "number"):
        if rng.random() < 0.4:
            opts["minimum"] = rng.choice([0, 10])
        if rng.random() < 0.4:
            opts["maximum"] = rng.choice([50, 100])
    return opts


def _rule(rng: random.Random, kind: str) -> dict[str, Any] | None:
    metric = rng.choice(["nullValues", "invalidValues", "duplicateValues", "missingValues"])
    rule: dict[str, Any] = {"type": "library", "metric": metric}
    if metric == "invalidValues":
        if kind == "string":
            rule["arguments"] = {"validValues": [f"v{j}" for j in range(5)]}
        elif kind == "integer":
            rule["arguments"] = {"validValues": list(range(50))}
        else:
            return None
    if metric == "missingValues":
        rule["arguments"] = {"missingValues": [None, "", "N/A"]}
    bound = rng.choice(["mustBe", "mustBeLessThan", "mustBeLessOrEqualTo"])
    rule[bound] = rng.choice([0, 1, 2, 3])
    if rng.random() < 0.2:
        rule["unit"], rule[bound] = "percent", rng.choice([5, 10, 50])
    return rule


def make_case(seed: int, root: Path, clean: bool) -> None:
    """The contract ``c.odcs.yaml`` and its data file in ``root``."""
    rng = random.Random(seed)
    rows = rng.randint(5, 30)
    props: list[dict[str, Any]] = []
    records: list[dict[str, Any]] = [{} for _ in range(rows)]
    for k in range(rng.randint(2, 5)):
        kind = rng.choice(TYPES)
        prop: dict[str, Any] = {"name": f"c{k}", "logicalType": kind}
        if rng.random() < 0.4:
            prop["required"] = True
        if rng.random() < 0.2 and kind in ("string", "integer"):
            prop["unique"] = True
        opts = _options(rng, kind)
        if opts:
            prop["logicalTypeOptions"] = opts
        rule = _rule(rng, kind) if rng.random() < 0.3 else None
        if rule:
            prop["quality"] = [rule]
        props.append(prop)
        bad = 0.0 if clean else rng.choice([0, 0, 0.1, 0.3])
        nulls = 0.0 if clean and prop.get("required") else rng.choice([0, 0, 0.1])
        for i, record in enumerate(records):
            missing = rng.random() < nulls
            record[prop["name"]] = None if missing else _value(rng, kind, i, rng.random() < bad)
    if rng.random() < 0.2:
        rng.choice(props)["primaryKey"] = True
    obj: dict[str, Any] = {"name": "t", "properties": props}
    if rng.random() < 0.2:
        bound = rng.choice(["mustBeGreaterThan", "mustBeLessThan"])
        obj["quality"] = [{"type": "library", "metric": "rowCount", bound: rng.choice([5, 20])}]
    fmt = rng.choice(FORMATS)
    lines = root / "data.jsonl"
    lines.write_text("".join(json.dumps(r) + "\n" for r in records))
    server: dict[str, Any] = {"server": "local", "type": "local", "format": fmt}
    if fmt == "json":
        server |= {"delimiter": "new_line", "path": "./data.jsonl"}
    else:
        con = duckdb.connect()
        table = con.read_json(str(lines), format="newline_delimited")
        target = root / f"data.{fmt}"
        (table.write_csv if fmt == "csv" else table.write_parquet)(str(target))
        con.close()
        lines.unlink()
        server["path"] = f"./{target.name}"
    doc = {
        "apiVersion": "v3.0.2",
        "kind": "DataContract",
        "id": f"case-{seed}",
        "version": "1.0.0",
        "status": "active",
        "servers": [server],
        "schema": [obj],
    }
    (root / "c.odcs.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def reference(exe: str, root: Path) -> tuple[str, str]:
    subprocess.run(
        [exe, "test", "c.odcs.yaml", "--output-format", "json", "--output", "dc.json"],
        cwd=root,
        capture_output=True,
        timeout=600,
    )
    try:
        report = json.loads((root / "dc.json").read_text())
    except (OSError, ValueError):
        return "error", "no report"
    failed = [c for c in report.get("checks", []) if c.get("result") in ("failed", "error")]
    verdict = "failed" if report.get("result") in ("failed", "error") else "passed"
    return verdict, "; ".join(
        f"{c.get('field')}: {c.get('reason') or c.get('name')}" for c in failed
    )


def ours(root: Path) -> tuple[str, str]:
    exe = shutil.which("omnicontract", path=str(Path(sys.executable).parent)) or "omnicontract"
    proc = subprocess.run(
        [exe, "validate", "c.odcs.yaml", "--no-history", "--format", "json"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode not in (0, 1):
        return "error", proc.stderr.strip()
    errors = [f for f in json.loads(proc.stdout)["findings"] if f["severity"] == "error"]
    verdict = "failed" if proc.returncode else "passed"
    return verdict, "; ".join(f"{f['code']} {f.get('field')}: {f['message']}" for f in errors)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--datacontract", required=True, help="datacontract-cli's executable")
    ap.add_argument("--cases", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--clean-share", type=float, default=0.5, help="cases without defects")
    ap.add_argument("--keep", type=Path, help="keep the cases in this folder")
    args = ap.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="oc-verdicts-"))
    tally: collections.Counter[tuple[str, str]] = collections.Counter()
    differ = []
    for n in range(args.cases):
        seed = args.seed * 100_000 + n
        root = work / str(seed)
        root.mkdir(parents=True, exist_ok=True)
        make_case(seed, root, clean=random.Random(seed).random() < args.clean_share)
        theirs, mine = reference(args.datacontract, root), ours(root)
        tally[theirs[0], mine[0]] += 1
        if theirs[0] != mine[0]:
            differ.append((seed, theirs, mine))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{args.cases} cases (seed {args.seed}); reference verdict / omnicontract verdict:")
    for (theirs_v, mine_v), count in sorted(tally.items()):
        print(f"  {theirs_v:>6} / {mine_v:<6} {count}")
    for seed, theirs, mine in differ:
        print(f"\ncase {seed}: reference {theirs[0]}, omnicontract {mine[0]}")
        print(f"  reference:    {theirs[1][:400]}")
        print(f"  omnicontract: {mine[1][:400]}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
