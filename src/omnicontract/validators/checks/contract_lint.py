"""Contract lint (OC-CON): problems visible in the contracts and bindings themselves,
before any data is read. ``omnicontract lint`` runs only these; ``validate`` runs them too."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from omnicontract.contracts.model import Format, Severity
from omnicontract.validators.checks.base import Draft, StaticCheck

if TYPE_CHECKING:
    from omnicontract.contracts.loader import Project


class MissingDescription(StaticCheck):
    """An entity field has no description. Contracts are documentation: every canonical
    field should say what it means."""

    code = "OC-CON-001"
    name = "missing-description"
    summary = "field has no description"
    hint = "Add description: to the field in the entity contract."
    default_severity = Severity.info

    def lint(self, project: Project) -> Iterable[Draft]:
        for contract in project.contracts.values():
            for name, spec in contract.model.fields.items():
                if not (spec.description or "").strip():
                    yield Draft(
                        self.code,
                        f"field '{contract.model.entity}.{name}' has no description",
                        field=name,
                        location=str(contract.doc.location(("fields", name), key=True)),
                    )


class IdentityKeyNotPii(StaticCheck):
    """An identity key that holds personal data (an e-mail address or phone number) is
    not marked `pii: true`, so its values would appear unmasked in reports."""

    code = "OC-CON-002"
    name = "identity-key-not-pii"
    summary = "personal identity key not marked pii"
    hint = "Add pii: true to the field so report samples mask it."
    default_severity = Severity.warning

    def lint(self, project: Project) -> Iterable[Draft]:
        for contract in project.contracts.values():
            for key in contract.model.identity_keys:
                spec = contract.model.fields[key]
                if spec.format in (Format.email, Format.e164) and not spec.pii:
                    yield Draft(
                        self.code,
                        f"identity key '{contract.model.entity}.{key}' holds personal data "
                        "but is not marked pii",
                        field=key,
                        location=str(contract.doc.location(("fields", key), key=True)),
                    )


class RequiredFieldUnmapped(StaticCheck):
    """A feed supplies neither a column nor a constant for a required canonical field:
    every row of the feed lacks it."""

    code = "OC-CON-003"
    name = "required-field-unmapped"
    summary = "required field not supplied by the feed"
    hint = "Map a source column to the field, or give it under constants: if it is fixed."

    def lint(self, project: Project) -> Iterable[Draft]:
        for ch, i, feed in project.iter_feeds():
            contract = project.contracts[feed.entity].model
            for name, spec in contract.fields.items():
                if spec.required and name not in feed.fields and name not in feed.constants:
                    yield Draft(
                        self.code,
                        f"feed '{feed.name}' does not supply required field '{name}'",
                        channel=ch.model.channel,
                        feed=feed.name,
                        field=name,
                        location=str(ch.feed_location(i, "fields")),
                    )


class ValueMapOutsideEnum(StaticCheck):
    """A value map (or a constant) targets a value that is not in the canonical field's
    vocabulary: the mapping itself would produce invalid data."""

    code = "OC-CON-004"
    name = "value-map-outside-enum"
    summary = "mapping targets a non-canonical value"
    hint = "Map onto one of the values listed in the entity contract's enum."

    def lint(self, project: Project) -> Iterable[Draft]:
        for ch, i, feed in project.iter_feeds():
            contract = project.contracts[feed.entity].model
            for name, mapping in feed.fields.items():
                enum = contract.fields[name].enum
                if not enum or not mapping.values:
                    continue
                allowed = set(enum)  # vocabularies of 100k entries: a set, not a list scan
                for source_value, target in mapping.values.items():
                    if target is not None and target not in allowed:
                        yield Draft(
                            self.code,
                            f"'{name}': '{source_value}' maps to '{target}', not in "
                            f"{{{', '.join(enum)}}}",
                            channel=ch.model.channel,
                            feed=feed.name,
                            field=name,
                            location=str(
                                ch.feed_location(i, "fields", name, "values", source_value)
                            ),
                        )
            for name, value in feed.constants.items():
                enum = contract.fields[name].enum
                if enum and str(value) not in enum:
                    yield Draft(
                        self.code,
                        f"constant '{name}: {value}' is not in {{{', '.join(enum)}}}",
                        channel=ch.model.channel,
                        feed=feed.name,
                        field=name,
                        location=str(ch.feed_location(i, "constants", name)),
                    )


class PhoneWithoutRegion(StaticCheck):
    """A phone field is mapped without a phone region (on the mapping, the channel or the
    project defaults): local numbers such as `(11) 98765-4321` cannot be normalized."""

    code = "OC-CON-005"
    name = "phone-without-region"
    summary = "phone mapped without a region"
    hint = "Set phone_region: (e.g. BR) on the mapping, the channel, or defaults: in the project."
    default_severity = Severity.warning

    def lint(self, project: Project) -> Iterable[Draft]:
        default = project.settings.defaults.phone_region
        for ch, i, feed in project.iter_feeds():
            contract = project.contracts[feed.entity].model
            for name, mapping in feed.fields.items():
                if contract.fields[name].format != Format.e164:
                    continue
                if not (mapping.phone_region or ch.model.phone_region or default):
                    yield Draft(
                        self.code,
                        f"'{name}' is mapped from '{mapping.column}' with no phone region",
                        channel=ch.model.channel,
                        feed=feed.name,
                        field=name,
                        location=str(ch.feed_location(i, "fields", name)),
                    )


STATIC_CHECKS = [
    MissingDescription,
    IdentityKeyNotPii,
    RequiredFieldUnmapped,
    ValueMapOutsideEnum,
    PhoneWithoutRegion,
]
