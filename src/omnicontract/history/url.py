"""Where the run store lives: default location, `${ENV_VAR}` expansion, masking.

A store URL is any SQLAlchemy URL. `${NAME}` is expanded in its password only: an expansion anywhere else (host, database, query) could carry a secret to a host the
URL names, or into a file name, so it is refused. Passwords never leave this module in clear
text: every message that may carry a URL goes through :func:`mask` (``omnicontract.redact``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omnicontract.errors import OmnicontractError
from omnicontract.redact import redact

ENV_URL = "OMNICONTRACT_HISTORY_URL"
STORE_DIR = ".omnicontract"
STORE_FILE = "history.db"


class HistoryError(OmnicontractError):
    """The run store cannot be opened, read or written."""


def mask(text: str, *secrets: str | None) -> str:
    """``text`` with every credential in it (see ``omnicontract.redact``), and each of
    ``secrets``, as ``***``."""
    return redact(text, *secrets)


def _expand_credentials(parsed: Any) -> Any:
    """``parsed`` with ``${NAME}`` expanded in its password; anywhere else it is an error."""
    from omnicontract.urls import EnvironmentProblem, expand_password

    try:
        return expand_password(parsed, "the history URL")[0]
    except EnvironmentProblem as exc:
        hint = exc.hint if "not set" not in str(exc) else exc.hint + ", or change history.url"
        raise HistoryError(str(exc), hint=hint) from None


def default_url(root: Path) -> str:
    return f"sqlite:///{(Path(root).resolve() / STORE_DIR / STORE_FILE).as_posix()}"


def resolve(url: str | None, root: Path) -> tuple[str, str | None]:
    """The URL to open and the password in it (to mask): ``url`` with the environment
    expanded, PostgreSQL routed to psycopg 3, and a relative SQLite path taken from
    the project folder. ``None`` means the default store under the project."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from omnicontract.urls import encode_userinfo

    raw = encode_userinfo(url) if url else default_url(root)
    try:
        parsed = make_url(raw)
    except (ArgumentError, ValueError):
        raise HistoryError(
            f"'{mask(raw)}' is not a database URL",
            hint="write e.g. sqlite:///path/history.db or postgresql://user:${PASSWORD}@host/db",
        ) from None
    parsed = _expand_credentials(parsed)
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
