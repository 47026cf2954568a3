"""Safe YAML loading that remembers where every value came from.

- only plain YAML: an explicit tag (`!!int x`, `!!python/...`) is refused with its position;
- bounded: file size, nesting depth and node count are capped, and an alias is not copied
  beyond a small budget, so a few hundred bytes cannot unfold into gigabytes (the
  "billion laughs"); every limit is a ContractError naming the place, never a crash;
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
from omnicontract.redact import clip

Path_ = tuple[str | int, ...]

MAX_BYTES = 32 * 1024 * 1024  # a 100k-entry value map is about 3 MB
MAX_DEPTH = 64  # nesting of mappings and sequences
MAX_NODES = 2_000_000  # scalars, mappings and sequences written in the file
ALIAS_BUDGET = 10_000  # values an alias may add as copies, over the whole file


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


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.2 core-schema scalars instead of YAML 1.1's: dates and times stay strings,
    `NO` (Norway) and `yes` stay strings, `10:30` is not the number 630, `0123` is not
    octal."""


_Resolver.yaml_implicit_resolvers = {
    ch: [
        (tag, rx)
        for tag, rx in resolvers
        if tag.rsplit(":", 1)[-1] not in ("bool", "int", "float", "timestamp")
    ]
    for ch, resolvers in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _BoundedComposer(yaml.composer.Composer):
    """The composer, refusing explicit tags and counting nodes and depth as it goes."""

    file: Path
    depth: int
    nodes: int

    def _bound(self, file: Path) -> None:
        self.file = file
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if not self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            where = Location(self.file, *_event_mark(event))
            tag = getattr(event, "tag", None)
            if tag not in (None, "!"):
                raise ContractError(
                    f"explicit YAML tag '{clip(tag)}' is not allowed",
                    location=where,
                    hint="contracts take plain YAML: remove the tag (quote the value if it "
                    "must stay text)",
                )
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise ContractError(
                    f"the file has more than {MAX_NODES:,} values",
                    location=where,
                    hint="split the file, or move large vocabularies out of it",
                )
            if self.depth >= MAX_DEPTH:
                raise ContractError(
                    f"nested more than {MAX_DEPTH} levels deep",
                    location=where,
                    hint="contracts are a few levels deep; check the indentation and brackets",
                )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _PyLoader(
    yaml.reader.Reader,
    yaml.scanner.Scanner,
    yaml.parser.Parser,
    _BoundedComposer,
    yaml.constructor.SafeConstructor,
    _Resolver,
):
    """The pure-Python parser (used where PyYAML was built without libyaml)."""

    def __init__(self, stream: str, file: Path) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self._bound(file)

    def fetch_flow_collection_start(self, token_class: Any) -> None:
        # checked while scanning: the scanner looks ahead over a whole flow collection, at
        # a cost that grows with its depth, before the composer sees the first node
        if self.flow_level >= MAX_DEPTH:
            mark = self.get_mark()
            raise ContractError(
                f"brackets nested more than {MAX_DEPTH} levels deep",
                location=Location(self.file, mark.line + 1, mark.column + 1),
                hint="contracts are a few levels deep; check the brackets",
            )
        super().fetch_flow_collection_start(token_class)


_Loader: Any = _PyLoader
if getattr(yaml, "__with_libyaml__", False):  # libyaml's parser: ten times faster, and it
    from yaml._yaml import CParser  # caps bracket nesting itself

    class _CLoader(_BoundedComposer, CParser, yaml.constructor.SafeConstructor, _Resolver):  # type: ignore[misc]
        """libyaml's event parser under our bounded composer."""

        def __init__(self, stream: str, file: Path) -> None:
            CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            _Resolver.__init__(self)
            self._bound(file)

    _Loader = _CLoader


def _event_mark(event: Any) -> tuple[int, int]:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:omap"}


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@dataclass
class _Budget:
    """Counts the values built: one per node of the file, plus the copies aliases make."""

    left: int

    def spend(self, doc: PositionedDocument, node: yaml.Node) -> None:
        self.left -= 1
        if self.left < 0:
            raise ContractError(
                f"aliases expand to more than {ALIAS_BUDGET:,} copied values",
                location=Location(doc.file, *_mark(node)),
                hint="use fewer or smaller anchors (&name / *name); nested aliases multiply",
            )


def _construct(
    loader: _Loader, node: yaml.Node, path: Path_, doc: PositionedDocument, budget: _Budget
) -> Any:
    budget.spend(doc, node)
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
            key = _scalar(loader, key_node, doc)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                raise ContractError(
                    "mapping keys must be plain scalars",
                    location=Location(doc.file, *_mark(key_node)),
                    hint="write the key as text",
                )
            key = str(key) if not isinstance(key, str) else key
            if key in seen:
                first_line = seen[key].start_mark.line + 1
                raise ContractError(
                    f"duplicate key '{clip(key)}' (first defined on line {first_line})",
                    location=Location(doc.file, *_mark(key_node)),
                    hint="remove one of the two definitions",
                )
            seen[key] = key_node
            doc.key_positions[(*path, key)] = _mark(key_node)
            result[key] = _construct(loader, value_node, (*path, key), doc, budget)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _construct(loader, item, (*path, i), doc, budget) for i, item in enumerate(node.value)
        ]
    return _scalar(loader, node, doc)


def _scalar(loader: _Loader, node: yaml.Node, doc: PositionedDocument) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None  # a mapping or sequence used as a key: the caller refuses it
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a 5,000-digit integer
        raise ContractError(
            f"cannot read the value {clip(str(node.value))!r}: {clip(str(exc))}",
            location=Location(doc.file, *_mark(node)),
            hint="quote it to keep it as text",
        ) from None


def _read_text(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ContractError(
            "file not found", location=Location(path), hint="check the path"
        ) from None
    except IsADirectoryError:
        raise ContractError("expected a file, found a directory", location=Location(path)) from None
    except OSError as exc:
        raise ContractError(f"cannot read file: {exc.strerror}", location=Location(path)) from None
    if len(raw) > MAX_BYTES:
        raise ContractError(
            f"file is larger than {MAX_BYTES // (1024 * 1024)} MB",
            location=Location(path),
            hint="a contract, binding or project file is a few kilobytes; check the path",
        )
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
        loader = _Loader(text, path)
        try:
            node = loader.get_single_node()
            if node is None:
                raise ContractError(
                    "file is empty",
                    location=Location(path, 1, 1),
                    hint="see docs/contract-format.md",
                )
            doc.data = _construct(loader, node, (), doc, _Budget(loader.nodes + ALIAS_BUDGET))
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else "a byte"
        raise ContractError(
            f"control character {what} is not allowed in YAML",
            location=Location(path, line, col),
            hint="remove it, or write it escaped inside a double-quoted string (\\t, \\u0001)",
        ) from None
    except RecursionError:
        raise ContractError(
            "the file nests (or merges aliases) too deeply to read",
            location=Location(path),
            hint="contracts are a few levels deep; check anchors, aliases and merge keys (<<)",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        problem = exc.problem or exc.context or "invalid YAML"
        raise ContractError(
            f"YAML syntax error: {clip(problem, 160)}",
            location=loc,
            hint="check indentation and quoting around this position",
        ) from None
    except yaml.YAMLError as exc:
        raise ContractError(f"YAML error: {clip(str(exc), 160)}", location=Location(path)) from None
    return doc


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    index = max(0, min(index, len(text)))
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1
