from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import column, func, select

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, FeedCheck, n_of
from omnicontract.validators.queries import most_frequent

if TYPE_CHECKING:
    from omnicontract.validators.engine import FeedRun


class CrossFileDuplicate(FeedCheck):
    """The same primary key in two or more files of one feed: a day exported twice, or a
    record moved between regional files. The rows stay in the feed (the primary-key
    check counts them); this finding says how many keys span files, and which files."""

    code = "OC-SRC-009"
    name = "cross-file-duplicate"
    summary = "same key in several files of a feed"
    hint = (
        "Check whether files of the feed overlap (a day delivered twice, a record in two regions)."
    )
    default_severity = Severity.warning
    raw_texts = False

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        pk = feed.contract.primary_key
        f = feed.fields.get(pk) if pk else None
        if f is None or f.constant or len(feed.files) < 2 or feed.rows == 0:
            return
        key, file = column(pk), column("__file")
        spread = func.count(file.distinct())
        per_key = (
            select(key.label("k"), spread.label("files"), func.list(file.distinct()).label("names"))
            .select_from(feed.view)
            .where(key.is_not(None))
            .group_by(key)
            .having(spread > 1)
        )
        rows = feed.fetch(most_frequent(per_key, feed.sample_size))
        if not rows:
            return
        total = int(rows[0][3])
        samples: list[tuple[Any, int]] = []
        for k, n, _sum, _keys, names in rows[: feed.sample_size]:
            shown = sorted(feed.files.get(p, p) for p in names)
            samples.append((f"{k} ({', '.join(shown[:3])}{' ...' if len(shown) > 3 else ''})", n))
        yield feed.draft(
            self,
            f,
            total,
            samples,
            f"{n_of(total, 'key')} of '{pk}' {'occurs' if total == 1 else 'occur'} in two or "
            f"more of the feed's {len(feed.files)} files",
        )
