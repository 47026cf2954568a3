from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.words import word

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class AmbiguousIdentity(ProjectCheck):
    """Rows whose only matching keys belong to several customers of the master (an e-mail
    on two customer records, say): any resolution would be a guess."""

    code = "OC-IDN-008"
    name = "ambiguous-identity"
    summary = "rows that match several customers"
    hint = "Merge the duplicate customer records in the master (see OC-IDN-004)."

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        for res in index.resolutions():
            count = index.status_count(res, "ambiguous")
            if count:
                yield res.feed.draft(
                    self,
                    None,
                    int(count),
                    [],
                    f"{n_of(count, 'row')} {word(count, 'matches', 'match')} more than one customer and cannot be attributed",
                )
