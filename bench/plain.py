"""The plain workload, side by side: omnicontract against the same ten checks written by
hand in DuckDB SQL (and pandera on polars when it is installed), in one run.

    python bench/plain.py --scale 5M [--repeat 3] [--memory-limit 2GB]

Scales: 1M, 5M or 50M interactions, with one customer per 25 interactions (40k, 200k,
2M). The data and project are generated once per scale under ``bench/out/plain-<scale>/``.
Every tool runs as a whole process, measured like ``run.py`` does (wall time, the child's
own peak RSS, its temporary disk); the failing count of every check is compared across
tools and with the count planted by the generator.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plain_generate import CHECKS, GENERATOR_VERSION
from run import (
    add_attempts,
    cached_or_generated,
    conclude,
    measure_tools,
    omnicontract_cmd,
    print_setting,
    save_results,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
SCALES = {"1M": 1_000_000, "5M": 5_000_000, "50M": 50_000_000}

# (check, channel, field) of an omnicontract finding -> the plain workload's check name
FINDING_NAMES = {
    ("required", "crm", "customer_id"): "customers.customer_id not-null",
    ("pattern", "crm", "email"): "customers.email pattern",
    ("pattern", "crm", "phone"): "customers.phone pattern",
    ("required", "events", "interaction_id"): "interactions.interaction_id not-null",
    ("unique", "events", "interaction_id"): "interactions.interaction_id unique",
    ("required", "events", "customer_id"): "interactions.customer_id not-null",
    ("missing-reference", "events", "customer_id"): "interactions.customer_id reference",
    ("enum", "events", "channel"): "interactions.channel enum",
    ("unparseable", "events", "occurred_at"): "interactions.occurred_at parseable",
    ("range", "events", "duration_s"): "interactions.duration_s range",
}


def dataset(interactions: int, regenerate: bool) -> tuple[Path, dict]:
    target = OUT / f"plain-i{interactions}"
    meta = cached_or_generated(
        target,
        GENERATOR_VERSION,
        regenerate,
        "plain_generate.py",
        "--interactions",
        str(interactions),
    )
    return target, meta


def tools(project: Path, work: Path, memory_limit: str | None, other: str | None = None) -> dict:
    limit = ("--memory-limit", memory_limit) if memory_limit else ()
    out = {
        "duckdb-sql": lambda i: [
            sys.executable,
            str(HERE / "plain_baseline.py"),
            str(project),
            "--output",
            str(work / f"duckdb-sql-{i}.json"),
            *limit,
        ],
        "per-feed": lambda i: omnicontract_cmd(
            project, work / f"per-feed-{i}.json", "--per-feed", *limit
        ),
        "omnicontract": lambda i: omnicontract_cmd(
            project, work / f"omnicontract-{i}.json", *limit
        ),
    }
    if other:  # another build of omnicontract (before a change, say), in the same rounds
        for name, flags in (("per-feed", ("--per-feed", *limit)), ("omnicontract", limit)):
            out[f"{name}@other"] = lambda i, n=name, f=flags: omnicontract_cmd(
                project, work / f"{n}@other-{i}.json", *f, exe=other
            )
    if importlib.util.find_spec("pandera") and importlib.util.find_spec("polars"):
        out["pandera-polars"] = lambda i: [
            sys.executable,
            str(HERE / "plain_pandera.py"),
            str(project),
            "--output",
            str(work / f"pandera-polars-{i}.json"),
        ]
    return out


def counts_of(name: str, path: Path) -> tuple[dict[str, int], dict[str, int]]:
    """The ten checks' failing counts a tool reported, and (omnicontract) its other findings."""
    report = json.loads(path.read_text())
    if "counts" in report:
        return report["counts"], {}
    counts = dict.fromkeys(CHECKS, 0)
    other: dict[str, int] = {}
    for f in report["findings"]:
        key = FINDING_NAMES.get((f["check"], f["channel"], f["field"]))
        if key:
            counts[key] = int(f["count"])
        elif f["count"]:
            other[f"{f['code']} {f['check']}"] = other.get(f"{f['code']} {f['check']}", 0) + int(
                f["count"]
            )
    return counts, other


def compare(work: Path, names: list[str], last: int, expected: dict[str, int]) -> list[str]:
    """Print the count of every check per tool; return the checks where a tool differs
    from the planted count."""
    per_tool = {}
    others = {}
    for name in names:
        per_tool[name], others[name] = counts_of(name, work / f"{name}-{last}.json")
    width = max(len(c) for c in CHECKS)
    print(f"\n{'check':<{width}} {'planted':>8} " + " ".join(f"{n:>14}" for n in names))
    bad = []
    for check in CHECKS:
        row = [per_tool[n].get(check) for n in names]
        mark = "" if all(v == expected[check] for v in row) else "  <- differs"
        if mark:
            bad.append(check)
        print(
            f"{check:<{width}} {expected[check]:>8} "
            + " ".join(f"{'-' if v is None else v:>14}" for v in row)
            + mark
        )
    for name in names:
        if others[name]:
            print(
                f"{name} also found: "
                + ", ".join(f"{k} ({v} rows)" for k, v in sorted(others[name].items()))
            )
    return bad


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="5M", help="interactions")
    ap.add_argument("--interactions", type=int, help="any other size (overrides --scale)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each tool (median reported)")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured runs of each tool first")
    ap.add_argument("--wait-quiet", type=float, default=300, metavar="S")
    ap.add_argument("--memory-limit", metavar="SIZE", help="e.g. 2GB, for every DuckDB tool")
    ap.add_argument("--tools", help="comma-separated subset of the tools [default: all found]")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the cached data set")
    ap.add_argument(
        "--other",
        metavar="EXE",
        help="also measure this omnicontract executable (another checkout's build), as "
        "per-feed@other and omnicontract@other",
    )
    add_attempts(ap)
    args = ap.parse_args(argv)

    project, meta = dataset(args.interactions or SCALES[args.scale], args.regenerate)
    work = OUT / "runs" / (project.name + (f"-mem{args.memory_limit}" if args.memory_limit else ""))
    work.mkdir(parents=True, exist_ok=True)
    commands = tools(project, work, args.memory_limit, args.other)
    if args.tools:
        wanted = args.tools.split(",")
        unknown = set(wanted) - set(commands)
        if unknown:
            ap.error(f"--tools: unknown or not installed: {', '.join(sorted(unknown))}")
        commands = {n: c for n, c in commands.items() if n in wanted}
    print(
        f"data: {meta['customers']:,} customers, {meta['interactions']:,} interactions, "
        f"{meta['bytes'] / 2**20:.0f} MiB of CSV (generated in {meta['seconds']:.1f} s)"
    )
    print_setting(args.memory_limit, args.attempts)
    print(f"tools: {', '.join(commands)}")
    runs = measure_tools(commands, args.repeat, args.warmup, work, args.wait_quiet)
    base = "duckdb-sql" if "duckdb-sql" in runs else next(iter(runs))
    summary = conclude(runs, args.repeat, args.warmup, base)
    bad = compare(work, list(commands), args.repeat - 1, meta["expected"])
    print("every count matches the planted defects" if not bad else f"{len(bad)} check(s) differ")
    result = {
        "scale": args.scale if not args.interactions else None,
        "customers": meta["customers"],
        "interactions": meta["interactions"],
        "bytes": meta["bytes"],
        "differing_checks": bad,
    }
    save_results(work, result, summary, runs, args)


if __name__ == "__main__":
    main()
