from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from omnicontract.contracts.model import Severity
from omnicontract.validators.checks.base import Draft, StaticCheck

if TYPE_CHECKING:
    from omnicontract.contracts.loader import Project


class OdcsUnsupported(StaticCheck):
    """An entity contract given as an Open Data Contract Standard (ODCS) file expresses
    something omnicontract does not honour (a SQL quality rule, a tolerance, a nested
    object, a relationship of several fields...). Each part is reported by its place in the file, e.g.
    `schema[0].properties[3].quality[1]`; the rest of the contract is checked as usual.
    Info under `validate`, where the data is judged, and a warning under `lint`, which
    judges the file; a SQL rule refused as unsafe is an error under both: the contract
    asks for a verdict that cannot be given."""

    code = "OC-CON-006"
    name = "odcs-unsupported"
    summary = "part of an ODCS contract not honoured"
    hint = (
        "Express the rule natively (omnicontract import odcs FILE), or accept that it is "
        "checked elsewhere; switch this check off for a file reviewed once."
    )
    default_severity = Severity.info
    lint_severity = Severity.warning

    def lint(self, project: Project) -> Iterable[Draft]:
        for contract in project.contracts.values():
            for note in contract.unsupported:
                yield Draft(
                    self.code,
                    f"{contract.model.entity}: {note.path}: {note.reason}",
                    location=str(note.location) if note.location else str(contract.path),
                    severity=Severity.error if note.refused else None,
                )


class OdcsInvalid(StaticCheck):
    """A contract file given in the Open Data Contract Standard does not conform to the
    standard's JSON Schema (a required key such as `status` missing, a key the standard
    does not define, a value of the wrong type). omnicontract still reads what it can;
    other ODCS tools may refuse the file. An error under `lint`, info under `validate`
    (where the data is judged). Checked when the standard's schema is installed
    (`pip install 'omnicontract[odcs]'`); otherwise an info finding says it was not."""

    code = "OC-CON-007"
    name = "odcs-invalid"
    summary = "ODCS contract not valid against the standard's JSON Schema"
    hint = "Correct the file where the message points (see the ODCS reference of its version)."
    # under validate the data is what is judged: info; lint judges the file: an error
    default_severity = Severity.info
    lint_severity = Severity.error

    def lint(self, project: Project) -> Iterable[Draft]:
        from omnicontract.contracts.foreign import is_odcs
        from omnicontract.contracts.yamlio import load_yaml

        files = list(dict.fromkeys(c.path for c in project.contracts.values() if c.odcs))
        if project.doc is None and project.files and project.files[0] not in files:
            files.append(project.files[0])  # an ODCS contract run on its own, even empty
        docs = [doc for doc in map(load_yaml, files) if is_odcs(doc.data)]
        if not docs:
            return
        validator = _validator()
        if validator is None:
            yield Draft(
                self.code,
                f"{docs[0].file.name}: not checked against the ODCS JSON Schema "
                "(pip install 'omnicontract[odcs]')",
                location=str(docs[0].file),
                severity=Severity.info,
            )
            return
        from omnicontract.contracts.odcs_import import place

        for doc in docs:
            for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(e.path)):
                where = tuple(error.absolute_path)
                yield Draft(
                    self.code,
                    f"{doc.file.name}: {place(where) or '(top)'}: {_reason(error)}",
                    location=str(doc.location(where)),
                )


def _validator() -> Any:
    """The JSON Schema validator of the ODCS version installed, or None."""
    try:
        import json
        from importlib import resources

        import jsonschema

        text = resources.files("open_data_contract_standard").joinpath("schema.json").read_text()
    except (ImportError, FileNotFoundError):
        return None
    schema = json.loads(text)
    return jsonschema.validators.validator_for(schema)(schema)


def _reason(error: object) -> str:
    from omnicontract.redact import clip

    return clip(str(getattr(error, "message", error)), 160)
