from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, func, null, select

from omnicontract.contracts.model import DocumentTypeField, Format
from omnicontract.validators import documents
from omnicontract.validators.checks.base import Draft, FeedCheck, n_of

if TYPE_CHECKING:
    from omnicontract.validators.checks.base import FieldContext
    from omnicontract.validators.run import FeedRun


class InvalidDocument(FeedCheck):
    """A national document number (a field with `format: document`) that its type rejects:
    a CPF or CNPJ whose check digits do not add up, a DNI or NIE with the wrong control
    letter, an SSN in a range never issued, a RUT with a bad verifier. Validity comes
    from python-stdnum. The type is fixed for the feed (`document_type: br.cpf` on the
    mapping), read per row from another field (`document_type: {field: document_type,
    values: {...}}`), or by default from the feed's `document_type` field; short names
    (`cpf`, `dni`) are resolved with the record's `country` where there is one. Rows of
    a type python-stdnum does not know (passport, other) are not judged. The count is
    rows; samples are masked like any personal data."""

    code = "OC-FLD-017"
    name = "invalid-document"
    summary = "document number not valid for its type"
    hint = "Correct the number at the source (a typo, or the wrong document type recorded)."

    def reads_raw(self, feed: FeedRun) -> set[str]:
        """The document fields: their samples show the number as written."""
        return {n for n, f in feed.fields.items() if f.spec.format == Format.document}

    def run(self, feed: FeedRun) -> Iterable[Draft]:
        for f in feed.fields.values():
            if f.spec.format != Format.document or f.constant:
                continue
            kind = self._kind(feed, f)
            if kind is None:
                continue
            fixed, type_col, values_map = kind
            country = feed.fields.get("country")
            value = cast(f.value, String())
            shown = f.raw if f.raw is not None else value
            place = cast(country.value, String()) if country is not None else null()
            cols = [place, value, shown] if type_col is None else [type_col, place, value, shown]
            stmt = (
                select(*cols, func.count())
                .select_from(feed.view)
                .where(f.value.is_not(None))
                # without a country, NULL is selected but not grouped by (PostgreSQL
                # refuses a constant in GROUP BY)
                .group_by(*[c for c in cols if country is not None or c is not place])
            )
            bad: dict[Any, int] = {}
            for row in feed.fetch(stmt):
                kind_value, (where, number, shown_value, n) = (
                    (fixed, row) if type_col is None else (row[0], row[1:])
                )
                written = values_map.get(str(kind_value), kind_value) if kind_value else None
                mod = documents.resolve(written, where)
                if mod is not None and not documents.is_valid(mod, str(number)):
                    bad[shown_value] = bad.get(shown_value, 0) + int(n)
            total = sum(bad.values())
            if total:
                samples = sorted(bad.items(), key=lambda p: (-p[1], str(p[0])))
                yield feed.draft(
                    self,
                    f,
                    total,
                    samples[: feed.sample_size],
                    f"{n_of(total, 'row')} with a '{f.name}' that is not a valid number of "
                    "its document type",
                )

    @staticmethod
    def _kind(feed: FeedRun, f: FieldContext) -> tuple[str | None, Any, dict[str, str]] | None:
        """(fixed type, or the SQL expression of the field holding it, and its values map);
        None when the type is unknown."""
        declared = f.mapping.document_type if f.mapping else None
        if isinstance(declared, str):
            return declared, None, {}
        name = declared.field if isinstance(declared, DocumentTypeField) else "document_type"
        other = feed.fields.get(name)
        if other is None:
            return None
        values = dict(declared.values) if isinstance(declared, DocumentTypeField) else {}
        return None, cast(other.value, String()), values
