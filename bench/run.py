"""Benchmark omnicontract against the hand-written DuckDB baseline on generated data.

    python bench/run.py --customers 200000 --interactions 5000000 [--repeat 3]

Generates the project once per size (cached under bench/out/), then runs, as whole
processes, ``omnicontract validate DIR --format json`` and ``python bench/baseline.py DIR``,
alternating their order on each repetition. Wall time is measured around each child;
peak memory is the child's own ``ru_maxrss`` from ``os.wait4`` (one child at a time, so
no mixing with earlier children). Prints the medians, the ratios to the baseline, and
whether both found the same failing counts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import GENERATOR_VERSION

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def dataset(customers: int, interactions: int, regenerate: bool) -> tuple[Path, dict]:
    target = OUT / f"c{customers}-i{interactions}"
    meta = cached_or_generated(
        target, GENERATOR_VERSION, regenerate,
        "generate.py", "--customers", str(customers), "--interactions", str(interactions),
    )  # fmt: skip
    return target, meta


def cached_or_generated(
    target: Path, version: int | str, regenerate: bool, script: str, *args: str
) -> dict:
    """The ``bench-meta.json`` of the data set in ``target``, generated first by the
    generator ``script`` unless it is there from the same generator version. The
    generator runs in a child process: Linux carries a process's peak memory into the
    children it forks, so generating in the measuring process would inflate every
    tool's peak."""
    meta_file = target / "bench-meta.json"
    if not regenerate and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("generator_version") == version:
            return meta
    print(f"generating {target} ...", flush=True)
    subprocess.run([sys.executable, str(HERE / script), *args, "--out", str(target)], check=True)
    return json.loads(meta_file.read_text())


def warm_cache(project: Path) -> None:
    """Read every export once so that neither tool pays for the first read from disk."""
    for path in sorted((project / "exports").iterdir()):
        with path.open("rb") as fh:
            while fh.read(1 << 24):
                pass


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent outside idle since boot (0 where unknown)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def tree_bytes(root: Path) -> int:
    """Bytes of the files under ``root`` (0 when it vanished meanwhile)."""
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):  # removed while we looked
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
    return total


def measure(cmd: list[str], log: Path) -> dict:
    """Run ``cmd`` to completion; its wall time, peak RSS, CPU and exit code, the CPU time
    other processes took meanwhile (a measure of how disturbed the run was), and the most
    temporary disk it held: the child gets a ``TMPDIR`` of its own, sampled every 0.2 s
    (both tools put their engine's spill files there)."""
    tmp = log.with_suffix(".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    peak_tmp = 0
    stop = threading.Event()

    def sample_tmp() -> None:
        nonlocal peak_tmp
        while not stop.wait(0.2):
            peak_tmp = max(peak_tmp, tree_bytes(tmp))

    sampler = threading.Thread(target=sample_tmp, daemon=True)
    with log.open("wb") as out:
        machine_cpu = busy_cpu_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "TMPDIR": str(tmp)}
        )
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        machine_cpu = busy_cpu_seconds() - machine_cpu
        stop.set()
        sampler.join()
    shutil.rmtree(tmp, ignore_errors=True)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "wall_s": wall,
        "peak_mib": usage.ru_maxrss / 1024,  # Linux: KiB
        "tmp_peak_mib": peak_tmp / 2**20,
        "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime,
        "others_cpu_s": max(machine_cpu - cpu, 0.0),
        "exit": proc.returncode,
    }


def omnicontract_cmd(project: Path, output: Path, *extra: str, exe: str | None = None) -> list[str]:
    exe = (
        exe
        or shutil.which("omnicontract", path=str(Path(sys.executable).parent))
        or shutil.which("omnicontract")
    )
    if exe is None:
        sys.exit("omnicontract is not installed in this environment (pip install -e .)")
    return [
        exe,
        "validate",
        str(project),
        "--format",
        "json",
        "--output",
        str(output),
        "-q",
        *extra,
    ]


def baseline_cmd(project: Path, output: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(HERE / "baseline.py"),
        str(project),
        "--output",
        str(output),
        *extra,
    ]


# checks the baseline implements; omnicontract's other findings (source, contract lint,
# cross-channel identity checks) have no counterpart there and are listed separately
BASELINE_CHECKS = {
    "primary-key",
    "length",
    "required",
    "unparseable",
    "future-timestamp",
    "unmapped-value",
    "type",
    "range",
    "email",
    "phone",
    "country",
    "currency",
    "missing-reference",
}


def omnicontract_counts(report: dict) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Counts of the checks the baseline also runs, and the others per check name."""
    same: dict[str, int] = {}
    extra: dict[str, list[int]] = {}
    for f in report["findings"]:
        if f["check"] in BASELINE_CHECKS:
            same[f"{f['check']}|{f['channel']}|{f['field']}"] = int(f["count"])
        else:
            extra.setdefault(f"{f['code']} {f['check']}", []).append(int(f["count"]))
    return same, extra


def compare(ours: dict[str, int], theirs: dict[str, int]) -> list[str]:
    lines = []
    for key in sorted(set(ours) | set(theirs)):
        a, b = ours.get(key), theirs.get(key)
        if a != b:
            lines.append(
                f"  {key}: omnicontract {a if a is not None else '-'}, baseline {b or '-'}"
            )
    return lines


def wait_quiet(limit_s: float) -> float:
    """Wait up to ``limit_s`` for other work on the machine to stop; the last busy fraction."""
    deadline = time.monotonic() + limit_s
    busy = cpu_busy()
    while busy > 0.15 and time.monotonic() < deadline:
        busy = cpu_busy(2.0)
    return busy


DISTURBED = 0.05  # other processes' CPU time, as a fraction of the run's wall time


ATTEMPTS = 3  # measurements of a disturbed run, at most (--attempts)


def measure_undisturbed(cmd: list[str], log: Path, quiet_s: float, attempts: int = 0) -> dict:
    """Measure ``cmd`` on an idle machine; rerun (up to ``attempts``) when other processes
    took CPU time during the run, and keep the least disturbed measurement."""
    best: dict | None = None
    for _ in range(attempts or ATTEMPTS):
        busy = wait_quiet(quiet_s)
        m = measure(cmd, log)
        m["busy_before"] = round(busy, 2)
        if best is None or m["others_cpu_s"] < best["others_cpu_s"]:
            best = m
        if m["exit"] not in (0, 1) or m["others_cpu_s"] <= DISTURBED * m["wall_s"]:
            break
    assert best is not None
    return best


TOOLS = ("baseline", "per-feed", "omnicontract")


def run_all(
    project: Path,
    repeat: int,
    warmup: int,
    work: Path,
    quiet_s: float,
    memory_limit: str | None = None,
    only: tuple[str, ...] = TOOLS,
    other: str | None = None,
) -> dict[str, list[dict]]:
    limit = ("--memory-limit", memory_limit) if memory_limit else ()
    tools = {
        # the same checks as the baseline: each feed on its own
        "per-feed": lambda i: omnicontract_cmd(
            project, work / f"per-feed-{i}.json", "--per-feed", *limit
        ),
        # everything, the cross-channel checks included (the default)
        "omnicontract": lambda i: omnicontract_cmd(
            project, work / f"omnicontract-{i}.json", *limit
        ),
        "baseline": lambda i: baseline_cmd(project, work / f"baseline-{i}.json", *limit),
    }
    tools = {n: c for n, c in tools.items() if n in only}
    if other:  # another build of omnicontract (before a change, say), in the same rounds
        for name in [n for n in tools if n != "baseline"]:
            flags = ("--per-feed", *limit) if name == "per-feed" else limit
            tools[f"{name}@other"] = lambda i, n=name, f=flags: omnicontract_cmd(
                project, work / f"{n}@other-{i}.json", *f, exe=other
            )
    return measure_tools(tools, repeat, warmup, work, quiet_s)


def measure_tools(
    tools: dict[str, Callable[[object], list[str]]],
    repeat: int,
    warmup: int,
    work: Path,
    quiet_s: float,
) -> dict[str, list[dict]]:
    """Run every tool ``warmup`` times unmeasured, then ``repeat`` times measured (order
    alternating); stop at the first failure. An omnicontract exit code 1 (findings) is a
    success; the other tools must exit 0."""
    for _ in range(warmup):  # unmeasured: loads libraries and files into the page cache
        for name, cmd in tools.items():
            measure(cmd("warmup"), work / f"{name}-warmup.log")
    runs: dict[str, list[dict]] = {name: [] for name in tools}
    for i in range(repeat):
        order = list(tools) if i % 2 == 0 else list(reversed(tools))
        for name in order:
            cmd = tools[name](i)
            m = measure_undisturbed(cmd, work / f"{name}-{i}.log", quiet_s)
            ok = m["exit"] in ((0, 1) if "omnicontract" in Path(cmd[0]).name else (0,))
            if not ok:
                log = (work / f"{name}-{i}.log").read_text(errors="replace")
                sys.exit(f"{name} failed with exit code {m['exit']}:\n{log[-3000:]}")
            note = ""
            if m["others_cpu_s"] > DISTURBED * m["wall_s"]:
                note = f"  (disturbed: other processes used {m['others_cpu_s']:.1f} CPU s)"
            print(
                f"  run {i + 1}/{repeat} {name:<15} {m['wall_s']:7.2f} s "
                f"{m['peak_mib']:7.0f} MiB {m['tmp_peak_mib']:7.0f} MiB temp{note}",
                flush=True,
            )
            runs[name].append(m)
    return runs


def add_attempts(ap: argparse.ArgumentParser) -> None:
    """``--attempts``: on a machine that is never idle, 1 keeps the first measurement."""
    ap.add_argument(
        "--attempts",
        type=int,
        default=ATTEMPTS,
        metavar="N",
        help="measure a run disturbed by other processes up to N times, keep the least "
        f"disturbed [default: {ATTEMPTS}]",
    )


def print_setting(memory_limit: str | None, attempts: int = ATTEMPTS) -> None:
    """What the figures depend on: the machine, the commit, how busy the CPUs are."""
    global ATTEMPTS
    ATTEMPTS = attempts
    print(f"machine: {machine()}")
    print(f"omnicontract: {omnicontract_version()}")
    if memory_limit:
        print(f"memory limit: {memory_limit} (every DuckDB tool)")
    busy = cpu_busy()
    if busy > 0.2:
        print(f"warning: the CPUs are {busy:.0%} busy before starting; timings will be skewed")


def conclude(runs: dict, repeat: int, warmup: int, base: str = "baseline") -> dict:
    """Summarize the runs and print the table of medians."""
    summary = summarize(runs, base=base)
    print(f"\nmedian of {repeat} run(s) each after {warmup} warm-up, order alternating:")
    print_table(summary, base=base)
    return summary


def save_results(
    work: Path, result: dict, summary: dict, runs: dict, args: argparse.Namespace
) -> None:
    """Write ``results.json`` with the machine, the commit measured and every run."""
    result = {
        **result,
        "memory_limit": args.memory_limit,
        "repeat": args.repeat,
        "warmup": args.warmup,
        "machine": machine(),
        "omnicontract_version": omnicontract_version(),
        "summary": summary,
        "runs": runs,
    }
    (work / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nresults: {work / 'results.json'}")


def summarize(
    runs: dict[str, list[dict]], base: str = "baseline", per_feed: str = "per-feed"
) -> dict[str, dict]:
    """Medians per tool, with ratios to ``base`` and to ``per_feed`` where those ran."""
    out = {}
    for name, ms in runs.items():
        out[name] = {
            "wall_s": statistics.median(m["wall_s"] for m in ms),
            "wall_min_s": min(m["wall_s"] for m in ms),
            "wall_max_s": max(m["wall_s"] for m in ms),
            "peak_mib": statistics.median(m["peak_mib"] for m in ms),
            "tmp_peak_mib": statistics.median(m.get("tmp_peak_mib", 0.0) for m in ms),
            "cpu_s": statistics.median(m["user_s"] + m["sys_s"] for m in ms),
        }
    for s in out.values():
        if base in out:
            s["wall_ratio"] = s["wall_s"] / out[base]["wall_s"]
            s["mem_ratio"] = s["peak_mib"] / out[base]["peak_mib"]
        if per_feed in out:
            s["vs_per_feed"] = s["wall_s"] / out[per_feed]["wall_s"]
    return out


def print_table(summary: dict[str, dict], base: str = "baseline") -> None:
    def ratio(s: dict, key: str) -> str:
        return f"{s[key]:.2f}x" if key in s else "-"

    head = (
        f"{'tool':<15} {'wall s':>8} {'min':>7} {'max':>7} {'cpu s':>7} {'peak MiB':>9} "
        f"{'temp MiB':>9} {'wall vs base':>13} {'mem vs base':>12} {'vs per-feed':>12}"
    )
    print(f"(base: {base})")
    print(head)
    print("-" * len(head))
    for name, s in summary.items():
        print(
            f"{name:<15} {s['wall_s']:8.2f} {s['wall_min_s']:7.2f} {s['wall_max_s']:7.2f} "
            f"{s['cpu_s']:7.1f} {s['peak_mib']:9.0f} {s['tmp_peak_mib']:9.0f} "
            f"{ratio(s, 'wall_ratio'):>13} {ratio(s, 'mem_ratio'):>12} "
            f"{ratio(s, 'vs_per_feed'):>12}"
        )


def cpu_busy(seconds: float = 1.0) -> float:
    """Fraction of CPU time spent outside idle over ``seconds`` (0 where unknown)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def omnicontract_version() -> str:
    """The commit of the omnicontract sources measured, flagged when they have local edits."""
    root = HERE.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%h %s", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit[:72] + (" (+ uncommitted changes in src/)" if dirty else "")


def machine() -> str:
    mem = ""
    try:
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        mem = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, StopIteration):
        pass
    import duckdb

    return (
        f"{os.cpu_count()} cores{mem}, {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )


def report_findings(work: Path, repeat: int) -> dict:
    last = repeat - 1
    ours_report = json.loads((work / f"omnicontract-{last}.json").read_text())
    theirs_report = json.loads((work / f"baseline-{last}.json").read_text())
    (ours, extra), theirs = omnicontract_counts(ours_report), theirs_report["counts"]
    mismatches = compare(ours, theirs)
    print(
        f"\nfindings of the checks both run: omnicontract {len(ours)} "
        f"({sum(ours.values())} failing rows), baseline {len(theirs)} "
        f"({sum(theirs.values())} failing rows)"
    )
    if mismatches:
        print(f"{len(mismatches)} count(s) differ:")
        print("\n".join(mismatches))
    else:
        print("every failing count agrees (check, channel, field)")
    if extra:
        print(
            "omnicontract only (no baseline counterpart): "
            + ", ".join(
                f"{name} x{len(counts)} ({sum(counts)} rows)"
                for name, counts in sorted(extra.items())
            )
        )
    print(
        "baseline phases (s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in theirs_report["phases"].items())
        + f"; distinct phones normalized: {theirs_report['distinct_phones']}"
    )
    feeds = [f for ch in ours_report["channels"] for f in ch["feeds"]]
    per_feed = sum(f["seconds"] for f in feeds)
    print(
        "omnicontract per feed (s): "
        + ", ".join(f"{f['channel']} {f['seconds']:.2f}" for f in feeds)
        + f"; sum {per_feed:.2f}; after the feeds (project and cross-channel checks) "
        f"{ours_report['seconds'] - per_feed:.2f}; run total {ours_report['seconds']:.2f}"
    )
    return {
        "mismatches": mismatches,
        "omnicontract": ours,
        "omnicontract_only": extra,
        "baseline": theirs,
        "omnicontract_feed_seconds": round(per_feed, 3),
        "omnicontract_run_seconds": ours_report["seconds"],
        "baseline_phases": theirs_report["phases"],
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--customers", type=int, default=200_000)
    ap.add_argument("--interactions", type=int, default=5_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each tool (median reported)")
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured runs of each tool first")
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=300,
        metavar="S",
        help="before each measured run, wait up to S seconds for the CPUs to be idle",
    )
    ap.add_argument("--regenerate", action="store_true", help="rebuild the cached data set")
    ap.add_argument(
        "--memory-limit",
        metavar="SIZE",
        help="pass the same memory limit (e.g. 2GB) to omnicontract and the baseline",
    )
    ap.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help=f"comma-separated subset of {','.join(TOOLS)} [default: all]",
    )
    add_attempts(ap)
    ap.add_argument(
        "--other",
        metavar="EXE",
        help="also measure this omnicontract executable (another checkout's build), as "
        "per-feed@other and omnicontract@other",
    )
    args = ap.parse_args(argv)
    only = tuple(t for t in args.tools.split(",") if t)
    if not set(only) <= set(TOOLS):
        ap.error(f"--tools: choose among {', '.join(TOOLS)}")

    project, meta = dataset(args.customers, args.interactions, args.regenerate)
    work = OUT / "runs" / project.name
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"data: {args.customers:,} customers, {args.interactions:,} interactions, "
        f"{len(meta['rows'])} CSV files, {meta['bytes'] / 2**20:.0f} MiB "
        f"(generated in {meta['seconds']:.1f} s)"
    )
    print_setting(args.memory_limit, args.attempts)
    warm_cache(project)
    runs = run_all(
        project,
        args.repeat,
        args.warmup,
        work,
        args.wait_quiet,
        args.memory_limit,
        only,
        args.other,
    )
    summary = conclude(runs, args.repeat, args.warmup)
    both = {"baseline", "omnicontract"} <= set(only)
    findings = report_findings(work, args.repeat) if both else {}
    result = {
        "customers": args.customers,
        "interactions": args.interactions,
        "bytes": meta["bytes"],
        "findings": findings,
    }
    save_results(work, result, summary, runs, args)


if __name__ == "__main__":
    main()
