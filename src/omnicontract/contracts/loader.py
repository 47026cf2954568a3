"""Load a project folder: the project file, its entity contracts and channel bindings.

Every problem becomes a :class:`ContractError` naming file, line and column, with a
did-you-mean hint for misspelt keys, field names and entities.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from omnicontract.contracts.foreign import is_foreign
from omnicontract.contracts.model import (
    ChannelBinding,
    EntityContract,
    FeedBinding,
    LogicalType,
    ProjectFile,
)
from omnicontract.contracts.paths import OUTSIDE_HINT, Confinement
from omnicontract.contracts.yamlio import PositionedDocument, load_yaml
from omnicontract.errors import ContractError, Location
from omnicontract.redact import clip
from omnicontract.words import n_of

PROJECT_FILE = "omnicontract.yaml"
BUILTIN_PREFIX = "builtin:"
MAX_REPORTED = 10


@dataclass
class LoadedContract:
    model: EntityContract
    doc: PositionedDocument
    # for an ODCS file: what it expresses that omnicontract does not honour
    unsupported: list[Any] = field(default_factory=list)
    odcs: bool = False  # read from an ODCS (or DCS) document

    @property
    def path(self) -> Path:
        return self.doc.file


@dataclass
class LoadedChannel:
    model: ChannelBinding
    doc: PositionedDocument

    @property
    def path(self) -> Path:
        return self.doc.file

    def feed_location(self, index: int, *keys: str | int) -> Location:
        return self.doc.location(("feeds", index, *keys))


@dataclass
class Project:
    """A loaded, cross-checked project, ready to validate."""

    root: Path
    settings: ProjectFile
    contracts: dict[str, LoadedContract]
    channels: list[LoadedChannel]
    doc: PositionedDocument | None = None
    files: list[Path] = field(default_factory=list)
    confinement: Confinement | None = None  # where sources may be read

    def __post_init__(self) -> None:
        if self.confinement is None:
            self.confinement = Confinement(self.root)

    @property
    def name(self) -> str:
        return self.settings.project

    def channel(self, name: str) -> LoadedChannel:
        for ch in self.channels:
            if ch.model.channel == name:
                return ch
        raise KeyError(name)

    def iter_feeds(self) -> Iterable[tuple[LoadedChannel, int, FeedBinding]]:
        for ch in self.channels:
            for i, feed in enumerate(ch.model.feeds):
                yield ch, i, feed


# ---------------------------------------------------------------- error mapping


def _unwrap(annotation: Any) -> list[Any]:
    """Candidate model classes / containers behind an annotation."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _allowed_keys(model: type[BaseModel], path: tuple[Any, ...]) -> list[str]:
    """Field names allowed at ``path`` below ``model`` (for did-you-mean)."""
    current: list[Any] = [model]
    for part in path:
        nxt: list[Any] = []
        for cand in current:
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                info = cand.model_fields.get(str(part))
                if info is None:
                    alias_hit = [f for f in cand.model_fields.values() if f.alias == part]
                    info = alias_hit[0] if alias_hit else None
                if info is not None:
                    nxt.extend(_unwrap(info.annotation))
            else:
                origin = typing.get_origin(cand)
                args = typing.get_args(cand)
                if origin is list and args:
                    nxt.extend(_unwrap(args[0]))
                elif origin is dict and len(args) == 2:
                    nxt.extend(_unwrap(args[1]))
        current = nxt
    keys: list[str] = []
    for cand in current:
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            keys.extend(cand.model_fields)
    return keys


def _doc_path(doc: PositionedDocument, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union/validator tags that are not part of the document path."""
    out: list[Any] = []
    node = doc.data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and part < len(node)
        ):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node:
            # either an unknown/missing key (keep it, it is the subject) or a tag (skip)
            if part[:1].isupper() or "[" in part or part in ("str", "function-after"):
                continue
            out.append(part)
            node = None
        else:
            continue
    return tuple(out)


def _message(
    err: dict[str, Any], model: type[BaseModel], path: tuple[Any, ...]
) -> tuple[str, str | None]:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = clip(path[-1]) if path else "?"
        allowed = _allowed_keys(model, path[:-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"did you mean '{close[0]}'?" if close else None
        if allowed and not hint:
            hint = "allowed keys: " + ", ".join(sorted(allowed))
        return f"unknown key '{key}'", hint
    if kind == "missing":
        key = clip(path[-1]) if path else "?"
        return f"missing required key '{key}'", None
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    field_name = next((str(p) for p in reversed(path) if isinstance(p, str)), None)
    if kind in ("literal_error", "enum"):
        got = err.get("input")
        expected = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        close = difflib.get_close_matches(str(got), expected, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'?" if close else None
        return f"invalid value {clip(got)!r} for '{field_name}': {msg[:1].lower()}{msg[1:]}", hint
    if field_name and kind != "value_error":
        return f"'{field_name}': {msg[:1].lower()}{msg[1:]}", None
    return msg, None


def raise_validation(exc: ValidationError, doc: PositionedDocument, model: type[BaseModel]) -> None:
    problems: list[tuple[Location, str, str | None]] = []
    for err in exc.errors(include_url=False):
        path = _doc_path(doc, tuple(err["loc"]))
        text, hint = _message(err, model, path)
        is_key = err["type"] == "extra_forbidden"
        loc = doc.location(path, key=is_key)
        if err["type"] == "missing":
            loc = doc.location(path[:-1])
        problems.append((loc, text, hint))
    raise_problems(problems)


def raise_problems(problems: list[tuple[Location, str, str | None]]) -> None:
    problems.sort(key=lambda p: (str(p[0].file), p[0].line or 0, p[0].column or 0))
    first_loc, first_text, first_hint = problems[0]
    if len(problems) == 1:
        raise ContractError(first_text, location=first_loc, hint=first_hint)
    lines = [first_text]
    for loc, text, hint in problems[1:MAX_REPORTED]:
        lines.append(f"{loc}: {text}" + (f" ({hint})" if hint else ""))
    if len(problems) > MAX_REPORTED:
        lines.append(f"... and {len(problems) - MAX_REPORTED} more problems")
    raise ContractError("\n".join(lines), location=first_loc, hint=first_hint)


def parse_model(doc: PositionedDocument, model: type[BaseModel]) -> Any:
    if not isinstance(doc.data, dict):
        raise ContractError(
            f"expected a mapping at the top of the file, found {type(doc.data).__name__}",
            location=Location(doc.file, 1, 1),
            hint="see docs/contract-format.md",
        )
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise_validation(exc, doc, model)
        raise  # unreachable


# ---------------------------------------------------------------- files


def builtin_contracts_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "contracts"


def load_contract(path: Path | str) -> LoadedContract:
    """A native entity contract, or an ODCS data contract (detected by apiVersion/kind)
    with one schema object."""
    doc = load_yaml(path)
    odcs = _as_odcs(doc)
    if odcs is not None:
        from omnicontract.contracts.odcs_import import convert

        return _from_odcs(odcs, convert(odcs))
    return LoadedContract(parse_model(doc, EntityContract), doc)


def load_contracts(path: Path | str) -> list[LoadedContract]:
    """The entities of one contract file: a native contract, or every schema object of an
    ODCS data contract, each its own entity."""
    doc = load_yaml(path)
    odcs = _as_odcs(doc)
    if odcs is not None:
        from omnicontract.contracts.odcs_import import convert_all

        return [_from_odcs(odcs, imported) for imported in convert_all(odcs)]
    return [LoadedContract(parse_model(doc, EntityContract), doc)]


def _as_odcs(doc: PositionedDocument) -> PositionedDocument | None:
    """``doc`` read as ODCS when it is an ODCS or DCS document (the importer is loaded
    only then), else None."""
    if not is_foreign(doc.data):
        return None
    from omnicontract.contracts.odcs_import import as_odcs

    return as_odcs(doc)


def _from_odcs(doc: PositionedDocument, imported: Any) -> LoadedContract:
    native = imported.positioned(doc)
    model = parse_model(native, EntityContract)
    return LoadedContract(model, native, imported.unsupported, odcs=True)


def load_channel(path: Path | str) -> LoadedChannel:
    doc = load_yaml(path)
    return LoadedChannel(parse_model(doc, ChannelBinding), doc)


def _expand(
    confinement: Confinement, patterns: list[str], doc: PositionedDocument | None, key: str
) -> list[Path]:
    root = confinement.root
    found: list[Path] = []
    for i, pattern in enumerate(patterns):
        if pattern.startswith(BUILTIN_PREFIX):
            name = pattern[len(BUILTIN_PREFIX) :]
            candidate = builtin_contracts_dir() / f"{name}.yaml"
            if not candidate.exists():
                known = sorted(p.stem for p in builtin_contracts_dir().glob("*.yaml"))
                raise ContractError(
                    f"no built-in contract '{name}'",
                    location=doc.location((key, i)) if doc else None,
                    hint="built-in contracts: " + ", ".join(known),
                )
            found.append(candidate)
            continue
        where = doc.location((key, i)) if doc else Location(root)
        problem = confinement.pattern_problem(pattern)
        if problem:
            raise ContractError(problem, location=where, hint=OUTSIDE_HINT)
        matches, outside = confinement.expand(pattern)
        if outside:
            raise ContractError(
                f"'{clip(pattern)}' matches {n_of(len(outside), 'file')} outside the project folder "
                f"(through a symbolic link): {clip(outside[0].name)}",
                location=where,
                hint=OUTSIDE_HINT,
            )
        if not matches:
            raise ContractError(
                f"'{clip(pattern)}' matches no file",
                location=where,
                hint=f"paths in '{key}' are relative to {root}",
            )
        found.extend(m for m in matches if m not in found)  # two globs, one file: once
    return found


def find_project_file(path: Path) -> Path:
    if path.is_dir():
        candidate = path / PROJECT_FILE
        if not candidate.exists():
            raise ContractError(
                f"no {PROJECT_FILE} in this folder",
                location=Location(path),
                hint="run 'omnicontract init' to create a project, or pass the project folder",
            )
        return candidate
    if not path.exists():
        raise ContractError(
            "project not found",
            location=Location(path),
            hint="pass a project folder or its omnicontract.yaml",
        )
    return path


def load_project(
    path: Path | str = ".",
    *,
    allow_paths: Iterable[str | Path] = (),
    check_names: Collection[str] | None = None,
    server: str | None = None,
    data: bool = True,
) -> Project:
    """Load and cross-check a project (folder or ``omnicontract.yaml``, or an ODCS contract
    with ``servers:``, read from ``server`` or its first). Files are read only inside the
    project folder, the project's ``data_roots`` and ``allow_paths``."""
    project_file = find_project_file(Path(path))
    root = project_file.parent
    doc = load_yaml(project_file)
    odcs = _as_odcs(doc)
    if odcs is not None:  # an ODCS (or DCS) contract on its own: its servers hold the data
        return _odcs_project(project_file, odcs, server, allow_paths, check_names, data=data)
    if server is not None:
        raise ContractError(
            "--server applies to an ODCS contract, not to a project",
            location=Location(project_file),
            hint="pass the ODCS contract file itself: omnicontract validate orders.odcs.yaml",
        )
    settings: ProjectFile = parse_model(doc, ProjectFile)
    confinement = Confinement(root)
    for folder in settings.data_roots:
        confinement.allow(folder, "data_roots")
    for folder in allow_paths:
        confinement.allow(folder, "--allow-path")

    contracts: dict[str, LoadedContract] = {}
    for file in _expand(confinement, settings.contracts, doc, "contracts"):
        _add_entities(contracts, load_contracts(file))

    channels: list[LoadedChannel] = []
    for file in _expand(confinement, settings.channels, doc, "channels"):
        loaded_ch = load_channel(file)
        clash = [c for c in channels if c.model.channel == loaded_ch.model.channel]
        if clash:
            raise ContractError(
                f"channel '{loaded_ch.model.channel}' is defined twice (also in {clash[0].path})",
                location=loaded_ch.doc.location(("channel",)),
            )
        channels.append(loaded_ch)

    project = Project(
        root=root,
        settings=settings,
        contracts=contracts,
        channels=channels,
        doc=doc,
        confinement=confinement,
    )
    files = [project_file] + [c.path for c in contracts.values()] + [c.path for c in channels]
    project.files = list(dict.fromkeys(files))  # an ODCS file of several entities: once
    cross_check(project, check_names)
    return project


def _add_entities(contracts: dict[str, LoadedContract], loaded: list[LoadedContract]) -> None:
    for one in loaded:
        name = one.model.entity
        if name in contracts:
            raise ContractError(
                f"entity '{name}' is defined twice (also in {contracts[name].path})",
                location=one.doc.location(("entity",)),
            )
        contracts[name] = one


def _odcs_project(
    file: Path,
    doc: PositionedDocument,
    server: str | None,
    allow_paths: Iterable[str | Path],
    check_names: Collection[str] | None,
    *,
    data: bool,
) -> Project:
    from omnicontract.contracts import odcs_project

    settings, imported, binding, root = odcs_project.load(file, doc, server, data=data)
    confinement = Confinement(root)
    for folder in allow_paths:
        confinement.allow(folder, "--allow-path")
    channels = (
        [] if binding is None else [LoadedChannel(parse_model(binding, ChannelBinding), binding)]
    )
    contracts: dict[str, LoadedContract] = {}
    _add_entities(contracts, [_from_odcs(doc, one) for one in imported])
    project = Project(
        root=root,
        settings=settings,
        contracts=contracts,
        channels=channels,
        doc=None,
        confinement=confinement,
    )
    project.files = [file]
    cross_check(project, check_names)
    return project


def _did_you_mean(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f"did you mean '{close[0]}'?" if close else None


Problem = tuple[Location, str, str | None]


def _override_problems(
    overrides: dict[str, Any],
    doc: PositionedDocument,
    base: tuple[Any, ...],
    known: set[str] | None,
) -> list[Problem]:
    if known is None:  # no list of checks to hold the names against
        return []
    return [
        (
            doc.location((*base, key), key=True),
            f"unknown check '{key}'",
            _did_you_mean(key, known) or "run 'omnicontract checks' to list check codes and names",
        )
        for key in overrides
        if key not in known
    ]


def _reference_problems(project: Project) -> list[Problem]:
    problems: list[Problem] = []
    for contract in project.contracts.values():
        for fname, spec in contract.model.fields.items():
            if not spec.references:
                continue
            ent, ref_field = spec.references.split(".")
            where = contract.doc.location(("fields", fname, "references"))
            if ent not in project.contracts:
                hint = _did_you_mean(ent, project.contracts)
                problems.append((where, f"references unknown entity '{ent}'", hint))
            elif ref_field not in project.contracts[ent].model.fields:
                hint = _did_you_mean(ref_field, project.contracts[ent].model.fields)
                msg = f"references unknown field '{ref_field}' of entity '{ent}'"
                problems.append((where, msg, hint))
    return problems


def _source_problems(
    project: Project, ch: LoadedChannel, i: int, feed: FeedBinding
) -> list[Problem]:
    """Source paths must stay inside the project (or an allowed root), links resolved."""
    confinement = project.confinement or Confinement(project.root)
    problems: list[Problem] = []
    for j, pattern in enumerate(feed.source.paths):
        sub = ("path",) if isinstance(feed.source.path, str) else ("path", j)
        where = ch.feed_location(i, "source", *sub)
        problem = confinement.pattern_problem(pattern)
        if problem is None:
            _inside, outside = confinement.expand(pattern)
            if outside:
                problem = (
                    f"'{clip(pattern)}' matches {n_of(len(outside), 'file')} outside the project "
                    f"folder (through a symbolic link): {clip(outside[0].name)}"
                )
        if problem:
            problems.append((where, f"feed '{feed.name}': {problem}", OUTSIDE_HINT))
    return problems


def _mapping_type_problems(
    ch: LoadedChannel, i: int, feed: FeedBinding, entity: EntityContract
) -> list[Problem]:
    """Mapping options that the canonical field's type cannot take."""
    problems: list[Problem] = []
    for fname, mapping in feed.fields.items():
        spec = entity.fields.get(fname)
        if spec is None or mapping.values is None or spec.type == LogicalType.string:
            continue
        problems.append(
            (
                ch.doc.location(("feeds", i, "fields", fname, "values")),
                f"'{fname}' is a {spec.type.value} field; a value map ('values') turns source "
                "text into canonical text and applies to string fields only",
                "drop 'values' and let the type parse the column, or make the field a string "
                "with an enum",
            )
        )
    return problems


def _binding_problems(project: Project, ch: LoadedChannel, known: set[str] | None) -> list[Problem]:
    problems = _override_problems(ch.model.checks, ch.doc, ("checks",), known)
    for i, feed in enumerate(ch.model.feeds):
        problems += _source_problems(project, ch, i, feed)
        problems += _override_problems(feed.checks, ch.doc, ("feeds", i, "checks"), known)
        contract = project.contracts.get(feed.entity)
        if contract is None:
            hint = _did_you_mean(feed.entity, project.contracts) or "entities: " + ", ".join(
                sorted(project.contracts)
            )
            msg = f"feed '{feed.name}' binds unknown entity '{feed.entity}'"
            problems.append((ch.feed_location(i, "entity"), msg, hint))
            continue
        canonical = contract.model.fields
        problems += _mapping_type_problems(ch, i, feed, contract.model)
        for section, names in (("fields", feed.fields), ("constants", feed.constants)):
            for fname in names:
                if fname not in canonical:
                    problems.append(
                        (
                            ch.doc.location(("feeds", i, section, fname), key=True),
                            f"'{fname}' is not a field of entity '{feed.entity}'",
                            _did_you_mean(fname, canonical),
                        )
                    )
    return problems


def _policy_problems(project: Project) -> list[Problem]:
    """The identity and consent policies must name entities and fields that exist."""
    doc = project.doc
    if doc is None or not project.contracts:
        return []
    identity = project.settings.identity
    master = project.contracts.get(identity.master)
    if master is None:
        if "identity" not in doc.data:  # default policy, project without a customer entity
            return []
        hint = _did_you_mean(identity.master, project.contracts)
        msg = f"identity master '{identity.master}' is not an entity of this project"
        return [(doc.location(("identity", "master")), msg, hint)]
    problems: list[Problem] = []
    if "consent" not in doc.data:  # only a policy the project writes is checked here
        return problems
    fields = master.model.fields
    for channel, field_name in project.settings.consent.channels.items():
        where = doc.location(("consent", "channels", channel))
        if field_name not in fields:
            problems.append(
                (
                    where,
                    f"consent field '{field_name}' is not a field of entity '{identity.master}'",
                    _did_you_mean(field_name, fields),
                )
            )
        elif fields[field_name].type != "boolean":
            problems.append(
                (
                    where,
                    f"consent field '{field_name}' of entity '{identity.master}' is of type "
                    f"'{fields[field_name].type.value}': a consent flag is a boolean field",
                    "give the field `type: boolean` (a binding's true_values/false_values "
                    "read the export's own words), or name another field",
                )
            )
    return problems


def _database_file_outside(project: Project, url: str) -> str | None:
    """For a database that is a file (SQLite, DuckDB): a message when the file lies
    outside the folders the project may read."""
    from omnicontract.urls import backend

    if backend(url) not in ("sqlite", "duckdb"):
        return None
    database = url.split("://", 1)[1].split("?", 1)[0]
    database = database[1:] if database.startswith("/") else database
    if database in ("", ":memory:") or database.startswith(":memory:"):
        return None
    confinement = project.confinement or Confinement(project.root)
    problem = confinement.pattern_problem(database)
    return problem


def _url_problem(name: str, url: str) -> tuple[str, str] | None:
    """Why a connection URL cannot be used (message, hint), judged without connecting."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from omnicontract.urls import backend, misplaced_env

    usage = "write e.g. postgresql://user:${PASSWORD}@host/db or sqlite:///file.db"
    if backend(url) is None:
        return f"connection '{name}' is not a SQLAlchemy URL", usage
    try:
        part = misplaced_env(make_url(url))
    except (ArgumentError, ValueError):
        return f"connection '{name}' is not a SQLAlchemy URL", usage
    if part is not None:
        msg = f"connection '{name}' uses ${{...}} in its {part}; only the password may come "
        return msg + "from the environment", usage
    return None


def _connection_problems(project: Project) -> list[Problem]:
    """Connections must have a URL with a scheme; database feeds must name a declared
    connection, and a query must be one read-only SELECT (checked without connecting)."""
    from omnicontract.contracts.sqlquery import QueryError, check_query
    from omnicontract.urls import backend

    problems: list[Problem] = []
    connections = project.settings.connections
    if project.doc is not None:
        for name, conn in connections.items():
            problem = _url_problem(name, conn.url)
            if problem is not None:
                problems.append((project.doc.location(("connections", name)), *problem))
            elif outside := _database_file_outside(project, conn.url):
                problems.append(
                    (
                        project.doc.location(("connections", name)),
                        f"connection '{name}': {outside}",
                        OUTSIDE_HINT,
                    )
                )
    for ch in project.channels:
        for i, feed in enumerate(ch.model.feeds):
            src = feed.source
            if src.connection is None:
                continue
            if src.connection not in connections:
                hint = _did_you_mean(src.connection, connections) or (
                    "declare it under connections: in the project file"
                )
                msg = f"feed '{feed.name}' uses unknown connection '{src.connection}'"
                problems.append((ch.feed_location(i, "source", "connection"), msg, hint))
                continue
            if src.query is not None:
                try:
                    check_query(src.query, backend(connections[src.connection].url))
                except QueryError as exc:
                    hint = "write one SELECT; see docs/engines.md for what a query may contain"
                    problems.append((ch.feed_location(i, "source", "query"), str(exc), hint))
    return problems


def cross_check(project: Project, check_names: Collection[str] | None = None) -> None:
    """Checks that span files: entities, canonical fields, references, and, given the
    codes and names of the checks that exist (the check registry's, which this layer does
    not import), the check names of overrides."""
    known = set(check_names) if check_names is not None else None
    problems: list[Problem] = []
    if project.doc is not None:
        base = ("policy", "checks")
        problems += _override_problems(project.settings.policy.checks, project.doc, base, known)
    problems += _reference_problems(project)
    problems += _policy_problems(project)
    problems += _connection_problems(project)
    for ch in project.channels:
        problems += _binding_problems(project, ch, known)
    if problems:
        raise_problems(problems)
