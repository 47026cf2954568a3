from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators.checks.base import Draft, ProjectCheck

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


class MissingReference(ProjectCheck):
    """A value of a field with `references: entity.field` matches no record of that entity
    in any feed of the project: for example interactions whose customer id is not in the
    customer master. These rows cannot join the unified view by that key. The count is
    rows (an unknown id on three rows counts 3); samples show the most frequent values."""

    code = "OC-REF-001"
    cross_channel = False
    name = "missing-reference"
    summary = "reference to a record that does not exist"
    hint = "Check that the master export is complete and that both sides format the key alike."

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        """The fields that name a record of another entity, and those that others name."""
        entity = feed.binding.entity
        names = {n for n, spec in feed.contract.fields.items() if spec.references}
        for other in run.project.contracts.values():
            for spec in other.model.fields.values():
                target, _, field_name = (spec.references or "").partition(".")
                if target == entity:
                    names.add(field_name)
        return names

    def run(self, run: Run) -> Iterable[Draft]:
        for feed in run.feeds:
            if not (feed.ok and feed.selected):
                continue
            for f in feed.fields.values():
                if not f.spec.references or f.constant:
                    continue
                entity, target = f.spec.references.split(".")
                keys = run.key_table(entity, target)
                if keys is None:
                    continue
                count, samples = run.anti_join(feed, f.value, keys)
                if count:
                    yield feed.draft(
                        self,
                        f,
                        count,
                        samples,
                        f"'{f.name}' values not found in {entity}.{target}",
                    )
