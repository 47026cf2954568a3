"""Where a project may read: its own folder, and the data roots someone allowed visibly.

Contracts, bindings and sources come from strangers (a pull request, a vendor), so every
path and glob they name is resolved (symbolic links followed first) and must land inside
the project folder, or inside a data root allowed by the project file (``data_roots:``,
shown in every run header) or by the person running the command (``--allow-path``). A path
that leaves them is refused before anything is read: nothing of an outside file can reach
a report or a message.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path

from omnicontract.redact import clip

OUTSIDE_HINT = (
    "paths are relative to the project folder and stay inside it; to read elsewhere, list "
    "the folder under data_roots in omnicontract.yaml or pass --allow-path FOLDER"
)


@dataclass(frozen=True)
class AllowedRoot:
    path: Path  # resolved
    origin: str  # "data_roots" (the project file) or "--allow-path" (the command line)


@dataclass
class Confinement:
    """The folders a project may read from: the project folder and the allowed roots."""

    root: Path
    allowed: list[AllowedRoot] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root = Path(os.path.realpath(self.root))

    def allow(self, folder: str | Path, origin: str) -> None:
        path = Path(folder).expanduser()
        if not path.is_absolute():
            path = self.root / path
        resolved = Path(os.path.realpath(path))
        if all(a.path != resolved for a in self.allowed):
            self.allowed.append(AllowedRoot(resolved, origin))

    @property
    def roots(self) -> list[Path]:
        return [self.root, *(a.path for a in self.allowed)]

    def outside_roots(self) -> list[AllowedRoot]:
        """Allowed roots that are not under the project folder (what a run header shows)."""
        return [a for a in self.allowed if not _under(a.path, self.root)]

    def contains(self, path: str | Path) -> bool:
        """True when ``path``, with every symbolic link resolved, lies in an allowed root."""
        resolved = Path(os.path.realpath(path))
        return any(_under(resolved, r) for r in self.roots)

    def full(self, pattern: str) -> str:
        return pattern if os.path.isabs(pattern) else str(self.root / pattern)

    def pattern_problem(self, pattern: str) -> str | None:
        """Why a path or glob cannot be read, judged from its fixed leading folders alone
        (nothing is listed): it starts outside every allowed root."""
        if "\x00" in pattern:
            return f"the path {clip(pattern)!r} holds a NUL character"
        base = _fixed_prefix(self.full(pattern))
        if not self.contains(base):
            return f"'{clip(pattern)}' points outside the project folder"
        return None

    def expand(self, pattern: str) -> tuple[list[Path], list[Path]]:
        """Files matching ``pattern``: (inside, outside). Outside files are never opened;
        a caller refuses them."""
        if self.pattern_problem(pattern):
            return [], []
        inside: list[Path] = []
        outside: list[Path] = []
        for match in sorted(glob.glob(self.full(pattern), recursive=True)):
            p = Path(match)
            if not p.is_file():
                continue
            (inside if self.contains(p) else outside).append(p)
        return inside, outside


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _fixed_prefix(pattern: str) -> str:
    """The leading folders of a glob that hold no wildcard (``/a/b/*.csv`` -> ``/a/b``)."""
    parts = Path(pattern).parts
    fixed: list[str] = []
    for part in parts:
        if glob.has_magic(part):
            break
        fixed.append(part)
    if len(fixed) == len(parts):
        return pattern
    return str(Path(*fixed)) if fixed else "."
