"""E.164 of the plain phone items in DuckDB SQL, generated from libphonenumber's metadata.

``normalize.phone_work`` reduces every value of a plain layout to its digits: an item is
then ``('+' || digits, '', false)`` or ``(digits, REGION, false)``. For those items this
module writes, as query-builder expressions, the steps ``phonenumbers.parse`` followed by
``is_valid_number`` and ``format_number(..., E164)`` take on a string of digits, with the
patterns, prefixes and lengths of the installed library's metadata, so the result follows
the library's version:

1. the country calling code: after a ``+``, or after the region's international
   (IDD) prefix, the shortest known code of 1-3 digits; for a local number, the region's
   own code, glued in front or not (``_maybe_extract_country_code``);
2. the national prefix (and carrier code) stripped, with its transform rule, when what
   is left is still a number of the region (``_maybe_strip_national_prefix_carrier_code``,
   ``_test_number_length``);
3. the region of the number among those sharing its code (leading digits, or the first
   region the number has a type in) and its type there (``is_valid_number``).

Only what is known to be read alike by Python's ``re`` and DuckDB's RE2 is generated:
patterns of digits, classes, groups, alternations and counted repetitions, and transform
rules whose group cannot match the empty string (SQL cannot tell an empty group from one
that did not take part). An item that needs any other region or code is left out and
goes through libphonenumber in Python, as every item of another layout does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    String,
    and_,
    case,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    select,
    true,
)

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import ColumnElement, Subquery, TableClause

    from omnicontract.validators.engines.duckdb import DuckDBEngine


def _limit(name: str) -> int:
    """One of phonenumberutil's length limits (``_MIN_LENGTH_FOR_NSN``, ...)."""
    from phonenumbers import phonenumberutil

    return int(getattr(phonenumberutil, name))


# What RE2 and Python's re read alike on strings of ASCII digits: digits, classes, \d,
# groups (capturing or not), alternation, quantifiers (not possessive; bounds written in
# full, as RE2 reads "{,n}" as text) and "$".
_SAFE_PATTERN = re.compile(r"(?:[0-9\[\]\-|{},?*+$]|\\d|\((?:\?:)?|\))*")
_UNSAFE = re.compile(r"[*+?}]\+|\{(?![0-9]+(?:,[0-9]*)?\})")
_SAFE_RULE = re.compile(r"(?:[0-9]|\\[1-9](?![0-9]))*")
# the descriptions _number_type_helper tries, mobile last (and only when it differs)
_TYPES = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
)


def _safe(pattern: str | None) -> bool:
    if pattern is None:
        return True
    if _SAFE_PATTERN.fullmatch(pattern) is None or _UNSAFE.search(pattern):
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _group_min_width(pattern: str, group: int) -> int:
    """The fewest characters capturing ``group`` of ``pattern`` can match."""
    import re._parser as parser  # type: ignore[import-not-found]

    def walk(items: Any) -> int | None:
        for op, av in items:
            if op is parser.SUBPATTERN:
                if av[0] == group:
                    return int(av[-1].getwidth()[0])
                found = walk(av[-1])
            elif op is parser.BRANCH:
                found = next((w for w in map(walk, av[1]) if w is not None), None)
            elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT):
                found = walk(av[2])
            else:
                continue
            if found is not None:
                return found
        return None

    width = walk(parser.parse(pattern))
    return 0 if width is None else width


@dataclass(frozen=True)
class Meta:
    """What the SQL needs of one region's (or non-geographic code's) metadata."""

    key: str  # region code, or "+800" for a non-geographic code
    country_code: str
    general: str | None
    lengths: tuple[int, ...]  # the general description's possible lengths
    length_results: tuple[Any, ...]  # _test_number_length by length, up to max + 1
    international_prefix: str | None
    prefix: str | None  # national_prefix_for_parsing
    rule: str | None  # its transform rule
    groups: int  # capturing groups of the prefix
    leading_digits: str | None
    types: tuple[tuple[str, tuple[int, ...]], ...]  # (pattern, possible lengths)
    supported: bool


@cache
def meta(key: str) -> Meta | None:
    """The metadata of a region code, or of ``+NNN`` for a non-geographic code."""
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import _test_number_length

    if key.startswith("+"):
        data = PhoneMetadata.metadata_for_nongeo_region(int(key[1:]), None)
    else:
        data = PhoneMetadata.metadata_for_region(key, None)
    if data is None:
        return None
    general = data.general_desc
    pattern = general.national_number_pattern if general is not None else None
    lengths = tuple(general.possible_length) if general is not None else ()
    local = tuple(general.possible_length_local_only) if general is not None else ()
    top = max((*lengths, *local), default=0) + 1
    results = tuple(_test_number_length("0" * n, data) for n in range(top + 1)) if lengths else ()
    types = []
    for name in _TYPES:
        desc = getattr(data, name)
        if desc is not None and desc.national_number_pattern:
            types.append((desc.national_number_pattern, tuple(desc.possible_length)))
    mobile = data.mobile
    if not data.same_mobile_and_fixed_line_pattern and mobile and mobile.national_number_pattern:
        types.append((mobile.national_number_pattern, tuple(mobile.possible_length)))
    prefix = data.national_prefix_for_parsing or None
    rule = data.national_prefix_transform_rule or None
    groups = re.compile(prefix).groups if prefix and _safe(prefix) else 0
    supported = (
        bool(lengths)
        and bool(pattern)
        and all(_safe(p) for p in (pattern, data.international_prefix, prefix, data.leading_digits))
        and all(_safe(p) for p, _ in types)
        and (
            rule is None
            or (
                prefix is not None
                and groups > 0
                and _SAFE_RULE.fullmatch(rule) is not None
                and _group_min_width(prefix, groups) > 0
            )
        )
    )
    return Meta(
        key=key,
        country_code=str(data.country_code),
        general=pattern,
        lengths=lengths,
        length_results=results,
        international_prefix=data.international_prefix or None,
        prefix=prefix,
        rule=rule,
        groups=groups,
        leading_digits=data.leading_digits or None,
        types=tuple(types),
        supported=supported,
    )


def _regions_of(cc: str) -> tuple[str, ...]:
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    return tuple(COUNTRY_CODE_TO_REGION_CODE.get(int(cc), ()))


def _validation_metas(cc: str) -> list[Meta | None]:
    """The metadata of every region of code ``cc``, in libphonenumber's order."""
    return [meta("+" + cc if r == "001" else r) for r in _regions_of(cc)]


def main_meta(cc: str) -> Meta | None:
    """The metadata ``parse`` reads a number of country code ``cc`` with: its first
    region's."""
    metas = _validation_metas(cc)
    return metas[0] if metas else None


def cc_supported(cc: str) -> bool:
    """Every metadata a number of code ``cc`` may be read or validated with is supported."""
    m = main_meta(cc)
    return (
        m is not None
        and m.supported
        and all(v is None or v.supported for v in _validation_metas(cc))
    )


def region_supported(region: str) -> bool:
    from phonenumbers import SUPPORTED_REGIONS

    if region not in SUPPORTED_REGIONS:
        return False
    m = meta(region)
    return m is not None and m.supported


# ---------------------------------------------------------------- expressions
def _case(whens: Any, else_: Any) -> Any:
    """``CASE`` of ``whens``, or ``else_`` alone when there are none."""
    whens = list(whens)
    return case(*whens, else_=else_) if whens else else_


def _p(pattern: str) -> ColumnElement[Any]:
    return literal(pattern, String())


def _full(x: ColumnElement[Any], pattern: str | None) -> ColumnElement[Any]:
    if not pattern:
        return false()
    return func.regexp_full_match(x, _p(pattern), type_=Boolean())


def _starts(pattern: str) -> str:
    return "^(?:" + pattern + ")"


def _length_is(x: ColumnElement[Any], m: Meta, results: set[Any]) -> ColumnElement[Any]:
    """``_test_number_length(x, m)`` is one of ``results``."""
    n = func.length(x)
    top = len(m.length_results) - 1
    hits = [k for k, r in enumerate(m.length_results) if r in results]
    cond: ColumnElement[Any] = n.in_(hits) if hits else false()
    if m.length_results[top] in results:  # every longer number gives what max + 1 gives
        cond = or_(cond, n > top)
    return cond


def strip_prefix(x: ColumnElement[Any], m: Meta) -> ColumnElement[Any]:
    """``_maybe_strip_national_prefix_carrier_code(x, m)[1]``."""
    if not m.prefix:
        return x
    start = _starts(m.prefix)
    rest = func.substr(x, func.length(func.regexp_extract(x, _p(start), 0)) + 1)
    if m.rule:
        took_part = func.regexp_extract(x, _p(start), m.groups) != ""
        out = case(
            (took_part, func.regexp_replace(x, _p(start), literal(m.rule, String()))), else_=rest
        )
    else:
        out = rest
    viable = _full(x, m.general)
    guarded = case((and_(viable, not_(_full(out, m.general))), x), else_=out)
    return case(
        (func.length(x) == 0, x),
        (not_(func.regexp_matches(x, _p(start))), x),
        else_=guarded,
    )


def has_type(x: ColumnElement[Any], m: Meta) -> ColumnElement[Any]:
    """``_number_type_helper(x, m) != UNKNOWN``: one full match of the general pattern and
    one of the union of the type patterns possible at the number's length."""
    by_length: dict[tuple[str, ...], list[int]] = {}
    for n in m.lengths:
        pats = tuple(p for p, lens in m.types if not lens or n in lens)
        if pats:
            by_length.setdefault(pats, []).append(n)
    if not by_length:
        return false()
    n = func.length(x)
    whens = [
        (
            n.in_(lens),
            case(
                (_full(x, m.general), _full(x, "|".join(f"(?:{p})" for p in pats))), else_=false()
            ),
        )
        for pats, lens in by_length.items()
    ]
    return _case(whens, else_=false())


def is_valid(x: ColumnElement[Any], cc: str) -> ColumnElement[Any]:
    """``is_valid_number`` of national significant number ``x`` with code ``cc``."""
    metas = _validation_metas(cc)
    if len(metas) == 1:
        return has_type(x, metas[0]) if metas[0] is not None else false()
    whens = []
    for m in metas:
        if m is None:
            continue
        if m.leading_digits is not None:
            whens.append((func.regexp_matches(x, _p(_starts(m.leading_digits))), has_type(x, m)))
        else:
            whens.append((has_type(x, m), true()))
    return _case(whens, else_=false())


# ---------------------------------------------------------------- the two stages
def calling_code(f: ColumnElement[Any]) -> ColumnElement[Any]:
    """``_extract_country_code(f)``: the shortest known country calling code at the start
    of the digits ``f``, or NULL."""
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

    codes: dict[int, list[str]] = {}
    for code in COUNTRY_CODE_TO_REGION_CODE:
        codes.setdefault(len(str(code)), []).append(str(code))
    whens = [
        (func.substr(f, 1, k).in_(sorted(codes[k])), func.substr(f, 1, k))
        for k in range(1, _limit("_MAX_LENGTH_COUNTRY_CODE") + 1)
        if codes.get(k)
    ]
    return _case(whens, else_=null())


def country_stage(items: Subquery, regions: list[str]) -> Any:
    """(text, reg, intl, cc, n0, local) for the plain items of ``items``: the country code
    (NULL: the number is invalid) and the national number before the national prefix is
    stripped; ``local``: the number is read with its own region's metadata (else with the
    main region of ``cc``)."""
    t, reg = items.c.text, items.c.reg
    min_nsn = _limit("_MIN_LENGTH_FOR_NSN")
    plus = reg == ""
    plain = or_(
        and_(plus, func.regexp_full_match(t, _p(r"\+[0-9]*"))),
        and_(reg.in_(regions), func.regexp_full_match(t, _p(r"[0-9]*"))),
    )
    digits = case((plus, func.substr(t, 2)), else_=t)
    first = (
        select(items.c.text, items.c.reg, items.c.intl, digits.label("d"))
        .where(plain, not_(items.c.intl))
        .subquery()
    )
    d = first.c.d

    after_idd, glued = [(first.c.reg == "", d)], []
    for r in regions:
        m = meta(r)
        assert m is not None
        here = first.c.reg == r
        if m.international_prefix:
            start = _p(_starts(m.international_prefix))
            rest = func.substr(d, func.length(func.regexp_extract(d, start, 0)) + 1)
            stripped = case(
                (
                    func.regexp_matches(d, start),
                    case((or_(rest == "", func.left(rest, 1) != "0"), rest), else_=null()),
                ),
                else_=null(),
            )
            after_idd.append((here, stripped))
        cc = m.country_code
        national = strip_prefix(func.substr(d, len(cc) + 1), m)
        glued.append((and_(here, d.startswith(cc)), national))
    second = select(
        first.c.text,
        first.c.reg,
        first.c.intl,
        d,
        _case(after_idd, else_=null()).label("f"),
        _case(glued, else_=null()).label("p"),
    ).subquery()
    f, p = second.c.f, second.c.p

    take = []  # (not gen(D) and gen(P')) or too_long(D): the glued code is the country code
    own_cc = []
    for r in regions:
        m = meta(r)
        assert m is not None
        here = second.c.reg == r
        long = _length_is(second.c.d, m, {_too_long()})
        better = and_(not_(_full(second.c.d, m.general)), _full(p, m.general))
        take.append((here, and_(p.is_not(None), or_(better, long))))
        own_cc.append((here, literal(m.country_code, String())))
    third = select(
        second.c.text,
        second.c.reg,
        second.c.intl,
        second.c.d,
        f,
        p,
        case(
            (f.is_not(None), case((func.length(f) <= min_nsn, null()), else_=calling_code(f))),
            else_=null(),
        ).label("fcc"),
        _case(take, else_=false()).label("take"),
        _case(own_cc, else_=null()).label("own"),
    ).subquery()
    c = third.c
    from_f = c.f.is_not(None)
    cc = case((from_f, c.fcc), else_=c.own)
    n0 = case(
        (from_f, func.substr(c.f, func.length(c.fcc) + 1)),
        (c.take, c.p),
        else_=c.d,
    )
    local = and_(not_(from_f), not_(c.take))
    return select(c.text, c.reg, c.intl, cc.label("cc"), n0.label("n0"), local.label("local"))


def _too_long() -> Any:
    from phonenumbers.phonenumberutil import ValidationResult

    return ValidationResult.TOO_LONG


def e164_stage(stage: TableClause, pairs: list[tuple[str, str]]) -> Any:
    """(text, reg, intl, e164) from a table of :func:`country_stage`, for the items whose
    (cc, region read with, or "" for the main region of cc) is one of ``pairs`` and the
    items already known to be invalid (no country code)."""
    from phonenumbers.phonenumberutil import ValidationResult

    metas: dict[str, Meta] = {}
    by_meta: dict[str, list[tuple[str, str]]] = {}
    for cc, region in pairs:
        m = meta(region) if region else main_meta(cc)
        assert m is not None
        metas[m.key] = m
        by_meta.setdefault(m.key, []).append((cc, region))

    def reads(cols: Any, key: str) -> ColumnElement[Any]:
        return or_(
            *(
                and_(cols.local, cols.reg == region)
                if region
                else and_(not_(cols.local), cols.cc == cc)
                for cc, region in by_meta[key]
            )
        )

    s = stage.c
    decided = or_(s.cc.is_(None), *(reads(s, k) for k in metas))
    n1 = _case(((reads(s, k), strip_prefix(s.n0, m)) for k, m in metas.items()), else_=s.n0)
    first = (
        select(s.text, s.reg, s.intl, s.cc, s.n0, s.local, n1.label("n1")).where(decided).subquery()
    )
    c = first.c
    keep = {ValidationResult.IS_POSSIBLE, ValidationResult.TOO_LONG}
    n = _case(
        (
            (reads(c, k), case((_length_is(c.n1, m, keep), c.n1), else_=c.n0))
            for k, m in metas.items()
        ),
        else_=c.n0,
    )
    second = select(c.text, c.reg, c.intl, c.cc, c.n0, n.label("n")).subquery()
    c2 = second.c
    ccs = sorted({cc for cc, _ in pairs})
    min_nsn, max_nsn = _limit("_MIN_LENGTH_FOR_NSN"), _limit("_MAX_LENGTH_FOR_NSN")
    valid = _case(((c2.cc == cc, is_valid(c2.n, cc)) for cc in ccs), else_=false())
    e164 = case(
        (c2.cc.is_(None), null()),
        (func.length(c2.n0) < min_nsn, null()),
        (or_(func.length(c2.n) < min_nsn, func.length(c2.n) > max_nsn), null()),
        (valid, literal("+", String()) + c2.cc + c2.n),
        else_=null(),
    )
    return select(c2.text, c2.reg, c2.intl, e164.label("e164"))


def normalize_plain(engine: DuckDBEngine, items: Subquery, name: str) -> tuple[Any, list[str]]:
    """The statement of (text, reg, intl, e164) for the plain items of ``items`` SQL can
    decide, and the names of the tables it reads (to drop once it has run). Two small
    queries first find the regions and the country codes present, so the statement holds
    only their metadata."""
    regions = [
        r
        for (r,) in engine.fetch(select(items.c.reg).where(items.c.reg != "").distinct())
        if r is not None and region_supported(r)
    ]
    stage = engine.create_table(f"{name}_cc", country_stage(items, regions))
    found = engine.fetch(
        select(stage.c.cc, case((stage.c.local, stage.c.reg), else_=literal("", String())))
        .where(stage.c.cc.is_not(None))
        .distinct()
    )
    pairs = sorted(
        (cc, region)
        for cc, region in found
        if cc_supported(cc) and (not region or region_supported(region))
    )
    return e164_stage(stage, pairs), [stage.name]
