"""Decide the binding: which column feeds which canonical field, with which parse rules,
and which choices a person must check (UNSURE) or complete (TODO)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from omnicontract.contracts.model import EntityContract, FieldSpec, Format, LogicalType
from omnicontract.infer import values as v
from omnicontract.infer.names import fields_for_name, is_opt_out
from omnicontract.infer.profile import Column
from omnicontract.infer.values import plain
from omnicontract.words import n_of

ZONES = {
    "BR": "America/Sao_Paulo",
    "AR": "America/Argentina/Buenos_Aires",
    "MX": "America/Mexico_City",
    "CL": "America/Santiago",
    "CO": "America/Bogota",
    "PE": "America/Lima",
    "UY": "America/Montevideo",
    "PT": "Europe/Lisbon",
    "ES": "Europe/Madrid",
    "US": "America/New_York",
}
CURRENCY_COUNTRY = {
    "BRL": "BR", "ARS": "AR", "MXN": "MX", "CLP": "CL", "COP": "CO", "PEN": "PE", "UYU": "UY",
    "USD": "US",
}  # fmt: skip
PHONE_REGIONS = ["BR", "AR", "MX", "CL", "CO", "PE", "UY", "PT", "ES", "US"]
INTERNATIONAL_NAMES = {"wa id", "msisdn", "whatsapp", "whatsapp id"}
KIND_BY_CHANNEL = {
    "whatsapp": "message", "sms": "message", "email": "email", "call_center": "call",
    "chat": "chat", "web": "page_view", "app": "page_view", "store": "purchase",
    "instagram": "comment", "facebook": "comment",
}  # fmt: skip
INBOUND_CHANNELS = {"web", "app", "store", "instagram", "facebook"}


@dataclass
class Line:
    """One `key: value` line of a mapping, with an optional UNSURE/TODO note."""

    key: str
    value: Any
    note: str | None = None
    todo: bool = False  # written as a comment: the person must decide


@dataclass
class FieldDraft:
    field: str
    column: Column
    note: str | None = None  # on the field's first line
    options: list[Line] = field(default_factory=list)
    values: list[Line] = field(default_factory=list)


@dataclass
class Draft:
    entity: str
    fields: list[FieldDraft] = field(default_factory=list)
    constants: list[Line] = field(default_factory=list)
    unmapped: list[Column] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (field, why not found)

    def unsure_count(self) -> int:
        lines = [f.note for f in self.fields] + [o.note for f in self.fields for o in f.options]
        lines += [x.note for f in self.fields for x in f.values] + [c.note for c in self.constants]
        return sum(1 for n in lines if n)


@dataclass
class Context:
    contract: EntityContract
    channel: str
    default_zone: str | None
    default_region: str | None


# ------------------------------------------------------------------ column -> field


def _fits(
    spec: FieldSpec, name: str, col: Column, contract: EntityContract, by_name: bool = False
) -> bool:
    """Whether a column's content can feed a field of this spec at all (``by_name``: the
    column's name already says it is this field, so some bad values are tolerated)."""
    if spec.type in (LogicalType.timestamp, LogicalType.date):
        return col.is_time
    if spec.type in (LogicalType.integer, LogicalType.number):
        return col.numeric or col.duration is not None
    if spec.type == LogicalType.boolean:
        return col.boolean is not None
    if spec.format == Format.email:
        return col.email or (by_name and col.email_share >= 0.5)
    if spec.format == Format.e164:
        return (col.phone or col.numeric) and not col.document and not col.is_time
    if spec.enum:
        known, _unknown = v.value_map(name, col.texts, spec.enum)
        hits = sum(n for t, n in col.top if t in spec.enum or t in known)
        return col.vocabulary and hits >= 0.5 * max(col.rows - col.nulls, 1)
    return not col.is_time or name in ("interaction_id", "customer_id")


def _content_field(col: Column, ctx: Context, free: set[str]) -> str | None:
    """A field for a column whose name says nothing, by what its values are."""
    contract = ctx.contract
    candidates: list[str] = []
    if col.email:
        candidates.append("email")
    if col.document:
        candidates.append("document_id")
    if col.phone:
        candidates.append("phone")
    if col.duration:
        candidates.append("duration_seconds")
    if col.is_time and col.has_clock and contract.event_time:
        candidates.append(contract.event_time)
    if col.boolean is not None and contract.entity == "customer":
        candidates.append(f"consent_{'phone' if ctx.channel == 'call_center' else ctx.channel}")
    if col.vocabulary:
        candidates += [n for n, s in contract.fields.items() if s.enum]
    for name in candidates:
        if name in free and _fits(contract.fields[name], name, col, contract):
            return name
    return None


def assign(columns: list[Column], ctx: Context) -> list[tuple[Column, str, str | None]]:
    """(column, field, note) pairs: by name first, then by content, one field per column."""
    contract = ctx.contract
    names = list(contract.fields)
    scored: list[tuple[int, int, Column, str, bool]] = []
    for order, col in enumerate(columns):
        for rank, (name, near) in enumerate(fields_for_name(col.name, contract.entity, names)):
            if _fits(contract.fields[name], name, col, contract, by_name=not near):
                score = (1 if near else 3) * 10 - rank - (5 if col.nested else 0)
                scored.append((score, -order, col, name, near))
    scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
    taken: dict[str, tuple[Column, str | None]] = {}
    used: set[str] = set()
    for _score, _order, col, name, near in scored:
        if name in taken or col.name in used:
            continue
        note = f"'{col.name}' is only spelt like '{name}'; check the meaning" if near else None
        taken[name] = (col, note)
        used.add(col.name)
    for col in columns:
        if col.name in used or col.rows == col.nulls:
            continue
        name = _content_field(col, ctx, set(names) - set(taken))
        if name:
            taken[name] = (col, f"mapped by content: the values look like {name}")
            used.add(col.name)
    _key_by_uniqueness(columns, ctx, taken, used)
    order = {c.name: i for i, c in enumerate(columns)}
    pairs = [(col, name, note) for name, (col, note) in taken.items()]
    return sorted(pairs, key=lambda t: order[t[0].name])


def _key_by_uniqueness(
    columns: list[Column], ctx: Context, taken: dict[str, tuple[Column, str | None]], used: set
) -> None:
    """The primary key, when no column is named like it: the first column whose sampled
    values are all present and all different (and not a time, an e-mail or a phone)."""
    pk = ctx.contract.primary_key
    if not pk or pk in taken:
        return
    for col in columns:
        if col.name in used or not col.unique or col.is_time or col.email or col.phone:
            continue
        if col.numeric and not col.type.upper().startswith(("BIGINT", "INTEGER", "VARCHAR")):
            continue
        taken[pk] = (
            col,
            f"no column is named like '{pk}'; '{col.name}' is unique in the sample "
            f"({col.distinct:,} distinct of {col.rows:,} rows)",
        )
        used.add(col.name)
        return


# ------------------------------------------------------------------ parse rules


def country_hints(columns: list[Column]) -> Counter[str]:
    """Countries the data points at: currencies, locales, country codes (by rows)."""
    hints: Counter[str] = Counter()
    for col in columns:
        for text, n in col.top[:50]:
            word = text.strip()
            if word.upper() in CURRENCY_COUNTRY and len(word) == 3:
                hints[CURRENCY_COUNTRY[word.upper()]] += n
            elif len(word) == 5 and word[2] in "-_" and word[3:].upper() in ZONES:
                hints[word[3:].upper()] += n
    return hints


def _zone(ctx: Context, hints: Counter[str], phone_region: str | None) -> tuple[str, str]:
    if hints:
        country = hints.most_common(1)[0][0]
        zone = ZONES[country]
        why = f"the data points at {country}"
        if ctx.default_zone and ctx.default_zone != zone:
            why += f"; the project default is {ctx.default_zone}"
        return zone, why
    if ctx.default_zone:
        return ctx.default_zone, "the project default"
    if phone_region in ZONES:
        return ZONES[phone_region], f"the phone numbers are from {phone_region}"
    return "UTC", "nothing in the data says which zone"


def time_options(fd: FieldDraft, spec: FieldSpec, ctx: Context, zone: tuple[str, str]) -> None:
    col = fd.column
    guess = col.time
    if guess and guess.format:
        fd.options.append(Line("format", guess.format, guess.note))
    elif guess and guess.note:
        fd.note = guess.note
    if spec.type != LogicalType.timestamp or col.aware:
        return
    name, why = zone
    fd.options.append(
        Line(
            "timezone",
            name,
            f"the times carry no UTC offset; assumed {name} ({why}). Check the export's "
            "documentation: cloud systems often write UTC",
        )
    )


def phone_options(fd: FieldDraft, ctx: Context, hints: Counter[str]) -> str | None:
    regions = [r for r in [ctx.default_region, *hints, *PHONE_REGIONS] if r]
    regions = list(dict.fromkeys(regions))
    intl_name = plain(fd.column.name.rsplit(".", 1)[-1]) in INTERNATIONAL_NAMES
    guess = v.guess_phone(fd.column.texts[:500], regions, intl_name)
    if guess.international:
        fd.options.append(Line("phone_international", True, guess.note))
        return None
    fd.options.append(Line("phone_region", guess.region, guess.note))
    return guess.region


def enum_options(fd: FieldDraft, spec: FieldSpec) -> None:
    col = fd.column
    assert spec.enum is not None
    known, unknown = v.value_map(fd.field, col.texts, spec.enum)
    counts = dict(col.top)
    if not known:
        if unknown:
            listed = ", ".join(f"'{u}' ({n_of(counts[u], 'row')})" for u in unknown[:5])
            fd.note = f"not canonical values, left as they are: {listed}"
        return
    for src, canonical in known.items():
        fd.values.append(Line(src, canonical))
    for src in unknown:
        fd.values.append(
            Line(
                src,
                "",
                f"{n_of(counts[src], 'row')}; no canonical value found: map it to one of "
                f"{', '.join(spec.enum)}, or leave it out (OC-MAP-002 counts those rows)",
                todo=True,
            )
        )


def boolean_options(fd: FieldDraft) -> None:
    assert fd.column.boolean is not None
    trues, falses, explicit = fd.column.boolean
    if explicit:
        fd.options.append(Line("true_values", trues))
        fd.options.append(Line("false_values", falses))


def _split_time(
    columns: list[Column], pairs: list[tuple[Column, str, str | None]], ctx: Context
) -> Column | None:
    """The time-of-day column of the event time, when the export writes the date and the
    time in two columns; the event time is then the date column (mapped or found here)."""
    event = ctx.contract.event_time
    if not event:
        return None
    mapped = {name: col for col, name, _n in pairs}
    date_col = mapped.get(event)
    if date_col is not None and date_col.has_clock:
        return None
    used = {col.name for col, _n, _x in pairs}
    clocks = [c for c in columns if c.clock and c.name not in used]
    if not clocks:
        return None
    if date_col is None:
        dates = [c for c in columns if c.is_time and not c.has_clock and c.name not in used]
        if not dates:
            return None
        date_col = dates[0]
        pairs.append((date_col, event, f"the date of '{event}'; its time is in '{clocks[0].name}'"))
    return clocks[0]


def _field_options(fd: FieldDraft, spec: FieldSpec, ctx: Context, zone: Any, hints: Any) -> None:
    col = fd.column
    if spec.type in (LogicalType.timestamp, LogicalType.date):
        time_options(fd, spec, ctx, zone)
    elif spec.format == Format.e164:
        phone_options(fd, ctx, hints)
    elif spec.enum:
        enum_options(fd, spec)
    elif spec.type == LogicalType.boolean:
        boolean_options(fd)
    elif spec.type in (LogicalType.integer, LogicalType.number) and col.duration:
        fd.options.append(
            Line("format", col.duration, f"durations written {col.duration}, stored in seconds")
        )
    elif spec.type in (LogicalType.integer, LogicalType.number) and col.decimal_comma:
        fd.options.append(Line("decimal_separator", ","))
    elif spec.format == Format.email and col.email_share < 1:
        bad = round((1 - col.email_share) * len(col.texts))
        fd.note = (
            f"{bad} of {len(col.texts)} sampled values are not e-mail addresses; they will be "
            "counted by OC-FLD-009"
        )


def _missing(ctx: Context, mapped: set[str], columns: list[Column]) -> list[tuple[str, str]]:
    """Every canonical field the draft does not supply, with why."""
    out = []
    for name, spec in ctx.contract.fields.items():
        if name in mapped:
            continue
        why = "no column is named like it"
        kind = spec.format.value if spec.format else spec.type.value
        if spec.type in (LogicalType.timestamp, LogicalType.date):
            why += " and no column holds dates"
        elif spec.format in (Format.email, Format.e164) or spec.type == LogicalType.boolean:
            why += f" and no column's values look like {kind}"
        if spec.required:
            why = "required; " + why
        out.append((name, why))
    return out


def build(columns: list[Column], ctx: Context) -> Draft:
    draft = Draft(entity=ctx.contract.entity)
    hints = country_hints(columns)
    pairs = assign(columns, ctx)
    clock = _split_time(columns, pairs, ctx)
    region = None
    for col, name, note in pairs:
        if ctx.contract.fields[name].format == Format.e164:
            fd = FieldDraft(name, col, note)
            region = phone_options(fd, ctx, hints) or region
    zone = _zone(ctx, hints, region)
    for col, name, note in pairs:
        spec = ctx.contract.fields[name]
        fd = FieldDraft(name, col, note)
        if clock is not None and name == ctx.contract.event_time:
            date_fmt = (col.time.format if col.time else None) or "%Y-%m-%d"
            fd.options.append(Line("time_column", clock.name))
            fd.options.append(
                Line("format", f"{date_fmt} {clock.clock}", "date and time read together")
            )
            if not col.aware:
                name_zone, why = zone
                fd.options.append(
                    Line("timezone", name_zone, f"the times carry no UTC offset; {why}")
                )
        else:
            _field_options(fd, spec, ctx, zone, hints)
        if spec.type == LogicalType.boolean and is_opt_out(col.name) and fd.column.boolean:
            trues, falses, _explicit = fd.column.boolean
            fd.options = [Line("true_values", falses), Line("false_values", trues)]
            fd.note = f"'{col.name}' is an opt-out: its yes means no consent"
        draft.fields.append(fd)
    mapped = {c.source_column for c, _n, _x in pairs}
    if clock is not None:
        mapped.add(clock.name)
    draft.unmapped = [c for c in columns if c.source_column not in mapped]
    constant_fields = (
        {"channel", "kind", "direction"} if ctx.contract.entity == "interaction" else set()
    )
    draft.missing = _missing(ctx, {n for _c, n, _x in pairs} | constant_fields, columns)
    draft.constants = constants(ctx, {name for _c, name, _n in pairs}, columns)
    return draft


def constants(ctx: Context, mapped: set[str], columns: list[Column]) -> list[Line]:
    """Fixed values of an interaction feed: its channel, and a guess at kind and direction."""
    contract = ctx.contract
    out: list[Line] = []
    if contract.entity != "interaction":
        return out
    enum = {n: s.enum or [] for n, s in contract.fields.items()}
    if "channel" not in mapped and "channel" in contract.fields:
        if ctx.channel in enum["channel"]:
            out.append(Line("channel", ctx.channel))
        else:
            out.append(
                Line("channel", ctx.channel, "not a canonical channel; choose one", todo=True)
            )
    if "kind" not in mapped and "kind" in contract.fields:
        kind = KIND_BY_CHANNEL.get(ctx.channel)
        if kind:
            out.append(Line("kind", kind, f"guessed from the channel '{ctx.channel}'"))
        else:
            out.append(Line("kind", "message", "what kind of contact is each row?", todo=True))
    if "direction" not in mapped and "direction" in contract.fields:
        has_campaign = "campaign_id" in mapped
        if has_campaign or ctx.channel in INBOUND_CHANNELS:
            guess = "outbound" if has_campaign else "inbound"
            why = "rows carry a campaign" if has_campaign else f"'{ctx.channel}' contacts"
            out.append(Line("direction", guess, f"guessed: {why}; check who started it"))
        else:
            out.append(
                Line("direction", "inbound", "who started the contact, us or them?", todo=True)
            )
    return out
