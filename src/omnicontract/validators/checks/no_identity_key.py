from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.words import word

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class NoIdentityKey(ProjectCheck):
    """Rows with no usable identity key at all: every key is empty, a placeholder
    (`test@test.com`) or a value shared by too many customers. No join can resolve them."""

    code = "OC-IDN-002"
    name = "no-identity-key"
    summary = "rows without a usable identity key"
    hint = "Capture at least one real identifier (customer id, e-mail, phone) in this channel."

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        for res in index.resolutions():
            count = index.status_count(res, "no_key")
            if count:
                keys = ", ".join(k.name for k in res.keys)
                yield res.feed.draft(
                    self,
                    None,
                    int(count),
                    [],
                    f"{n_of(count, 'row')} {word(count, 'has', 'have')} no usable identity key (looked at: {keys})",
                )
