"""Injection sweep: every string a project file can hold, and every value a command-line
option takes, carries SQL payloads. Nothing may execute: no file appears, no outside text
is read into an output, and the run either validates (exit 0/1) or exits 2 with one clear
message (no traceback, no "unexpected" error).

The slots are found by walking the published JSON Schemas, so a key added later is swept
without anyone remembering to add it here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from omnicontract.cli.main import COMMANDS, cli
from omnicontract.contracts.schema import json_schema
from tests.conftest import write_project

BUILTIN = Path(__file__).resolve().parent.parent / "src" / "omnicontract" / "data" / "contracts"
MARKER = "INJECTED-READ-91c2"


def payloads(tmp: Path) -> list[str]:
    pwn = tmp / "pwned"
    secret = tmp / "secret.txt"
    tail = (
        f"COPY (SELECT 1) TO '{pwn}.csv'; ATTACH '{pwn}.db' AS pwn; INSTALL httpfs; "
        f"LOAD httpfs; SELECT read_text('{secret}'); --"
    )
    return [
        f"x'); {tail}",
        f'x"); {tail}',
        f"x; {tail}",
        f"x') UNION SELECT content FROM read_text('{secret}') --",
    ]


# ---------------------------------------------------------------- schema slots


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _options(schema: dict[str, Any], node: dict[str, Any]) -> list[dict[str, Any]]:
    node = _resolve(schema, node)
    if "anyOf" in node or "oneOf" in node:
        out: list[dict[str, Any]] = []
        for option in node.get("anyOf", node.get("oneOf", [])):
            out.extend(_options(schema, option))
        return out
    return [node]


def slots(kind: str) -> list[tuple[tuple[Any, ...], str]]:
    """(path, mode) for every string a file of ``kind`` holds: mode 'value' sets the
    string at path, 'key' uses the payload as a key of the mapping at path."""
    schema = json_schema(kind)
    found: list[tuple[tuple[Any, ...], str]] = []

    def walk(node: dict[str, Any], path: tuple[Any, ...], depth: int) -> None:
        if depth > 6:
            return
        for option in _options(schema, node):
            kind_ = option.get("type")
            if kind_ == "string" and "enum" not in option and "const" not in option:
                found.append((path, "value"))
            elif kind_ == "array" and "items" in option:
                walk(option["items"], (*path, 0), depth + 1)
            elif kind_ == "object" or "properties" in option:
                for name, sub in option.get("properties", {}).items():
                    walk(sub, (*path, name), depth + 1)
                extra = option.get("additionalProperties") or next(
                    iter(option.get("patternProperties", {}).values()), None
                )
                if isinstance(extra, dict):
                    found.append((path, "key"))
                    walk(extra, (*path, "*"), depth + 1)

    walk(schema, (), 0)
    return sorted(set(found), key=str)


def _set(doc: Any, path: tuple[Any, ...], mode: str, payload: str) -> Any:
    """``doc`` with the payload placed at path (creating what is missing)."""
    doc = copy.deepcopy(doc)
    if not path:
        if mode == "value":
            return payload
        doc = doc if isinstance(doc, dict) else {}
        # the new key gets a value its siblings have, so the run gets past validation
        return {**doc, payload: copy.deepcopy(next(iter(doc.values()), "x"))}
    head, rest = path[0], path[1:]
    if head == 0:
        items = list(doc) if isinstance(doc, list) and doc else [{}]
        items[0] = _set(items[0], rest, mode, payload)
        return items
    if not isinstance(doc, dict):
        doc = {}
    if head == "*":
        key = next(iter(doc), "sample")
        doc[key] = _set(doc.get(key, {}), rest, mode, payload)
        return doc
    doc[head] = _set(doc.get(head, {}) if rest else doc.get(head), rest, mode, payload)
    return doc


def _base(root: Path) -> Path:
    """A project in which every check family runs: a customer master with consent, and
    an interaction feed with an outbound contact to a customer who opted out."""
    contracts = [
        yaml.safe_load((BUILTIN / f"{n}.yaml").read_text()) for n in ("customer", "interaction")
    ]
    for c in contracts:
        c.pop("kind", None)
    return write_project(
        root,
        contracts=contracts,
        project={
            "consent": {"channels": {"email": "consent_email"}},
            "identity": {"placeholders": {"email": ["test@*"]}},
            "policy": {"checks": {"OC-CON-001": {"enabled": False}}},
        },
        feeds=[
            {
                "entity": "customer",
                "fields": {
                    "customer_id": "id",
                    "email": "e",
                    "phone": {"column": "p", "phone_region": "BR"},
                    "consent_email": "c",
                    "created_at": {"column": "t", "timezone": "America/Sao_Paulo"},
                    "country": {"column": "k", "values": {"Brasil": "BR"}},
                },
                "checks": {"OC-SRC-004": {"severity": "warning"}},
                "rows": "id,e,p,c,t,k\nC1,a@b.com,11987654321,false,2024-01-01 10:00,Brasil\n"
                "C2,test@x.com,11987654322,true,2024-01-02 10:00,AR\n",
            },
            {
                "entity": "interaction",
                "fields": {
                    "interaction_id": "i",
                    "customer_id": "c",
                    "occurred_at": {"column": "t", "format": "%Y-%m-%d %H:%M"},
                    "direction": "d",
                },
                "constants": {"channel": "email", "kind": "message"},
                "freshness": {"max_age": "24h"},
                "rows": "i,c,t,d\nI1,C1,2024-01-03 10:00,outbound\nI2,C9,2024-01-03 11:00,inbound\n",
            },
        ],
    )


FILES = {
    "project": lambda root: root / "omnicontract.yaml",
    "channel": lambda root: root / "channels" / "ch0.yaml",
    "entity": lambda root: root / "contracts" / "customer.yaml",
}
CASES = [(kind, path, mode) for kind in sorted(FILES) for path, mode in slots(kind)]


def _check_nothing_ran(tmp: Path, code: int, out: str, err: str) -> None:
    assert not list(tmp.rglob("pwned*")), "a payload wrote a file"
    assert MARKER not in out + err, "a payload read a file into the output"
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in out + err and "error: unexpected " not in err, err
    if code == 2:
        assert err.startswith("error: ") or err.startswith("Usage:"), err


def test_the_sweep_covers_the_known_holes() -> None:
    keys = {(k, p, m) for k, p, m in CASES}
    assert ("project", ("consent", "channels"), "key") in keys
    assert ("channel", ("feeds", 0, "source", "path"), "value") in keys
    assert ("entity", ("fields", "*", "pattern"), "value") in keys
    assert len(CASES) > 60


@pytest.mark.parametrize(
    ("kind", "path", "mode"), CASES, ids=[f"{k}:{'.'.join(map(str, p))}:{m}" for k, p, m in CASES]
)
def test_file_strings_carry_no_sql(
    kind: str, path: tuple[Any, ...], mode: str, tmp_path: Path
) -> None:
    (tmp_path / "secret.txt").write_text(MARKER)
    for i, payload in enumerate(payloads(tmp_path)):
        root = _base(tmp_path / f"p{i}")
        file = FILES[kind](root)
        doc = yaml.safe_load(file.read_text())
        file.write_text(yaml.safe_dump(_set(doc, path, mode, payload), allow_unicode=True))
        result = CliRunner().invoke(
            cli, ["validate", str(root), "--format", "json", "--show-pii", "--no-history"]
        )
        _check_nothing_ran(tmp_path, result.exit_code, result.stdout, result.stderr)
        if result.exit_code != 2:
            json.loads(result.stdout)  # a whole report, not a half-written one


# ---------------------------------------------------------------- command-line options


def _value_options() -> list[tuple[str, str]]:
    out = []
    for name in sorted(COMMANDS):
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        for param in command.params:
            if isinstance(param, click.Option) and not param.is_flag and param.opts[0] != "--help":
                out.append((name, param.opts[0]))
    return out


OPTIONS = _value_options()


def _arguments(command: str, root: Path) -> list[str]:
    contract = str(root / "contracts" / "customer.yaml")
    return {
        "diff": [contract, contract],
        "export": [contract],
        "import": [contract],
        "infer": [str(root / "data" / "ch0.csv")],
        "init": [str(root / "new")],
        "schema": ["project"],
        "checks": [],
    }.get(command, [str(root)])


def test_every_value_option_is_swept() -> None:
    assert ("validate", "--memory-limit") in OPTIONS and ("validate", "--channel") in OPTIONS
    assert len(OPTIONS) > 15


@pytest.mark.parametrize(("command", "option"), OPTIONS, ids=[f"{c} {o}" for c, o in OPTIONS])
def test_option_values_carry_no_sql(
    command: str, option: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch
) -> None:
    # an output option takes the payload as a file name: it is written, harmlessly, in a
    # folder of its own, never in the checkout
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    (tmp_path / "secret.txt").write_text(MARKER)
    for i, payload in enumerate(payloads(tmp_path)):
        root = _base(tmp_path / f"p{i}")
        args = [command, *_arguments(command, root), option, payload]
        result = CliRunner().invoke(cli, args)
        _check_nothing_ran(tmp_path, result.exit_code, result.stdout, result.stderr)
