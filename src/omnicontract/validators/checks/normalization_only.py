from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, column, func, select, true

from omnicontract.contracts.model import Severity
from omnicontract.validators import layouts
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.validators.identity import ROWS
from omnicontract.words import word

if TYPE_CHECKING:
    from omnicontract.contracts.model import IdentityKey
    from omnicontract.validators.identity import IdentityIndex
    from omnicontract.validators.run import FeedRun, Run


class NormalizationOnlyMatch(ProjectCheck):
    """Identity keys that break the layout their channel declares for them (`layout:` on
        the field's mapping: `e164`, `digits`, `national`, `lowercase` or a pattern) and join
        a customer only after normalization: a CPF with punctuation in a digits-only column,
        a mixed-case e-mail where lower case was promised. Raw joins downstream miss them, and
        the channel broke its own promise. On the master's feeds, every key value that breaks
        the declared layout counts. Placeholders and shared values (OC-IDN-006) identify no one
    and are left out. Keys without a declared layout are
        not judged: how many rows join only after normalization is a profile figure of every
        channel (`key_match` in the JSON report), not a defect. The count is rows."""

    code = "OC-IDN-003"
    name = "normalization-only-match"
    summary = "keys that break the declared layout and join only after normalization"
    hint = (
        "Write the key in the layout the binding declares (or fix the declaration); "
        "normalize it at the source before it is exported."
    )
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        if not index.ready:
            return
        for feed in run.feeds:
            if not feed.ok or not feed.selected:
                continue
            for key, col, raw in index.feed_keys(feed):
                f = feed.fields[col]
                layout = f.mapping.layout if f.mapping else None
                if layout is None:
                    continue
                counts = self._candidates(run, index, feed, key, col, raw)
                region = self._region(run, feed, col)
                broken = [
                    (v, n)
                    for v, n in counts
                    if v is not None and not layouts.keeps(layout, v, region)
                ]
                total = sum(n for _v, n in broken)
                if not total:
                    continue
                broken.sort(key=lambda p: (-p[1], str(p[0])))
                yield feed.draft(
                    self,
                    f,
                    total,
                    broken[: run.sample_size],
                    f"{n_of(total, 'row')} {word(total, 'breaks', 'break')} the declared layout "
                    f"of '{key.name}' ({layouts.describe(layout)}) and "
                    f"{word(total, 'matches', 'match')} a customer only after "
                    f"{key.normalize.value} normalization",
                )

    @staticmethod
    def _region(run: Run, feed: FeedRun, col: str) -> str | None:
        m = feed.binding.fields.get(col)
        return (
            (m.phone_region if m else None)
            or feed.channel.model.phone_region
            or run.project.settings.defaults.phone_region
        )

    @staticmethod
    def _candidates(
        run: Run, index: IdentityIndex, feed: FeedRun, key: IdentityKey, col: str, raw: str
    ) -> list[tuple[Any, int]]:
        """(raw value, rows) of the feed's key values that identify a customer: on the
        master, every one; elsewhere, those that join only after normalization."""
        if feed.binding.entity == index.policy.master:
            value, norm = column(raw), index.norm_expr(key, column(col))
            source: Any = feed.view
            where: Any = true()
            rows = func.count()
        else:
            res = index.resolution(feed)
            if res is None:
                return []
            source = res.by_key
            value, norm = source.c["x_" + key.name], source.c["n_" + key.name]
            where = value.is_not(None)
            rows = func.sum(source.c[ROWS])
        # values that identify a customer: not placeholders, not shared (OC-IDN-006's)
        known = index.values.alias("k")
        stmt = (
            select(value, rows)
            .select_from(source.join(known, and_(known.c.key == key.name, known.c.norm == norm)))
            .where(where, known.c.owners <= index.policy.shared_threshold)
            .group_by(value)
        )
        return [(v, int(n)) for v, n in run.fetch(stmt)]
