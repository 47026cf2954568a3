"""Compare two versions of a whole project: every entity contract and channel binding.

The old version is a folder, or ``git:REV`` (the same project folder in a git revision,
``git:REV:PATH`` for another folder of the repository); the new one is a folder. Files
are paired by what they define (an entity's name, a channel's name), not by file name,
so a renamed file is a change of its content only. A file on one side only is an added
or removed entity or channel, with the rules of :mod:`omnicontract.contracts.diff_files`.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omnicontract.contracts.compare import (
    GIT_PREFIX,
    DiffResult,
    diff_versions,
    git_has_revision,
    read_version,
)
from omnicontract.contracts.diff import Version
from omnicontract.contracts.loader import BUILTIN_PREFIX, find_project_file, load_yaml, parse_model
from omnicontract.contracts.model import ProjectFile
from omnicontract.contracts.paths import Confinement
from omnicontract.errors import ContractError, OmnicontractError, UsageError

MAX_FILES = 2000  # contracts and bindings read from one version of a project


@dataclass
class ProjectDiff:
    old: str
    new: str
    files: list[DiffResult] = field(default_factory=list)  # only those with changes
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def breaking(self) -> int:
        return sum(len(f.breaking) for f in self.files)

    @property
    def non_breaking(self) -> int:
        return sum(len(f.non_breaking) for f in self.files)

    @property
    def exit_code(self) -> int:
        return 1 if self.breaking else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "project",
            "old": self.old,
            "new": self.new,
            "breaking": self.breaking,
            "non_breaking": self.non_breaking,
            "unchanged": self.unchanged,
            "warnings": list(self.warnings),
            "exit_code": self.exit_code,
            "files": [f.to_dict() for f in self.files],
        }


def is_project_spec(old: str, new: str) -> bool:
    """``diff OLD NEW`` compares projects when NEW is a folder."""
    return Path(new).is_dir() and (old.startswith(GIT_PREFIX) or Path(old).is_dir())


def _definitions(root: Path, label: str, warnings: list[str]) -> dict[tuple[str, str], Version]:
    """(kind, name) -> the file defining it, from the project file's globs."""
    project_file = find_project_file(root)
    settings: ProjectFile = parse_model(load_yaml(project_file), ProjectFile)
    confinement = Confinement(root)
    paths: list[Path] = []
    for pattern in [*settings.contracts, *settings.channels]:
        if pattern.startswith(BUILTIN_PREFIX):
            from omnicontract.contracts.loader import builtin_contracts_dir

            paths.append(builtin_contracts_dir() / f"{pattern[len(BUILTIN_PREFIX) :]}.yaml")
            continue
        inside, _outside = confinement.expand(pattern)
        paths += inside
    if len(paths) > MAX_FILES:
        raise UsageError(f"{label} lists more than {MAX_FILES} contract and binding files")
    found: dict[tuple[str, str], Version] = {}
    for path in dict.fromkeys(paths):
        shown = _label(path, root, label)
        try:
            version = read_version(path, shown)
        except ContractError as exc:
            if "cannot compare a file of kind" in exc.message or "not a contract" in exc.message:
                warnings.append(f"{shown}: not compared ({exc.message})")
                continue
            raise
        found.setdefault((version.kind, version.name), version)
    return found


def _label(path: Path, root: Path, label: str) -> str:
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)  # a built-in contract
    return f"{label}{rel}"


def _git_checkout(spec: str, new_root: Path, into: Path) -> tuple[Path, str]:
    """The project's files (YAML and JSON only) at a git revision, written under ``into``:
    (the project folder there, the label prefix for its files)."""
    rest = spec[len(GIT_PREFIX) :]
    rev, _sep, folder = rest.partition(":")
    if not rev:
        raise UsageError(f"'{spec}' names no git revision", hint="for example git:main")
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        capture_output=True,
        text=True,
        cwd=new_root,
        check=False,
    )
    if top.returncode != 0:
        raise UsageError(f"{new_root} is not in a git repository", hint="compare two folders")
    repo = Path(top.stdout.strip())
    if not git_has_revision(rev, repo):
        raise UsageError(
            f"git revision '{rev}' not found",
            hint="fetch it first (in CI: actions/checkout with fetch-depth: 0)",
        )
    rel = folder.strip("/") if folder else new_root.resolve().relative_to(repo).as_posix()
    rel = "" if rel == "." else rel
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "-z", "--name-only", rev, "--", rel or "."],
        capture_output=True,
        cwd=repo,
        check=True,
    )
    names = [
        n
        for n in listed.stdout.decode("utf-8", "replace").split("\0")
        if n.lower().endswith((".yaml", ".yml", ".json"))
    ][:MAX_FILES]
    prefix = f"git:{rev}:" + (f"{rel}/" if rel else "")
    if not names:
        raise UsageError(f"no project files under '{rel or '.'}' at {rev}")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "--", *names],
        capture_output=True,
        cwd=repo,
        check=True,
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")
    return into / rel, prefix


def diff_projects(old: str, new: str | Path) -> ProjectDiff:
    """Every change between two versions of a project, one result per changed file."""
    new_root = Path(new)
    result = ProjectDiff(old=old, new=str(new))
    with tempfile.TemporaryDirectory(prefix="omnicontract-diff-") as tmp:
        if old.startswith(GIT_PREFIX):
            old_root, old_label = _git_checkout(old, new_root, Path(tmp))
        else:
            old_root, old_label = Path(old), f"{Path(old).as_posix().rstrip('/')}/"
        try:
            before = _definitions(old_root, old_label, result.warnings)
        except OmnicontractError as exc:
            raise type(exc)(
                f"old version: {exc.message}", location=exc.location, hint=exc.hint
            ) from None
        new_label = "" if str(new) in ("", ".") else f"{Path(new).as_posix().rstrip('/')}/"
        after = _definitions(new_root, new_label, result.warnings)
        for key in sorted(before.keys() | after.keys()):
            compared = diff_versions(before.get(key), after.get(key))
            if compared.changes:
                result.files.append(compared)
            else:
                result.unchanged += 1
            result.warnings += [f"{compared.kind} {compared.name}: {w}" for w in compared.warnings]
    result.files.sort(key=lambda f: (not f.breaking, f.kind != "entity", f.name))
    return result
