from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from omnicontract.contracts.model import Normalizer, Severity
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of
from omnicontract.words import word

if TYPE_CHECKING:
    from omnicontract.validators.run import Run


class NormalizationOnlyMatch(ProjectCheck):
    """Rows whose key matches a customer only after normalization (phone to E.164, e-mail
    case and spaces, document punctuation): a plain join on the raw values, as most
    downstream pipelines write it, misses them. One finding per channel and key; the
    count is the number of joins a raw join would miss."""

    code = "OC-IDN-003"
    name = "normalization-only-match"
    summary = "keys that join only after normalization"
    hint = "Normalize the key at the source or in the pipeline before joining (E.164, lower case)."
    default_severity = Severity.warning

    def run(self, run: Run) -> Iterable[Draft]:
        index = run.identity()
        for res in index.resolutions():
            for key in res.keys:
                if key.normalize == Normalizer.text and key.name == index.policy.id_field:
                    continue
                x = res.table.c[f"x_{key.name}"]
                total, samples = run.top_values(
                    select(x, func.count()).where(x.is_not(None)).group_by(x)
                )
                if not total:
                    continue
                field = res.feed.fields[key.field_for(res.feed.binding.entity)]
                yield res.feed.draft(
                    self,
                    field,
                    total,
                    samples,
                    f"{n_of(total, 'row')} {word(total, 'matches', 'match')} a customer by '{key.name}' only after "
                    f"{key.normalize.value} normalization",
                )
