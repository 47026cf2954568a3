"""Fuzz omnicontract through its command line with generated bad inputs.

    python tools/fuzz.py [--cases 10000] [--seed 1] [--validate-share 0.05] [--jobs 4]

Each case starts from a small valid project (project file, two contracts, two channel
bindings, CSV and JSON lines exports), breaks one thing and runs the command-line entry
point in this process: ``lint`` for broken project files (no data is read), ``validate``
for broken exports and for a share of the broken project files. Breakages: text
mutations of a YAML file (byte flips, truncation, control characters, tabs, deep
nesting, alias bombs, explicit tags, huge numbers and strings), structural ones (a value
anywhere replaced by a hostile one: wrong types, lookaround patterns, unknown zones,
paths outside the project, globs, SQL payloads, ...) and broken exports (random bytes,
ragged and wide rows, megabyte fields, bad encodings, malformed JSON lines).

Every case is classified:

- ``ran``: exit 0 or 1, a report was printed (data problems are findings);
- ``refused``: exit 2 with one message naming the broken file (with line and column when
  the file has them);
- ``refused-unplaced``: exit 2 whose message does not name the file (a defect);
- ``unexpected``: exit 2 with "error: unexpected ..." (a defect);
- ``traceback``: an exception escaped, or a traceback was printed (a defect);
- ``slow``: over --slow seconds (a defect).

The summary prints the count of each class, the slowest cases, and examples of each
defect class; the exit code is 1 when any defect was seen.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import copy
import io
import json
import random
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

DEFECTS = ("refused-unplaced", "unexpected", "traceback", "slow")

# ---------------------------------------------------------------- the valid base

CUSTOMER = {
    "entity": "customer",
    "version": "1.0.0",
    "primary_key": "customer_id",
    "identity_keys": ["customer_id", "email", "phone"],
    "fields": {
        "customer_id": {"type": "string", "required": True, "unique": True, "pattern": "C[0-9]+"},
        "email": {"type": "string", "format": "email", "pii": True},
        "phone": {"type": "string", "format": "e164", "pii": True},
        "country": {"type": "string", "enum": ["BR", "AR"]},
        "score": {"type": "number", "minimum": 0, "maximum": 100},
        "consent_email": {"type": "boolean"},
        "consent_email_at": {"type": "timestamp"},
        "created_at": {"type": "timestamp", "not_future": True},
    },
}
INTERACTION = {
    "entity": "interaction",
    "version": "1.0.0",
    "primary_key": "interaction_id",
    "identity_keys": ["customer_id", "phone"],
    "event_time": "occurred_at",
    "journey_key": "case_id",
    "fields": {
        "interaction_id": {"type": "string", "required": True},
        "customer_id": {"type": "string", "references": "customer.customer_id"},
        "phone": {"type": "string", "format": "e164"},
        "channel": {"type": "string", "required": True},
        "direction": {"type": "string", "enum": ["inbound", "outbound"]},
        "status": {"type": "string", "enum": ["open", "resolved"]},
        "case_id": {"type": "string"},
        "occurred_at": {"type": "timestamp", "required": True},
        "amount": {"type": "integer"},
    },
}
PROJECT = {
    "project": "fuzz",
    "contracts": ["contracts/*.yaml"],
    "channels": ["channels/*.yaml"],
    "identity": {
        "keys": ["customer_id", "email", "phone"],
        "placeholders": {"email": ["test@*", "*@test.com"]},
    },
    "consent": {"channels": {"email": "consent_email"}},
    "policy": {"fail_on": "error", "future_tolerance": "5m"},
    "defaults": {"timezone": "America/Sao_Paulo", "phone_region": "BR"},
}
CRM = {
    "channel": "crm",
    "timezone": "America/Sao_Paulo",
    "feeds": [
        {
            "name": "customers",
            "entity": "customer",
            "source": {"path": "exports/customers.csv", "delimiter": ";"},
            "fields": {
                "customer_id": "id",
                "email": "mail",
                "phone": {"column": "fone", "phone_region": "BR"},
                "country": {"column": "pais", "values": {"Brasil": "BR", "Argentina": "AR"}},
                "score": {"column": "score", "decimal_separator": ","},
                "consent_email": {"column": "optin", "true_values": ["S"], "false_values": ["N"]},
                "created_at": {"column": "criado", "format": "%d/%m/%Y %H:%M"},
            },
            "freshness": {"max_age": "3650d"},
        }
    ],
}
EMAIL = {
    "channel": "email",
    "feeds": [
        {
            "name": "sends",
            "entity": "interaction",
            "source": {"path": "exports/sends.jsonl"},
            "fields": {
                "interaction_id": "id",
                "customer_id": "customer",
                "direction": "dir",
                "status": {"column": "st", "values": {"done": "resolved", "new": "open"}},
                "case_id": "case",
                "occurred_at": {"column": "ts", "timezone": "UTC"},
                "amount": "amount",
            },
            "constants": {"channel": "email"},
        }
    ],
}
CUSTOMERS_CSV = (
    "id;mail;fone;pais;score;optin;criado\n"
    "C1;ana@example.com;(11) 98765-4321;Brasil;10,5;S;01/02/2024 10:00\n"
    "C2;bob@example.com;+55 11 91234-5678;Argentina;99;N;02/02/2024 11:30\n"
    "C3;test@test.com;11912345678;Brasil;0;N;03/02/2024 09:15\n"
)
SENDS_JSONL = "\n".join(
    json.dumps(r)
    for r in [
        {"id": "I1", "customer": "C1", "dir": "outbound", "st": "done", "case": "K1",
         "ts": "2024-02-05T10:00:00Z", "amount": 3},
        {"id": "I2", "customer": "C2", "dir": "outbound", "st": "new", "case": "K1",
         "ts": "2024-02-06T10:00:00Z", "amount": 4},
        {"id": "I3", "customer": "C9", "dir": "inbound", "st": "new", "case": "K2",
         "ts": "2024-02-07T10:00:00Z", "amount": 5},
    ]
) + "\n"  # fmt: skip

YAML_FILES = {
    "omnicontract.yaml": PROJECT,
    "contracts/customer.yaml": CUSTOMER,
    "contracts/interaction.yaml": INTERACTION,
    "channels/crm.yaml": CRM,
    "channels/email.yaml": EMAIL,
}
DATA_FILES = {"exports/customers.csv": CUSTOMERS_CSV, "exports/sends.jsonl": SENDS_JSONL}


def base_files() -> dict[str, bytes]:
    files = {
        name: yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()
        for name, doc in YAML_FILES.items()
    }
    files.update({name: text.encode() for name, text in DATA_FILES.items()})
    return files


# ---------------------------------------------------------------- hostile values


def hostile_values(rng: random.Random) -> list[Any]:
    return [
        None, "", " ", 0, -1, 10**30, 1e308, float("nan"), True, [], {}, [[]], {"a": {}},
        "x" * rng.choice([81, 300, 5000, 200_000]),
        "\u202e\u0000\ufeff", "ção", "Ⅻ", "🙂" * 50,
        "(?=a)", "(?<!x)y", "(a)\\1", "x{1001}", "a\\Z", "[z-a]", "(", "\\p{Greek}", "a++",
        "Mars/Olympus", "a" * 300, "america/sao_paulo", "UTC+3", "../../etc/zoneinfo/UTC",
        "XX", "br", "Brazil", "%Q", "%Y %", "%", "epoch_x",
        "/etc/passwd", "../../../etc/passwd", "exports/../../x.csv", "**/*", "*", "[",
        "test@**@*", "**", "[!]", "[a-",
        "1000000000000000d", "-5m", "5 y", "0s",
        "'; COPY (SELECT 1) TO '/tmp/oc-fuzz-pwned.csv'; --", '"); ATTACH \'x.db\' AS y; --',
        "${HOME}", "${NOT_SET_ANYWHERE}", "sqlite:////etc/x.db", "postgresql://u:p@@h:1/x",
        "!!int x", "*alias", "&anchor", "- a", "a: b", "{", "}", "|", ">", "#",
        "C1", "customer", "customer.customer_id", "customer.nope", "nope.customer_id",
        "string", "integer", "timestamp", "number", "boolean", "date",
    ]  # fmt: skip


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


def _replace(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    doc = copy.deepcopy(doc)
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return doc


# ---------------------------------------------------------------- mutations


@dataclass
class Case:
    kind: str
    target: str  # the file broken
    files: dict[str, bytes]
    command: str = "lint"
    args: list[str] = field(default_factory=list)


def structural(rng: random.Random, files: dict[str, bytes]) -> Case:
    name = rng.choice(list(YAML_FILES))
    doc = YAML_FILES[name]
    paths = list(_paths(doc))
    path = rng.choice(paths)
    action = rng.random()
    if action < 0.75:
        value = rng.choice(hostile_values(rng))
        new = _replace(doc, path, value)
    elif action < 0.9:  # a hostile key next to a real one
        parent = path[:-1] if path else ()
        node = doc
        for part in parent:
            node = node[part]
        if isinstance(node, dict):
            key = rng.choice(["", "x" * 300, "kind", "fields", "'; --", "Fields", "1", "é"])
            new = _replace(doc, parent, {**node, key: rng.choice(hostile_values(rng))})
        else:
            new = _replace(doc, path, None)
    else:  # a key dropped
        if path and isinstance(path[-1], str):
            parent = path[:-1]
            node = doc
            for part in parent:
                node = node[part]
            new = _replace(doc, parent, {k: v for k, v in node.items() if k != path[-1]})
        else:
            new = _replace(doc, path, [])
    try:
        text = yaml.safe_dump(new, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, ValueError):
        text = "x: [\n"
    return Case("structure", name, {**files, name: text.encode()})


def _deep(rng: random.Random) -> str:
    n = rng.choice([70, 500, 5000, 100_000])
    if rng.random() < 0.5:
        return "project: x\nk: " + "[" * n + "]" * n + "\n"
    return (
        "project: x\n"
        + "".join(" " * i + f"k{i}:\n" for i in range(min(n, 400)))
        + " " * 400
        + "v\n"
    )


def _bomb(rng: random.Random) -> str:
    levels, width = rng.choice([(10, 10), (20, 2), (5, 50), (3, 3)])
    lines = ["project: bomb", "a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _at_value(data: bytearray, rng: random.Random, insert: bytes) -> bytearray:
    """``insert`` placed in front of some value of the file."""
    pos = bytes(data).find(b": ", rng.randrange(max(len(data), 1)))
    if pos > 0:
        data[pos + 2 : pos + 2] = insert
    return data


def _flip(data: bytearray, rng: random.Random) -> bytearray:
    for _ in range(rng.randint(1, 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return data


def _control(data: bytearray, rng: random.Random) -> bytearray:
    for _ in range(rng.randint(1, 3)):
        data.insert(rng.randrange(len(data)), rng.choice([0, 1, 7, 8, 11, 12, 27, 127]))
    return data


def _indent(data: bytearray, rng: random.Random) -> bytearray:
    lines = bytes(data).split(b"\n")
    i = rng.randrange(len(lines))
    lines[i] = rng.choice([b"\t", b"   ", b" "]) + lines[i]
    return bytearray(b"\n".join(lines))


def _duplicate_line(data: bytearray, rng: random.Random) -> bytearray:
    lines = bytes(data).split(b"\n")
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return bytearray(b"\n".join(lines))


def _encoding(data: bytearray, rng: random.Random) -> bytearray:
    text = bytes(data)
    return bytearray(
        rng.choice(
            [
                b"\xff\xfe" + text.decode().encode("utf-16-le"),
                text.decode().encode("latin-1", "replace") + b"\xe9\xff",
                b"\xef\xbb\xbf" + text,
                b"",
                b"\n\n",
                b"---\n...\n---\n",
            ]
        )
    )


def _punctuation(data: bytearray, rng: random.Random) -> bytearray:
    for _ in range(rng.randint(1, 5)):
        data.insert(rng.randrange(len(data)), ord(rng.choice("{}[]&*!|>'\"%@`#,?:-")))
    return data


TAGS = [b"!!int ", b"!!float ", b"!!binary ", b"!!python/object:os.system ", b"!!timestamp ",
        b"!custom ", b"!!set ", b"!!omap ", b"!!bool "]  # fmt: skip
TEXT_MUTATIONS: list[Callable[[bytearray, random.Random], bytearray]] = [
    _flip,
    lambda d, r: d[: r.randrange(len(d))],  # truncation
    _control,
    _indent,
    lambda d, r: bytearray(_deep(r).encode()),
    lambda d, r: bytearray(_bomb(r).encode()),
    lambda d, r: _at_value(d, r, r.choice(TAGS)),
    lambda d, r: _at_value(d, r, r.choice([b"9" * 5000 + b" ", b"'" + b"y" * 2_000_000 + b"' "])),
    _duplicate_line,
    _encoding,
    _punctuation,
    lambda d, r: _at_value(d, r, r.choice([b"*nope ", b"&a ", b"<<: *a\n", b"&a [*a] "])),
]


def textual(rng: random.Random, files: dict[str, bytes]) -> Case:
    name = rng.choice(list(YAML_FILES))
    data = rng.choice(TEXT_MUTATIONS)(bytearray(files[name]), rng)
    return Case("text", name, {**files, name: bytes(data)})


def _ragged(rng: random.Random) -> bytes:
    n = rng.choice([100, 20_000, 40_000])
    header = "id;mail;fone;pais;score;optin;criado\n"
    return (header + "C1;" + ";".join(["x"] * n) + "\nC2;a@b.com\n").encode()


def feed(rng: random.Random, files: dict[str, bytes]) -> Case:
    name = rng.choice(list(DATA_FILES))
    data = bytearray(files[name])
    op = rng.randrange(9)
    if op == 0:
        data = bytearray(rng.randbytes(rng.choice([0, 1, 10, 1000, 100_000])))
    elif op == 1:
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif op == 2:
        data = bytearray(_ragged(rng)) if name.endswith(".csv") else data + b"{not json\n"
    elif op == 3:  # a megabyte field
        big = b"z" * (1 << 20)
        data = (
            data.replace(b"ana@example.com", big)
            if name.endswith(".csv")
            else data.replace(b"K1", big)
        )
    elif op == 4:  # odd values the mapping must count, not crash on
        value = rng.choice([b"99999999999999999999", b"-1e400", b"31/02/2024 25:61", b"NaN",
                            b"1e308", b"\"", b"'", b"\\", b"\x00", b"9" * 400, b"2024-13-45T99:99:99Z"])  # fmt: skip
        target = rng.choice([b"10,5", b"01/02/2024 10:00", b"2024-02-05T10:00:00Z", b"3", b"C1"])
        data = data.replace(target, value, 1)
    elif op == 5:
        data = data[: rng.randrange(len(data))]
    elif op == 6:
        data = bytearray(
            bytes(data).decode().encode(rng.choice(["utf-16", "latin-1", "utf-32"]), "replace")
        )
    elif op == 7:  # a different shape
        data = bytearray(rng.choice([b"[]", b"{}", b"null", b"[1, 2, 3]", b'{"a": [{"b": 1}]}',
                                     b"a\nb\nc\n", b";;;;\n;;;;\n", b'"unterminated\n']))  # fmt: skip
    else:
        lines = bytes(data).split(b"\n")
        data = bytearray(b"\n".join(lines + lines[1:] * rng.randint(1, 50)))
    return Case("feed", name, {**files, name: bytes(data)}, command="validate")


GENERATORS: list[tuple[float, Callable[[random.Random, dict[str, bytes]], Case]]] = [
    (0.55, structural),
    (0.45, textual),
]


def generate(rng: random.Random, validate_share: float) -> Case:
    files = base_files()
    if rng.random() < validate_share:
        return feed(rng, files)
    roll, acc = rng.random(), 0.0
    for share, gen in GENERATORS:
        acc += share
        if roll < acc:
            case = gen(rng, files)
            break
    else:
        case = GENERATORS[-1][1](rng, files)
    if rng.random() < validate_share:
        case.command = "validate"
    return case


# ---------------------------------------------------------------- running


class Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Timeout


def run_case(case: Case, workdir: Path, slow: float) -> tuple[str, float, str]:
    """(outcome class, seconds, message) of one case."""
    from click.testing import CliRunner

    from omnicontract.cli.main import cli

    root = workdir / "p"
    shutil.rmtree(root, ignore_errors=True)
    for name, data in case.files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    args = [case.command, str(root)]
    if case.command == "validate":
        args += ["--no-history", "--format", "json"]
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(max(slow * 3, 30)))
    started = time.perf_counter()
    try:
        result = CliRunner().invoke(cli, args, catch_exceptions=True)
    except Timeout:
        return "slow", time.perf_counter() - started, "timed out"
    finally:
        signal.alarm(0)
    seconds = time.perf_counter() - started
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return "traceback", seconds, f"{type(result.exception).__name__}: {result.exception}"
    if "Traceback" in err or "Traceback" in result.stdout:
        return "traceback", seconds, err[-300:]
    if seconds > slow:
        return "slow", seconds, err[:200]
    if result.exit_code in (0, 1):
        return "ran", seconds, ""
    if "error: unexpected " in err:
        return "unexpected", seconds, err[:300]
    # placed: the message names a file of the project (the broken one, or the one a
    # consequence of the breakage shows up in, e.g. a binding naming a field a truncated
    # contract lost)
    if str(root) not in err.split("\n", 1)[0]:
        return "refused-unplaced", seconds, err[:300]
    return "refused", seconds, err[:300]


def run_share(
    opts: argparse.Namespace, job: int
) -> list[tuple[int, str, str, str, str, float, str]]:
    """Cases ``job``, ``job + jobs``, ... of the campaign: (index, kind, target, command,
    outcome, seconds, message) each. A case's input depends only on seed and index."""
    out = []
    with tempfile.TemporaryDirectory(prefix="oc-fuzz-") as tmp:
        for i in range(job, opts.cases, opts.jobs):
            rng = random.Random(f"{opts.seed}-{i}")
            case = generate(rng, opts.validate_share)
            with contextlib.redirect_stderr(io.StringIO()):
                outcome, seconds, message = run_case(case, Path(tmp), opts.slow)
            out.append((i, case.kind, case.target, case.command, outcome, seconds, message))
            if job == 0 and len(out) % max(1, 1000 // opts.jobs) == 0:
                print(f"... about {len(out) * opts.jobs} cases", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--validate-share", type=float, default=0.05)
    parser.add_argument("--slow", type=float, default=10.0, help="seconds a case may take")
    parser.add_argument("--show", type=int, default=3, help="examples printed per class")
    parser.add_argument("--jobs", type=int, default=1, help="processes running cases")
    opts = parser.parse_args(argv)

    started = time.perf_counter()
    if opts.jobs > 1:
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(opts.jobs) as pool:
            shares = pool.starmap(run_share, [(opts, j) for j in range(opts.jobs)])
        results = sorted(r for share in shares for r in share)
    else:
        results = run_share(opts, 0)
    total = time.perf_counter() - started

    counts: collections.Counter[str] = collections.Counter()
    by_kind: collections.Counter[tuple[str, str, str]] = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    positioned = 0
    for i, kind, target, command, outcome, _seconds, message in results:
        counts[outcome] += 1
        by_kind[(kind, command, outcome)] += 1
        positioned += outcome == "refused" and _has_line(message)
        if outcome != "ran" and len(examples[outcome]) < opts.show:
            examples[outcome].append(f"#{i} {kind}/{target}: {message.strip()[:300]}")
    slowest = sorted(results, key=lambda r: r[5])[-5:]
    print(f"\n{len(results)} cases (seed {opts.seed}, {opts.jobs} job(s)) in {total:.0f}s")
    for outcome in ("ran", "refused", *DEFECTS):
        print(f"  {outcome:18} {counts[outcome]:6}")
    print(f"  exit-2 messages with file:line:column  {positioned} of {counts['refused']}")
    print("\nby kind (kind, command, outcome):")
    for (kind, command, outcome), n in sorted(by_kind.items()):
        print(f"  {kind:10} {command:9} {outcome:18} {n:6}")
    print("\nslowest:")
    for i, kind, target, _command, outcome, seconds, _message in reversed(slowest):
        print(f"  {seconds:6.2f}s  #{i} {kind} {target}  ({outcome})")
    for outcome, lines in examples.items():
        print(f"\n{outcome}, e.g.:")
        for line in lines:
            print("  " + line.replace("\n", "\n    "))
    return 1 if any(counts[d] for d in DEFECTS) else 0


def _has_line(message: str) -> bool:
    """The exit-2 message names a file with line and column."""
    import re

    return re.search(r"error: [^\n]*:\d+:\d+: ", message) is not None


if __name__ == "__main__":
    sys.exit(main())
