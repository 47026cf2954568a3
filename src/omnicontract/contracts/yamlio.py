"""Safe YAML loading that remembers where every value came from.

- only plain YAML types: no Python tags, no aliases bombs beyond PyYAML's safe loader;
- timestamps and dates stay strings (a contract's `2024-01-01` is text, not a date);
- duplicate keys are an error, with both positions;
- every mapping key and value keeps its (line, column), so validation errors can
  point at the exact place in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from omnicontract.errors import ContractError, Location

Path_ = tuple[str | int, ...]


@dataclass
class PositionedDocument:
    """A parsed YAML document and the position of every path inside it."""

    file: Path
    data: Any
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def location(self, path: Path_, *, key: bool = False) -> Location:
        """Best known position for ``path``: the value (or key), else its nearest parent."""
        table = self.key_positions if key else self.positions
        probe = tuple(path)
        while True:
            if probe in table:
                line, col = table[probe]
                return Location(self.file, line, col)
            if probe in self.positions:
                line, col = self.positions[probe]
                return Location(self.file, line, col)
            if not probe:
                return Location(self.file, 1, 1)
            probe = probe[:-1]


class _Loader(yaml.SafeLoader):
    """SafeLoader without implicit timestamp resolution."""


# YAML 1.2 core-schema scalars instead of YAML 1.1's: dates and times stay strings,
# `NO` (Norway) and `yes` stay strings, `10:30` is not the number 630, `0123` is not octal.
_Loader.yaml_implicit_resolvers = {
    ch: [
        (tag, rx)
        for tag, rx in resolvers
        if tag.rsplit(":", 1)[-1] not in ("bool", "int", "float", "timestamp")
    ]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap"}


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _construct(loader: _Loader, node: yaml.Node, path: Path_, doc: PositionedDocument) -> Any:
    doc.positions[path] = _mark(node)
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_TAGS:
        raise ContractError(
            f"unsupported YAML tag '{node.tag}'",
            location=Location(doc.file, *_mark(node)),
            hint="contracts take plain YAML: remove the tag",
        )
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise ContractError(
                    "mapping keys must be plain scalars",
                    location=Location(doc.file, *_mark(key_node)),
                )
            key = str(key) if not isinstance(key, str) else key
            if key in seen:
                first_line = seen[key].start_mark.line + 1
                raise ContractError(
                    f"duplicate key '{key}' (first defined on line {first_line})",
                    location=Location(doc.file, *_mark(key_node)),
                    hint="remove one of the two definitions",
                )
            seen[key] = key_node
            doc.key_positions[(*path, key)] = _mark(key_node)
            result[key] = _construct(loader, value_node, (*path, key), doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, (*path, i), doc) for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ContractError(
            "file not found", location=Location(path), hint="check the path"
        ) from None
    except IsADirectoryError:
        raise ContractError("expected a file, found a directory", location=Location(path)) from None
    except OSError as exc:
        raise ContractError(f"cannot read file: {exc.strerror}", location=Location(path)) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContractError(
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            location=Location(path, line, col),
            hint="save the file as UTF-8",
        ) from None


def load_yaml(path: Path | str, text: str | None = None) -> PositionedDocument:
    """Parse one YAML file into a :class:`PositionedDocument`; raise ContractError on any problem."""
    path = Path(path)
    if text is None:
        text = _read_text(path)
    doc = PositionedDocument(file=path, data=None)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ContractError(
                    "file is empty",
                    location=Location(path, 1, 1),
                    hint="see docs/contract-format.md",
                )
            doc.data = _construct(loader, node, (), doc)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContractError(
            f"YAML syntax error: {problem}",
            location=loc,
            hint="check indentation and quoting around this position",
        ) from None
    except yaml.YAMLError as exc:
        raise ContractError(f"YAML error: {exc}", location=Location(path)) from None
    return doc
