"""Classify the changes between two versions of an entity contract or a channel binding.

Every kind of change is one :class:`Rule` in :data:`RULES`, with a stable name, the
impact it has on the consumers of the unified view (``breaking``, ``minor`` or
``patch``), and a detector that compares the old and the new version of one part of the
file: the entity, one field, the channel, one feed, or one field mapping of a feed.
docs/diff.md explains each rule; a test keeps the two in step.

Breaking changes are those after which a producer that met the old version, or a
consumer that relied on it, can fail or silently read different values. The suggested
version bump is ``major`` for any breaking change, ``minor`` for any other change to
what is read or checked, ``patch`` for descriptions and documentation only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from omnicontract.contracts.model import ChannelBinding, EntityContract, LogicalType
from omnicontract.contracts.yamlio import PositionedDocument
from omnicontract.errors import Location


@dataclass
class Version:
    """One side of the comparison: a parsed file and where its keys are."""

    label: str
    doc: PositionedDocument
    model: EntityContract | ChannelBinding

    @property
    def kind(self) -> str:
        return self.model.kind

    @property
    def name(self) -> str:
        m = self.model
        return m.entity if isinstance(m, EntityContract) else m.channel

    def at(self, *path: str | int) -> Location:
        return self.doc.location(path, key=True)


class Impact(StrEnum):
    breaking = "breaking"
    minor = "minor"
    patch = "patch"


# ---------------------------------------------------------------- changes and rules


@dataclass(frozen=True)
class Change:
    rule: str
    impact: Impact
    path: str  # where in the file, e.g. ``fields.email.enum``
    reason: str
    location: Location
    note: str | None = None

    @property
    def breaking(self) -> bool:
        return self.impact is Impact.breaking

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "impact": self.impact.value,
            "breaking": self.breaking,
            "path": self.path,
            "reason": self.reason,
            "note": self.note,
            "location": {
                "file": str(self.location.file) if self.location.file else None,
                "line": self.location.line,
                "column": self.location.column,
            },
        }


@dataclass
class Pair:
    """The old and new version of one part of the file, and how to locate its keys."""

    old: Any
    new: Any
    name: str  # field, feed or mapped field name ("" at the top)
    prefix: str  # display path prefix, e.g. ``fields.email``
    old_path: tuple[str | int, ...]
    new_path: tuple[str | int, ...]
    old_version: Version | None  # None: the file is not in that version (scope "file")
    new_version: Version | None

    def new_at(self, *keys: str | int) -> Location:
        assert self.new_version is not None
        return self.new_version.at(*self.new_path, *keys)

    def old_at(self, *keys: str | int) -> Location:
        assert self.old_version is not None
        return self.old_version.at(*self.old_path, *keys)

    def where(self, *keys: str | int) -> Location:
        """The key in the new file when it is there, else in the old one, else its parent
        in the new file."""
        if self.new_version and (*self.new_path, *keys) in self.new_version.doc.key_positions:
            return self.new_at(*keys)
        if self.old_version and (*self.old_path, *keys) in self.old_version.doc.key_positions:
            return self.old_at(*keys)
        return self.new_at(*keys)

    def sub(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key


Hit = tuple[str, str, Location] | tuple[str, str, Location, str]  # path, reason, where, note
Detector = Callable[[Pair], Iterator[Hit]]


@dataclass(frozen=True)
class Rule:
    name: str
    scope: str  # file, entity, field, channel, feed, mapping
    impact: Impact
    summary: str  # one line for docs/diff.md
    detect: Detector


RULES: list[Rule] = []


def rule(name: str, scope: str, impact: Impact, summary: str) -> Callable[[Detector], Detector]:
    def register(func: Detector) -> Detector:
        RULES.append(Rule(name, scope, impact, summary, func))
        return func

    return register


B, MINOR, P = Impact.breaking, Impact.minor, Impact.patch


def _changed(pair: Pair, *keys: str) -> Iterator[tuple[str, Any, Any]]:
    for key in keys:
        before, after = getattr(pair.old, key), getattr(pair.new, key)
        if before != after:
            yield key, before, after


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


# ---------------------------------------------------------------- entity rules


@rule("field-removed", "entity", B, "a canonical field is removed")
def _field_removed(p: Pair) -> Iterator[Hit]:
    for name in p.old.fields.keys() - p.new.fields.keys():
        yield (
            f"fields.{name}",
            f"field '{name}' removed: consumers that read it break, and bindings that map it "
            "no longer load",
            p.old_at("fields", name),
        )


@rule("field-added-optional", "entity", MINOR, "an optional field is added")
def _field_added_optional(p: Pair) -> Iterator[Hit]:
    for name in p.new.fields.keys() - p.old.fields.keys():
        if not p.new.fields[name].required:
            yield f"fields.{name}", f"optional field '{name}' added", p.new_at("fields", name)


@rule("field-added-required", "entity", B, "a required field is added")
def _field_added_required(p: Pair) -> Iterator[Hit]:
    for name in p.new.fields.keys() - p.old.fields.keys():
        if p.new.fields[name].required:
            yield (
                f"fields.{name}",
                f"required field '{name}' added: every existing feed that does not supply it "
                "now fails",
                p.new_at("fields", name),
            )


@rule("primary-key-changed", "entity", B, "`primary_key` is set, removed or changed")
def _primary_key(p: Pair) -> Iterator[Hit]:
    for key, before, after in _changed(p, "primary_key"):
        yield (
            key,
            f"primary key changed from {_show(before)} to {_show(after)}: joins, "
            "deduplication and uniqueness checks use another key",
            p.where(key),
        )


@rule("identity-key-removed", "entity", B, "a field is taken out of `identity_keys`")
def _identity_removed(p: Pair) -> Iterator[Hit]:
    for key in [k for k in p.old.identity_keys if k not in p.new.identity_keys]:
        yield (
            "identity_keys",
            f"identity key '{key}' removed: records that resolve to a customer only through "
            "it no longer do",
            p.where("identity_keys"),
        )


@rule("identity-key-added", "entity", MINOR, "a field is added to `identity_keys`")
def _identity_added(p: Pair) -> Iterator[Hit]:
    for key in [k for k in p.new.identity_keys if k not in p.old.identity_keys]:
        yield "identity_keys", f"identity key '{key}' added", p.new_at("identity_keys")


@rule("identity-keys-reordered", "entity", MINOR, "the trust order of `identity_keys` changes")
def _identity_order(p: Pair) -> Iterator[Hit]:
    kept = [k for k in p.old.identity_keys if k in p.new.identity_keys]
    if kept != [k for k in p.new.identity_keys if k in p.old.identity_keys]:
        yield (
            "identity_keys",
            "identity keys reordered (most trusted first)",
            p.new_at("identity_keys"),
            "the resolution order itself is set by the project's identity policy",
        )


@rule("role-field-changed", "entity", B, "`event_time` or `journey_key` names another field")
def _roles(p: Pair) -> Iterator[Hit]:
    for key, before, after in _changed(p, "event_time", "journey_key"):
        yield (
            key,
            f"{key} changed from {_show(before)} to {_show(after)}: time and journey checks "
            "read another field",
            p.where(key),
        )


@rule("entity-docs-changed", "entity", P, "`title`, `description` or `owner` changes")
def _entity_docs(p: Pair) -> Iterator[Hit]:
    for key, _before, _after in _changed(p, "title", "description", "owner"):
        yield key, f"{key} changed", p.where(key)


# ---------------------------------------------------------------- field rules

WIDENINGS = {(LogicalType.integer, LogicalType.number)}


@rule("type-widened", "field", MINOR, "`type` widens: integer to number")
def _type_widened(p: Pair) -> Iterator[Hit]:
    if (p.old.type, p.new.type) in WIDENINGS:
        yield (
            p.sub("type"),
            f"type widened from {p.old.type.value} to {p.new.type.value}: every old value "
            "is still valid",
            p.new_at("type"),
            "consumers that store the field as an integer must accept decimals",
        )


@rule("type-changed", "field", B, "`type` changes in any other way (narrowing or unrelated)")
def _type_changed(p: Pair) -> Iterator[Hit]:
    if p.old.type != p.new.type and (p.old.type, p.new.type) not in WIDENINGS:
        yield (
            p.sub("type"),
            f"type changed from {p.old.type.value} to {p.new.type.value}: existing values "
            "may no longer parse, and consumers read another type",
            p.where("type"),
        )


@rule("made-required", "field", B, "an optional field becomes `required`")
def _made_required(p: Pair) -> Iterator[Hit]:
    if p.new.required and not p.old.required:
        yield (
            p.sub("required"),
            f"'{p.name}' made required: feeds that leave it empty now fail",
            p.new_at("required"),
        )


@rule("made-optional", "field", MINOR, "a required field becomes optional")
def _made_optional(p: Pair) -> Iterator[Hit]:
    if p.old.required and not p.new.required:
        yield (
            p.sub("required"),
            f"'{p.name}' made optional",
            p.where("required"),
            "consumers that assumed a value must now handle missing ones",
        )


@rule("enum-value-removed", "field", B, "a value is taken out of `enum`")
def _enum_removed(p: Pair) -> Iterator[Hit]:
    if p.old.enum is not None and p.new.enum is not None:
        for value in [v for v in p.old.enum if v not in p.new.enum]:
            yield (
                p.sub("enum"),
                f"enum value '{value}' removed: records that hold it now fail",
                p.new_at("enum"),
            )


@rule("enum-value-added", "field", MINOR, "a value is added to `enum`")
def _enum_added(p: Pair) -> Iterator[Hit]:
    if p.old.enum is not None and p.new.enum is not None:
        for value in [v for v in p.new.enum if v not in p.old.enum]:
            yield (
                p.sub("enum"),
                f"enum value '{value}' added",
                p.new_at("enum"),
                "consumers with exhaustive handling of the values (a CASE, a mapping, a "
                "dashboard filter) must learn the new one",
            )


@rule("enum-set", "field", B, "an `enum` is put on a field that had none")
def _enum_set(p: Pair) -> Iterator[Hit]:
    if p.old.enum is None and p.new.enum is not None:
        yield (
            p.sub("enum"),
            f"enum added to '{p.name}': values outside it now fail",
            p.new_at("enum"),
        )


@rule("enum-dropped", "field", MINOR, "the `enum` of a field is removed")
def _enum_dropped(p: Pair) -> Iterator[Hit]:
    if p.old.enum is not None and p.new.enum is None:
        yield (
            p.sub("enum"),
            f"enum removed from '{p.name}': any value is accepted",
            p.old_at("enum"),
            "consumers with exhaustive handling of the values may meet new ones",
        )


# bound key -> True when a larger value is tighter (a lower bound)
BOUNDS = {"minimum": True, "min_length": True, "maximum": False, "max_length": False}


def _bound_moves(p: Pair) -> Iterator[tuple[str, Any, Any, bool]]:
    """(key, old, new, tightened) for every bound that changed."""
    for key, lower in BOUNDS.items():
        before, after = getattr(p.old, key), getattr(p.new, key)
        if before == after:
            continue
        if before is None or after is None:
            tightened = before is None
        else:
            tightened = after > before if lower else after < before
        yield key, before, after, tightened


@rule(
    "bound-tightened",
    "field",
    B,
    "`minimum`, `maximum`, `min_length` or `max_length` is set or narrowed",
)
def _bound_tightened(p: Pair) -> Iterator[Hit]:
    for key, before, after, tightened in _bound_moves(p):
        if tightened:
            yield (
                p.sub(key),
                f"{key} tightened from {_show(before)} to {_show(after)}: values that were "
                "valid may now fail",
                p.new_at(key),
            )


@rule(
    "bound-relaxed",
    "field",
    MINOR,
    "`minimum`, `maximum`, `min_length` or `max_length` is removed or widened",
)
def _bound_relaxed(p: Pair) -> Iterator[Hit]:
    for key, before, after, tightened in _bound_moves(p):
        if not tightened:
            yield (
                p.sub(key),
                f"{key} relaxed from {_show(before)} to {_show(after)}",
                p.where(key),
                "consumers that relied on the old bound may see larger or smaller values",
            )


@rule("pattern-set", "field", B, "a `pattern` is put on a field that had none")
def _pattern_set(p: Pair) -> Iterator[Hit]:
    if p.old.pattern is None and p.new.pattern is not None:
        yield (
            p.sub("pattern"),
            "pattern added: values that do not match now fail",
            p.new_at("pattern"),
        )


@rule("pattern-changed", "field", B, "the `pattern` is rewritten")
def _pattern_changed(p: Pair) -> Iterator[Hit]:
    if None not in (p.old.pattern, p.new.pattern) and p.old.pattern != p.new.pattern:
        yield (
            p.sub("pattern"),
            f"pattern changed from {p.old.pattern!r} to {p.new.pattern!r}: values that "
            "matched the old one may not match the new one",
            p.new_at("pattern"),
            "a rewritten regular expression cannot be proven to accept every old value; "
            "if it only widens, accept the major bump or say so in the release note",
        )


@rule("pattern-dropped", "field", MINOR, "the `pattern` is removed")
def _pattern_dropped(p: Pair) -> Iterator[Hit]:
    if p.old.pattern is not None and p.new.pattern is None:
        yield p.sub("pattern"), "pattern removed: any value is accepted", p.old_at("pattern")


@rule("format-set-or-changed", "field", B, "a `format` is added or changed")
def _format_changed(p: Pair) -> Iterator[Hit]:
    if p.new.format is not None and p.old.format != p.new.format:
        yield (
            p.sub("format"),
            f"format changed from {_show(p.old.format)} to {_show(p.new.format)}: values "
            "that were valid may now fail",
            p.new_at("format"),
        )


@rule("format-dropped", "field", MINOR, "the `format` is removed")
def _format_dropped(p: Pair) -> Iterator[Hit]:
    if p.old.format is not None and p.new.format is None:
        yield (
            p.sub("format"),
            f"format {_show(p.old.format)} removed: values are no longer checked against it",
            p.old_at("format"),
            "consumers that parse the value (an e-mail, a phone) must expect malformed ones",
        )


@rule("unique-set", "field", B, "a field becomes `unique`")
def _unique_set(p: Pair) -> Iterator[Hit]:
    if p.new.unique and not p.old.unique:
        yield (
            p.sub("unique"),
            f"'{p.name}' made unique: feeds with repeated values now fail",
            p.new_at("unique"),
        )


@rule("unique-dropped", "field", B, "a field stops being `unique`")
def _unique_dropped(p: Pair) -> Iterator[Hit]:
    if p.old.unique and not p.new.unique:
        yield (
            p.sub("unique"),
            f"'{p.name}' no longer unique: joins and lookups on it may now return several rows",
            p.where("unique"),
        )


@rule("not-future-set", "field", B, "`not_future` is set")
def _not_future_set(p: Pair) -> Iterator[Hit]:
    if p.new.not_future and not p.old.not_future:
        yield (
            p.sub("not_future"),
            f"'{p.name}' must not lie in the future: such values now fail",
            p.new_at("not_future"),
        )


@rule("not-future-dropped", "field", MINOR, "`not_future` is removed")
def _not_future_dropped(p: Pair) -> Iterator[Hit]:
    if p.old.not_future and not p.new.not_future:
        yield p.sub("not_future"), f"'{p.name}' may lie in the future", p.where("not_future")


@rule("pii-dropped", "field", B, "a field stops being `pii`")
def _pii_dropped(p: Pair) -> Iterator[Hit]:
    if p.old.pii and not p.new.pii:
        yield (
            p.sub("pii"),
            f"'{p.name}' no longer marked pii: its values appear unmasked in every report "
            "sample from now on",
            p.where("pii"),
            "needs the privacy officer's review: reports are mailed and attached to CI runs",
        )


@rule("pii-set", "field", MINOR, "a field becomes `pii`")
def _pii_set(p: Pair) -> Iterator[Hit]:
    if p.new.pii and not p.old.pii:
        yield p.sub("pii"), f"'{p.name}' marked pii: report samples mask it", p.new_at("pii")


@rule("references-set-or-changed", "field", B, "`references` is added or points elsewhere")
def _references_changed(p: Pair) -> Iterator[Hit]:
    if p.new.references is not None and p.old.references != p.new.references:
        yield (
            p.sub("references"),
            f"references changed from {_show(p.old.references)} to {_show(p.new.references)}: "
            "values that do not resolve there now fail",
            p.new_at("references"),
        )


@rule("references-dropped", "field", MINOR, "`references` is removed")
def _references_dropped(p: Pair) -> Iterator[Hit]:
    if p.old.references is not None and p.new.references is None:
        yield (
            p.sub("references"),
            f"reference to {p.old.references} removed",
            p.old_at("references"),
            f"consumers can no longer count on every value joining to {p.old.references}",
        )


@rule("field-docs-changed", "field", P, "a field's `description` or `examples` change")
def _field_docs(p: Pair) -> Iterator[Hit]:
    for key, _before, _after in _changed(p, "description", "examples"):
        yield p.sub(key), f"{key} of '{p.name}' changed", p.where(key)


# ---------------------------------------------------------------- channel rules


@rule("channel-renamed", "channel", B, "the `channel` name changes")
def _channel_renamed(p: Pair) -> Iterator[Hit]:
    if p.old.channel != p.new.channel:
        yield (
            "channel",
            f"channel renamed from '{p.old.channel}' to '{p.new.channel}': findings, run "
            "history, the consent policy and reports key on the name",
            p.new_at("channel"),
        )


@rule("channel-default-changed", "channel", B, "the channel's `timezone` or `phone_region` changes")
def _channel_defaults(p: Pair) -> Iterator[Hit]:
    for key, before, after in _changed(p, "timezone", "phone_region"):
        yield (
            key,
            f"channel {key} changed from {_show(before)} to {_show(after)}: values of every "
            "feed that does not set its own change",
            p.where(key),
        )


@rule("feed-removed", "channel", B, "a feed is removed")
def _feed_removed(p: Pair) -> Iterator[Hit]:
    new_names = {f.name for f in p.new.feeds}
    for i, feed in enumerate(p.old.feeds):
        if feed.name not in new_names:
            yield (
                f"feeds[{feed.name}]",
                f"feed '{feed.name}' removed: its {feed.entity} records leave the unified view",
                p.old_at("feeds", i, "name"),
            )


@rule("feed-added", "channel", MINOR, "a feed is added")
def _feed_added(p: Pair) -> Iterator[Hit]:
    old_names = {f.name for f in p.old.feeds}
    for i, feed in enumerate(p.new.feeds):
        if feed.name not in old_names:
            yield (
                f"feeds[{feed.name}]",
                f"feed '{feed.name}' added ({feed.entity})",
                p.new_at("feeds", i, "name"),
            )


def _check_settings(p: Pair) -> Iterator[Hit]:
    keys = (
        ("checks",)
        if isinstance(p.new, ChannelBinding)
        else ("checks", "freshness", "volume", "unexpected_columns")
    )
    for key, _before, _after in _changed(p, *keys):
        yield (
            p.sub(key),
            f"{key} changed: what the {'channel' if not p.prefix else 'feed'} is judged on "
            "changes, not the values read",
            p.where(key),
        )


@rule(
    "quality-settings-changed",
    "channel",
    MINOR,
    "check overrides, `freshness`, `volume` or `unexpected_columns` change",
)
def _quality(p: Pair) -> Iterator[Hit]:
    yield from _check_settings(p)


@rule("channel-docs-changed", "channel", P, "the channel's `owner` or `description` changes")
def _channel_docs(p: Pair) -> Iterator[Hit]:
    for key, _before, _after in _changed(p, "owner", "description"):
        yield key, f"{key} changed", p.where(key)


# ---------------------------------------------------------------- feed rules


@rule("feed-entity-changed", "feed", B, "a feed binds another entity")
def _feed_entity(p: Pair) -> Iterator[Hit]:
    if p.old.entity != p.new.entity:
        yield (
            p.sub("entity"),
            f"feed '{p.name}' now supplies {p.new.entity} instead of {p.old.entity}",
            p.new_at("entity"),
        )


SOURCE_PARSING = (
    "format",
    "encoding",
    "delimiter",
    "quote",
    "escape",
    "header",
    "skip_rows",
    "null_values",
)


@rule(
    "source-parsing-changed",
    "feed",
    B,
    "how the export is parsed changes: `format`, `encoding`, `delimiter`, `quote`, `escape`, `header`, `skip_rows`, `null_values`",
)
def _source_parsing(p: Pair) -> Iterator[Hit]:
    old_src, new_src = p.old.source, p.new.source
    for key in SOURCE_PARSING:
        before, after = getattr(old_src, key), getattr(new_src, key)
        if key == "format":
            before, after = old_src.resolved_format, new_src.resolved_format
        if before != after:
            yield (
                p.sub(f"source.{key}"),
                f"source {key} changed from {_show(before)} to {_show(after)}: an export "
                "written the old way no longer parses, or parses to other values",
                p.where("source", key),
                "the channel's export and this binding must change in the same release",
            )


@rule("source-path-changed", "feed", MINOR, "the `source.path` changes")
def _source_path(p: Pair) -> Iterator[Hit]:
    both_files = p.old.source.in_files and p.new.source.in_files
    if both_files and p.old.source.paths != p.new.source.paths:
        yield (
            p.sub("source.path"),
            f"source path changed from {_show(p.old.source.path)} to {_show(p.new.source.path)}: "
            "where the rows are read changes, not their values",
            p.new_at("source", "path"),
            "validate reports a path that matches no file as an OC-SRC finding",
        )


@rule(
    "source-database-changed",
    "feed",
    MINOR,
    "the `source.connection` or `source.table` changes, or the source moves between files "
    "and a database",
)
def _source_database(p: Pair) -> Iterator[Hit]:
    old, new = p.old.source, p.new.source
    if (old.connection, old.table) != (new.connection, new.table) and not (
        old.in_files and new.in_files
    ):
        key = "connection" if old.connection != new.connection else "table"
        yield (
            p.sub(f"source.{key}"),
            f"source changed from {_show(old.display)} to {_show(new.display)}: where the rows "
            "are read changes, not their values",
            p.new_at("source", key if getattr(new, key) is not None else _source_key(new)),
            "validate reports a table that does not exist as an OC-SRC finding",
        )


def _source_key(source: Any) -> str:
    return "table" if source.is_catalog else "path" if source.in_files else "query"


@rule("source-query-changed", "feed", B, "a feed's `source.query` changes")
def _source_query(p: Pair) -> Iterator[Hit]:
    old, new = p.old.source, p.new.source
    if old.query is not None and new.query is not None and old.query.split() != new.query.split():
        yield (
            p.sub("source.query"),
            "the source query changed: it can select other rows or compute other values",
            p.new_at("source", "query"),
            "review the query with the channel's owner; rerun validate on the new query",
        )


@rule("mapping-removed", "feed", B, "a canonical field is no longer mapped or set by a feed")
def _mapping_removed(p: Pair) -> Iterator[Hit]:
    for section in ("fields", "constants"):
        other = "constants" if section == "fields" else "fields"
        old_names = getattr(p.old, section)
        new_names = set(getattr(p.new, section)) | set(getattr(p.new, other))
        for name in old_names:
            if name not in new_names:
                yield (
                    p.sub(f"{section}.{name}"),
                    f"feed '{p.name}' no longer supplies '{name}': the unified view loses it "
                    "for this channel",
                    p.old_at(section, name),
                )


@rule("mapping-added", "feed", MINOR, "a feed maps or sets a canonical field it did not supply")
def _mapping_added(p: Pair) -> Iterator[Hit]:
    supplied = set(p.old.fields) | set(p.old.constants)
    for section in ("fields", "constants"):
        for name in getattr(p.new, section):
            if name not in supplied:
                yield (
                    p.sub(f"{section}.{name}"),
                    f"feed '{p.name}' now supplies '{name}'",
                    p.new_at(section, name),
                )


@rule(
    "constant-changed",
    "feed",
    B,
    "a constant's value changes, or a field moves between a column and a constant",
)
def _constant_changed(p: Pair) -> Iterator[Hit]:
    for name, after in p.new.constants.items():
        if name in p.old.constants and p.old.constants[name] != after:
            yield (
                p.sub(f"constants.{name}"),
                f"constant '{name}' changed from {_show(p.old.constants[name])} to "
                f"{_show(after)}: every record of the feed changes",
                p.new_at("constants", name),
            )
        elif name in p.old.fields:
            yield (
                p.sub(f"constants.{name}"),
                f"'{name}' is now the constant {_show(after)} instead of column "
                f"'{p.old.fields[name].column}'",
                p.new_at("constants", name),
            )
    for name in p.new.fields:
        if name in p.old.constants:
            yield (
                p.sub(f"fields.{name}"),
                f"'{name}' is now read from column '{p.new.fields[name].column}' instead of "
                f"the constant {_show(p.old.constants[name])}",
                p.new_at("fields", name),
            )


@rule("feed-docs-changed", "feed", P, "a feed's `description` changes")
def _feed_docs(p: Pair) -> Iterator[Hit]:
    for key, _before, _after in _changed(p, "description"):
        yield p.sub(key), f"{key} of feed '{p.name}' changed", p.where(key)


@rule(
    "feed-quality-settings-changed",
    "feed",
    MINOR,
    "a feed's check overrides, `freshness`, `volume` or `unexpected_columns` change",
)
def _feed_quality(p: Pair) -> Iterator[Hit]:
    yield from _check_settings(p)


# ---------------------------------------------------------------- mapping rules


@rule("mapping-column-changed", "mapping", B, "a field is read from another source column")
def _column(p: Pair) -> Iterator[Hit]:
    if p.old.column != p.new.column:
        yield (
            p.sub("column"),
            f"'{p.name}' now read from column '{p.new.column}' instead of '{p.old.column}': "
            "exports with the old column no longer supply it",
            p.new_at("column"),
        )


PARSE_KEYS = (
    "format",
    "timezone",
    "phone_region",
    "phone_international",
    "decimal_separator",
    "true_values",
    "false_values",
)


@rule(
    "parse-rule-changed",
    "mapping",
    B,
    "a parse rule changes: `format`, `timezone`, `phone_region`, `phone_international`, `decimal_separator`, `true_values`, `false_values`",
)
def _parse_rule(p: Pair) -> Iterator[Hit]:
    for key, before, after in _changed(p, *PARSE_KEYS):
        yield (
            p.sub(key),
            f"{key} of '{p.name}' changed from {_show(before)} to {_show(after)}: the same "
            "source value now becomes another canonical value",
            p.where(key),
        )


def _value_maps(p: Pair) -> tuple[dict[str, Any], dict[str, Any]]:
    return p.old.values or {}, p.new.values or {}


@rule("value-map-entry-removed", "mapping", B, "an entry of a value map is removed")
def _value_removed(p: Pair) -> Iterator[Hit]:
    before, after = _value_maps(p)
    for source in [k for k in before if k not in after]:
        yield (
            p.sub("values"),
            f"value map of '{p.name}' no longer maps '{source}' (was {_show(before[source])}): "
            "that source value now passes through unmapped",
            p.where("values"),
        )


@rule("value-map-entry-changed", "mapping", B, "a value map entry maps to another canonical value")
def _value_changed(p: Pair) -> Iterator[Hit]:
    before, after = _value_maps(p)
    for source in [k for k in after if k in before and before[k] != after[k]]:
        yield (
            p.sub("values"),
            f"value map of '{p.name}' maps '{source}' to {_show(after[source])} instead of "
            f"{_show(before[source])}",
            p.new_at("values", source),
        )


@rule("value-map-entry-added", "mapping", MINOR, "an entry is added to a value map")
def _value_added(p: Pair) -> Iterator[Hit]:
    before, after = _value_maps(p)
    for source in [k for k in after if k not in before]:
        yield (
            p.sub("values"),
            f"value map of '{p.name}' maps '{source}' to {_show(after[source])}",
            p.new_at("values", source),
        )


__all__ = ["RULES", "Change", "Impact", "Pair", "Rule"]
