"""Draft a channel binding from a sample export (``omnicontract infer``).

- ``sniff``: format, encoding and CSV dialect of the file;
- ``profile``: each column sampled with DuckDB (type, distinct values with counts, and
  what the values look like);
- ``names``: which canonical field a column name means (Portuguese, Spanish, English);
- ``values``: date formats, phone regions, yes/no words, vocabularies and value maps;
- ``draft``: the decisions, each unsure one with the reason to check it;
- ``render``: the commented YAML.

Nothing but the first bytes of the file is read into Python; rows are sampled by DuckDB.
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from omnicontract.contracts.model import EntityContract, ProjectFile
from omnicontract.errors import UsageError
from omnicontract.infer import draft as drafting
from omnicontract.infer.profile import profile
from omnicontract.infer.render import render
from omnicontract.infer.sniff import detect, reader

__all__ = ["Inferred", "infer_binding"]


@dataclass
class Inferred:
    """A drafted binding: its YAML text and what the summary reports."""

    text: str
    channel: str
    feed: str
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (column, field)
    unmapped: list[str] = field(default_factory=list)
    unsure: int = 0
    todo: int = 0

    def summary(self) -> str:
        lines = [
            f"{len(self.mapped)} columns mapped, {len(self.unmapped)} unmapped, "
            f"{self.unsure} UNSURE, {self.todo} TODO"
        ]
        lines += [f"  {col} -> {name}" for col, name in self.mapped]
        lines += [f"  {col} -> (unmapped)" for col in self.unmapped]
        return "\n".join(lines)


def find_project(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding an ``omnicontract.yaml``."""
    for folder in [start, *start.parents]:
        if (folder / "omnicontract.yaml").is_file():
            return folder
    return None


def _settings(project: Path | None) -> ProjectFile | None:
    if project is None:
        return None
    from omnicontract.contracts.loader import find_project_file, parse_model
    from omnicontract.contracts.yamlio import load_yaml

    return parse_model(load_yaml(find_project_file(project)), ProjectFile)


def load_entity(entity: str, project: Path | None, settings: ProjectFile | None) -> EntityContract:
    """The project's contract for ``entity``, else the built-in one."""
    from omnicontract.contracts.loader import BUILTIN_PREFIX, builtin_contracts_dir, load_contract

    files: list[Path] = []
    for pattern in settings.contracts if settings and project else []:
        if pattern.startswith(BUILTIN_PREFIX):
            files.append(builtin_contracts_dir() / f"{pattern[len(BUILTIN_PREFIX) :]}.yaml")
        else:
            full = pattern if os.path.isabs(pattern) else str(project / pattern)
            files.extend(Path(p) for p in sorted(glob.glob(full, recursive=True)))
    files.append(builtin_contracts_dir() / f"{entity}.yaml")
    for file in files:
        if file.is_file():
            model = load_contract(file).model
            if model.entity == entity:
                return model
    known = sorted(p.stem for p in builtin_contracts_dir().glob("*.yaml"))
    raise UsageError(f"no entity '{entity}' in this project", hint="entities: " + ", ".join(known))


def slug(text: str) -> str:
    from omnicontract.infer.values import plain

    name = plain(text).replace(" ", "_")
    if not name or not name[0].isalpha():
        name = "feed_" + name
    return name


def guess_channel(path: Path, enum: list[str]) -> tuple[str, bool]:
    """(channel, sure): a canonical channel named in the path, else the folder's name."""
    from omnicontract.infer.values import plain

    words = [plain(p).replace(" ", "_") for p in [*path.parent.parts[-3:], path.stem]]
    for word in reversed(words):
        for name in enum:
            if word == name or re.search(rf"(^|_){name}(_|$)", word):
                return name, False
    return slug(path.parent.name if path.parent.name else path.stem), False


def infer_binding(
    file: str | Path,
    entity: str,
    *,
    channel: str | None = None,
    project: str | Path | None = None,
) -> Inferred:
    """Draft the binding of one sample export to ``entity``."""
    import duckdb

    path = Path(file)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    root = Path(project) if project is not None else find_project(path.resolve().parent)
    settings = _settings(root)
    contract = load_entity(entity, root, settings)
    header = [f"Drafted by `omnicontract infer` from {path.name} (entity: {entity})."]
    channel_enum = (contract.fields.get("channel") or _no_enum()).enum or []
    channel_note = None
    if channel is None:
        channel, _sure = guess_channel(path, channel_enum)
        channel_note = "guessed from the path; pass --channel to name it"
    if not re.match(r"^[a-z][a-z0-9_]*$", channel):
        raise UsageError(f"'{channel}' is not a channel name (lower_snake_case)")
    header += [
        "Check every line marked UNSURE, decide every TODO, then run `omnicontract validate`.",
        "",
    ]
    import tempfile

    con = duckdb.connect()
    workdir = tempfile.TemporaryDirectory(prefix="omnicontract-infer-")
    try:
        dialect = detect(con, path, Path(workdir.name))
        try:
            columns = profile(con, reader(path, dialect))
        except duckdb.Error as exc:
            raise UsageError(
                f"{path}: cannot read it as {dialect.format}: {str(exc).splitlines()[0]}",
                hint="pass a file in csv, json, jsonl or parquet",
            ) from None
    finally:
        con.close()
        workdir.cleanup()
    defaults = settings.defaults if settings else None
    ctx = drafting.Context(
        contract,
        channel,
        defaults.timezone if defaults else None,
        defaults.phone_region if defaults else None,
    )
    draft = drafting.build(columns, ctx)
    if root is not None:
        source_path = os.path.relpath(path.resolve(), Path(root).resolve())
    else:
        source_path = str(path)
    from omnicontract.contracts.model import infer_format

    try:
        suffix_format = infer_format(path.name)
    except ValueError:
        suffix_format = None
    text = render(
        draft,
        channel=channel,
        channel_note=channel_note,
        feed=slug(path.name.split(".")[0]),
        path=source_path.replace(os.sep, "/"),
        dialect=dialect,
        default_format=suffix_format,
        header=header,
    )
    return Inferred(
        text=text,
        channel=channel,
        feed=slug(path.name.split(".")[0]),
        mapped=[(fd.column.name, fd.field) for fd in draft.fields],
        unmapped=[c.name for c in draft.unmapped],
        unsure=text.count("# UNSURE:"),
        todo=text.count("# TODO"),
    )


def _no_enum():
    from omnicontract.contracts.model import FieldSpec

    return FieldSpec()
