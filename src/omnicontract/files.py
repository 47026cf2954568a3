"""Writing output files, for every layer that writes one (the CLI, reports, exports)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from omnicontract.errors import UsageError


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_writable(path: Path, what: str) -> None:
    """Fail before the run, not after it, when ``path`` cannot be written: it is a folder,
    one of its parents is a file, or the nearest existing parent refuses a new file (the
    probe file is removed at once; no folder is created)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{what}: {path} is a folder", hint="name a file, not a folder")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError(
            f"{what}: {path} cannot be written: {parent} is a file, not a folder",
            hint="choose a path whose folders are folders",
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=".omnicontract-probe-", dir=parent)
    except OSError as exc:
        raise UsageError(
            f"{what}: cannot create a file in {parent}: {exc.strerror or exc}",
            hint="choose a folder you can write to",
        ) from None
    os.close(fd)
    os.unlink(probe)
