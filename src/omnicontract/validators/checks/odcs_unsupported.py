from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, StaticCheck

if TYPE_CHECKING:
    from omnicontract.contracts.loader import Project


class OdcsUnsupported(StaticCheck):
    """An entity contract given as an Open Data Contract Standard (ODCS) file expresses
    something omnicontract does not honour (a SQL quality rule, a tolerance, a nested
    object, a composite key...). Each part is reported by its place in the file, e.g.
    `schema[0].properties[3].quality[1]`; the rest of the contract is checked as usual."""

    code = "OC-CON-006"
    name = "odcs-unsupported"
    summary = "part of an ODCS contract not honoured"
    hint = (
        "Express the rule natively (omnicontract import odcs FILE), or accept that it is "
        "checked elsewhere; switch this check off for a file reviewed once."
    )
    default_severity = Severity.warning

    def lint(self, project: Project) -> Iterable[Draft]:
        for contract in project.contracts.values():
            for note in contract.unsupported:
                yield Draft(
                    self.code,
                    f"{contract.model.entity}: {note.path}: {note.reason}",
                    location=str(note.location) if note.location else str(contract.path),
                )
