from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.validators import links
from omnicontract.validators.checks.base import Draft, ProjectCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.run import FeedRun, Run


class BrokenLink(ProjectCheck):
    """A link to another channel (`links: channel.field` on a field's mapping) whose value
    no record of that channel has: a web visit naming an e-mail click the e-mail platform
    never exported, an app open carrying an unknown SMS id. The count is rows."""

    code = "OC-REF-002"
    name = "broken-link"
    summary = "link to another channel's record that does not exist"
    hint = "Check that the linked channel's export is complete and that both write the id alike."

    def reads(self, run: Run, feed: FeedRun) -> set[str]:
        return links.link_fields(run, feed)

    def run(self, run: Run) -> Iterable[Draft]:
        for link in links.links(run):
            if not link.feed.selected:
                continue
            total, samples = links.broken(run, link)
            if total:
                f = link.feed.fields[link.field]
                yield link.feed.draft(
                    self,
                    f,
                    total,
                    samples,
                    f"{n_of(total, 'row')} link to a {link.channel}.{link.target_field} "
                    f"that {link.channel} does not have",
                )
