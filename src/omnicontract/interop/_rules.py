"""The contract's rules as the exporters need them: one place that says what each
well-known format means, taken from the check that enforces it, so an exported schema
can never accept a value that ``omnicontract validate`` rejects (or the reverse)."""

from __future__ import annotations

from dataclasses import dataclass

from omnicontract.contracts.model import FieldSpec, Format, LogicalType


@dataclass(frozen=True)
class FormatRule:
    """A format as either a whole-value regular expression or a closed list of values."""

    code: str
    pattern: str | None = None
    values: tuple[str, ...] | None = None


def format_rule(fmt: Format) -> FormatRule:
    """The rule behind ``format: fmt``, exactly as its check (OC-FLD-009 ...) applies it."""
    if fmt == Format.email:
        from omnicontract.validators.checks.email import EMAIL_REGEX, Email

        return FormatRule(Email.code, pattern=EMAIL_REGEX)
    if fmt == Format.e164:
        from omnicontract.validators.checks.phone import E164_REGEX, Phone

        return FormatRule(Phone.code, pattern=E164_REGEX)
    if fmt == Format.language:
        from omnicontract.validators.checks.language import Language

        assert Language.regex is not None
        return FormatRule(Language.code, pattern=Language.regex)
    if fmt == Format.uuid:
        from omnicontract.validators.checks.uuid import Uuid

        assert Uuid.regex is not None
        return FormatRule(Uuid.code, pattern=Uuid.regex)
    if fmt == Format.iso_country:
        from omnicontract.validators.checks.country import Country, country_codes

        return FormatRule(Country.code, values=tuple(country_codes()))
    if fmt == Format.iso_currency:
        from omnicontract.validators.checks.currency import Currency, currency_codes

        return FormatRule(Currency.code, values=tuple(currency_codes()))
    if fmt == Format.document:
        # check digits and control letters per document type (python-stdnum): no pattern
        # or value list expresses them, so exports carry no rule for it
        return FormatRule("OC-FLD-017")
    raise ValueError(f"unknown format {fmt!r}")  # pragma: no cover - the model's enum is closed


def anchored(pattern: str) -> str:
    """A regular expression that must match the whole value (the contract's semantics),
    for tools whose patterns search anywhere in the value."""
    return f"^(?:{pattern})$"


def not_null(name: str, spec: FieldSpec, primary_key: str | None) -> bool:
    """The field must hold a value: required, or the primary key."""
    return spec.required or name == primary_key


def refuses_blank(name: str, spec: FieldSpec, primary_key: str | None) -> bool:
    """Blank text (empty or spaces) fails the field: a required text field or text
    primary key whose contract counts blank as missing."""
    text = spec.type == LogicalType.string
    return not_null(name, spec, primary_key) and text and spec.blank_is_missing


def is_unique(name: str, spec: FieldSpec, primary_key: str | None) -> bool:
    return spec.unique or name == primary_key


def parse_bool(value: str | bool | None, default: bool, option: str) -> bool:
    """An exporter's yes/no option (``--option key=false``)."""
    from omnicontract.errors import UsageError

    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise UsageError(f"option {option}={value!r} is not true or false")


def check_options(options: dict[str, object], known: set[str], fmt: str) -> None:
    """Unknown options are a usage error, not silently ignored."""
    from omnicontract.errors import UsageError

    unknown = sorted(set(options) - known)
    if unknown:
        raise UsageError(
            f"unknown option(s) for {fmt}: {', '.join(unknown)}",
            hint="options: " + (", ".join(sorted(known)) or "none"),
        )
