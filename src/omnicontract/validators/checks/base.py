"""What a check is. One check type = one small module with its code, summary, hint and
execution together (see ``omnicontract checks`` for the catalogue).

Kinds of check, by what they look at:

- ``StaticCheck``: the contracts and bindings themselves, no data (OC-CON);
- ``SourceCheck``: reading a feed's source (OC-SRC); the engine emits these;
- ``RowCheck``: one canonical field, row by row; every row check of a feed shares one
  scan of its table (``Run.run_row_checks``), so adding checks does not add scans;
- ``FeedCheck``: a whole feed at once (uniqueness, keys);
- ``ProjectCheck``: several feeds together (references, and cross-channel checks).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from omnicontract.contracts.model import FieldMapping, FieldSpec, Severity
from omnicontract.words import n_of  # noqa: F401  (the checks import it from here)

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement

    from omnicontract.contracts.loader import Project
    from omnicontract.validators.run import FeedRun, Run


@dataclass
class Draft:
    """A finding before policy (severity, tolerance) and masking are applied."""

    code: str
    message: str
    channel: str | None = None
    feed: str | None = None
    field: str | None = None
    count: int = 0
    total: int = 0
    samples: list[tuple[Any, int]] = dc_field(default_factory=list)
    location: str | None = None
    pii: bool = False
    hint: str | None = None
    # a default severity of this finding's own, in place of the check's (an override in
    # the project still wins)
    severity: Severity | None = None


@dataclass
class FieldContext:
    """A canonical field of a feed, as columns of the feed's canonical view."""

    name: str
    spec: FieldSpec
    mapping: FieldMapping | None
    value: ColumnElement[Any]
    raw: ColumnElement[Any] | None = None
    transform: str | None = None  # format | cast | values | phone | email | None
    naive: ColumnElement[Any] | None = None
    constant: bool = False
    primary_key: bool = False  # the entity's primary key (checked by OC-FLD-004 instead)
    now: datetime | None = None
    future_tolerance_s: int = 300


class Check:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    hint: ClassVar[str]
    default_severity: ClassVar[Severity] = Severity.error
    # a static check's severity under `lint`, where the contract itself is what is judged
    # (None: the default severity there too)
    lint_severity: ClassVar[Severity | None] = None
    kind: ClassVar[str] = "check"

    @classmethod
    def family(cls) -> str:
        return cls.code.rsplit("-", 1)[0]

    @classmethod
    def doc(cls) -> str:
        return (cls.__doc__ or cls.summary).strip()


class StaticCheck(Check):
    kind = "static"

    def lint(self, project: Project) -> Iterable[Draft]:
        raise NotImplementedError


class SourceCheck(Check):
    kind = "source"


class RowCheck(Check):
    kind = "row"

    def applies(self, f: FieldContext) -> bool:
        raise NotImplementedError

    def failing(self, f: FieldContext) -> ColumnElement[bool]:
        raise NotImplementedError

    def sample(self, f: FieldContext) -> ColumnElement[Any]:
        """The value shown for a failing row: the raw source value where there is one."""
        return f.raw if f.raw is not None else f.value

    def message(self, f: FieldContext, count: int) -> str:
        return f"{self.summary} ({f.name})"


class FeedCheck(Check):
    kind = "feed"
    # whether ``run`` reads raw source texts (``FieldContext.raw``): a check that does not
    # say is taken to read every field's
    raw_texts: ClassVar[bool] = True

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        raise NotImplementedError

    def reads_raw(self, feed: FeedRun) -> set[str] | None:
        """The fields whose raw source text ``run`` reads; None for any. Before a feed's
        checks run, the raw columns none of them reads are dropped: they would hold
        memory while a check groups the feed's rows."""
        return None if self.raw_texts else set()


class ProjectCheck(Check):
    kind = "project"
    cross_channel: ClassVar[bool] = True  # False for checks between entities, not channels

    def run(self, run: Run) -> Iterable[Draft]:
        raise NotImplementedError

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        """The canonical fields of ``feed`` this check reads. A database feed fetches the
        fields the run's checks read, and no other column (``validators/database.py``).
        By default what identity resolution reads: the identity keys, the customer id
        and, on the feeds resolved against the master, their event columns."""
        from omnicontract.validators.identity import resolution_fields

        return resolution_fields(run, feed)
