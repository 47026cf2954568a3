"""Where the run store lives: default location, `${ENV_VAR}` expansion, masking.

A store URL is any SQLAlchemy URL. Passwords never leave this module in clear text:
every message that may carry a URL goes through :func:`mask`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from omnicontract.errors import OmnicontractError

ENV_URL = "OMNICONTRACT_HISTORY_URL"
STORE_DIR = ".omnicontract"
STORE_FILE = "history.db"

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_USERINFO = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*):(?P<password>[^@\s]*)@", re.I)


class HistoryError(OmnicontractError):
    """The run store cannot be opened, read or written."""


def mask(text: str, *secrets: str | None) -> str:
    """``text`` with the password of every URL in it, and each of ``secrets``, as ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _USERINFO.sub(lambda m: f"{m.group('head')}:***@", text)


def expand_env(url: str) -> str:
    """Replace ``${NAME}`` with the environment variable; a missing one is an error."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise HistoryError(
                f"the history URL uses ${{{name}}}, which is not set",
                hint=f"export {name}=... before running, or change history.url",
            )
        return os.environ[name]

    return _ENV_REF.sub(value, url)


def default_url(root: Path) -> str:
    return f"sqlite:///{(Path(root).resolve() / STORE_DIR / STORE_FILE).as_posix()}"


def resolve(url: str | None, root: Path) -> tuple[str, str | None]:
    """The URL to open and the password in it (to mask): ``url`` with the environment
    expanded, PostgreSQL routed to psycopg 3, and a relative SQLite path taken from
    the project folder. ``None`` means the default store under the project."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    raw = expand_env(url) if url else default_url(root)
    try:
        parsed = make_url(raw)
    except (ArgumentError, ValueError):
        raise HistoryError(
            f"'{mask(raw)}' is not a database URL",
            hint="write e.g. sqlite:///path/history.db or postgresql://user:${PASSWORD}@host/db",
        ) from None
    password = parsed.password if isinstance(parsed.password, str) else None
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql") and "+" not in parsed.drivername:
        parsed = parsed.set(drivername="postgresql+psycopg")  # psycopg 3, the postgres extra
    elif backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        path = Path(parsed.database)
        if not path.is_absolute():
            parsed = parsed.set(database=str(Path(root) / path))
    return parsed.render_as_string(hide_password=False), password


def display(url: str) -> str:
    """A URL as it may be printed: no password."""
    return mask(url)
