"""Phone numbers normalized in DuckDB SQL equal libphonenumber's, item for item, for every
region and non-geographic code the installed library knows."""

from __future__ import annotations

import random
import re

import pytest

pytest.importorskip("phonenumbers")

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberType
from sqlalchemy import Boolean, String, column, select, table

from omnicontract.validators import normalize, phone_sql, phones
from omnicontract.validators.normalize import PhoneItem, _e164, to_e164

TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
)
IDD_CANDIDATES = ("00", "011", "010", "001", "0011", "810", "119", "000", "009", "002", "0015")


def _examples(region: str) -> list[str]:
    if region.startswith("+"):
        found = [phonenumbers.example_number_for_non_geo_entity(int(region[1:]))]
    else:
        found = [phonenumbers.example_number_for_type(region, t) for t in TYPES]
    out = [phonenumbers.national_significant_number(n) for n in found if n is not None]
    return out or ["12345678"]


def _mutate(rng: random.Random, s: str) -> str:
    """One digit changed, added, removed; truncated; zero-led or lengthened."""
    k = rng.randrange(7)
    i = rng.randrange(len(s) + 1)
    digit = str(rng.randrange(10))
    if k == 0 and s:
        return s[: i - 1] + digit + s[i:] if i else digit + s[1:]
    if k == 1:
        return s[:i] + digit + s[i:]
    if k == 2 and s:
        return s[: max(i - 1, 0)] + s[i:]
    if k == 3:
        return s[:i]
    if k == 4:
        return "0" + s
    if k == 5:
        return s + digit
    return s


def _idds(data: PhoneMetadata) -> list[str]:
    """Some international prefixes the region dials, and the common ``00``."""
    out = ["00"]
    if data.international_prefix:
        pattern = re.compile(data.international_prefix)
        preferred = (data.preferred_international_prefix or "").replace("~", "")
        out += [c for c in (preferred, *IDD_CANDIDATES) if c and pattern.fullmatch(c)]
    return out


def _number(rng: random.Random, base: str, cc: str, idds: list[str], prefixes: list[str]) -> str:
    codes = [str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE]
    forms = (
        lambda: "".join(str(rng.randrange(10)) for _ in range(rng.randint(1, 20))),
        lambda: rng.choice(prefixes) + base,
        lambda: cc + base,
        lambda: cc + rng.choice(prefixes) + base,
        lambda: rng.choice(idds) + cc + base,
        lambda: rng.choice(idds) + rng.choice(codes) + base,
        lambda: rng.choice(idds) + "0" + base,
        lambda: rng.choice(prefixes) + base + str(rng.randrange(1000)),
        lambda: rng.choice(codes) + base,
        lambda: base,
    )
    return rng.choice(forms)()


def region_items(rng: random.Random, region: str, n: int) -> list[PhoneItem]:
    """``n`` plain items around the example numbers of ``region`` (or ``+NNN``, a
    non-geographic code), in the local form (with the region) and the ``+`` form."""
    if region.startswith("+"):
        data = PhoneMetadata.metadata_for_nongeo_region(int(region[1:]))
        local = None
    else:
        data = PhoneMetadata.metadata_for_region(region)
        local = region
    assert data is not None
    examples, idds = _examples(region), _idds(data)
    prefixes = [p for p in (data.national_prefix, "0", "1", "8", "90") if p]
    out: list[PhoneItem] = []
    for _ in range(n):
        base = rng.choice(examples)
        for chance in (0.6, 0.2):
            if rng.random() < chance:
                base = _mutate(rng, base)
        s = _number(rng, base, str(data.country_code), idds, prefixes)
        if rng.random() < 0.15:
            s = _mutate(rng, s)
        if local is not None and rng.random() < 0.5:
            out.append((s, local, False))
        else:
            out.append(("+" + s, "", False))
    return out


def all_regions() -> list[str]:
    codes = sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
    return sorted(phonenumbers.SUPPORTED_REGIONS) + [f"+{c}" for c in codes]


def sql_e164(engine, items: list[PhoneItem]) -> dict[PhoneItem, str | None]:
    """The items SQL decides, with their E.164 (or None: invalid)."""
    engine.con.execute(
        "CREATE OR REPLACE TABLE items AS SELECT unnest(?::VARCHAR[]) AS text, "
        "unnest(?::VARCHAR[]) AS reg, unnest(?::BOOLEAN[]) AS intl",
        [list(col) for col in zip(*items, strict=True)],
    )
    source = table("items", column("text", String()), column("reg", String()))
    source.append_column(column("intl", Boolean()))
    stmt, tables = phone_sql.normalize_plain(engine, select(source).subquery(), "t")
    try:
        return {(t, r, i): e for t, r, i, e in engine.fetch(stmt)}
    finally:
        for name in tables:
            engine.drop(name)


def differences(decided: dict[PhoneItem, str | None]) -> list[str]:
    out = []
    for (text, reg, intl), e164 in decided.items():
        expected = _e164(text, reg or None, intl)
        if expected != e164:
            out.append(f"{text!r} {reg or '-'}: SQL {e164}, libphonenumber {expected}")
    return out


@pytest.fixture
def engine():
    from omnicontract.validators.engines.base import EngineOptions
    from omnicontract.validators.engines.duckdb import DuckDBEngine

    eng = DuckDBEngine(EngineOptions(threads=1))
    yield eng
    eng.close()


def test_sql_equals_libphonenumber_for_every_region(engine) -> None:
    """Numbers built from every region's example numbers, with and without national
    prefix, IDD prefixes, the country code, mutated, and random digits, local and ``+``:
    each one SQL decides has libphonenumber's E.164 (or none)."""
    rng = random.Random(20260312)
    items = sorted({i for r in all_regions() for i in region_items(rng, r, 40)})
    decided = sql_e164(engine, items)
    differing = differences(decided)
    assert not differing, "\n".join([f"{len(differing)} items differ:", *differing[:50]])
    # all but items of a region or code whose patterns SQL cannot read alike (none today)
    assert len(decided) > 0.9 * len(items)
    assert 0.05 < sum(e is not None for e in decided.values()) / len(decided) < 0.95


def test_sql_leaves_other_items_to_python(engine) -> None:
    """Items of other layouts, international-flagged ones and unknown regions are not
    decided in SQL; '+' with a region, too (libphonenumber reads those differently)."""
    items: list[PhoneItem] = [
        ("(11) 98765-4321", "BR", False),
        ("11987654321", "BR", True),
        ("11987654321", "XX", False),
        ("11987654321", "br", False),
        ("+5511987654321", "BR", False),
        ("11987654321", "", False),
        ("11987654321", "BR", False),
        ("+5511987654321", "", False),
    ]
    decided = sql_e164(engine, items)
    assert decided == {
        ("11987654321", "BR", False): "+5511987654321",
        ("+5511987654321", "", False): "+5511987654321",
    }


def test_lookups_with_sql_equal_lookups_without(monkeypatch) -> None:
    """``PhoneLookups.build`` gives every raw value the same E.164 whether the plain
    numbers are normalized in SQL or all in Python."""
    from omnicontract.validators.engines.base import EngineOptions
    from omnicontract.validators.engines.duckdb import DuckDBEngine

    monkeypatch.setattr(normalize, "BATCH", 97)
    rng = random.Random(5)
    raw = [f"({rng.randint(11, 99)}) 9{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"]
    raw += [text for text, _, _ in region_items(rng, "BR", 300)]
    raw += ["abc", "", "123", "(11) 98765-4321 ext. 5", "0055 11 98765 4321", "+44 20 7946 0958"]
    raw += ["+00 15 55 11 98765 4321", "+0015 5511987654321"]  # read again in the region
    found = []
    in_sql: list[str] = []  # the lookups whose plain items went to SQL
    store_plain = phones.PhoneLookups._store_plain

    def recorded(self, name, new):  # type: ignore[no-untyped-def]
        in_sql.append(name)
        return store_plain(self, name, new)

    monkeypatch.setattr(phones.PhoneLookups, "_store_plain", recorded)
    for threshold in (0, 150, 10**9):  # 150: past a batch (97), below the new items
        monkeypatch.setattr(phones, "SQL_THRESHOLD", threshold)
        in_sql.clear()
        engine = DuckDBEngine(EngineOptions(threads=1))
        try:
            engine.con.execute("CREATE TABLE a AS SELECT unnest(?::VARCHAR[]) AS p", [raw])
            lookups = {}
            for name, region, intl in (("l", "BR", False), ("i", None, True), ("n", None, False)):
                engine.phones.build(name, table("a", column("p")), "p", region, intl)
                lookups[name] = engine.con.execute(f"SELECT raw, e164 FROM {name}").fetchall()
                expected = {v: to_e164(v, region, intl) for v in set(raw)}
                assert dict(lookups[name]) == expected
            found.append({k: sorted(v, key=str) for k, v in lookups.items()})
        finally:
            engine.close()
        # SQL for a lookup with more new items than the threshold: each has more than 0;
        # more than 150 (and than a batch), 'l' and 'i', whose items 'n' then finds cached
        assert in_sql == {0: ["l", "i", "n"], 150: ["l", "i"], 10**9: []}[threshold]
    assert found[0] == found[1] == found[2]
