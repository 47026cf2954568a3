"""Property-based test of the cross-channel checks (identity, consent, journeys).

Hypothesis builds a random customer master (ch0) and one to three interaction channels
whose rows reach customers through a random mix of identity keys written in random
formats (e-mail case and spaces, phones in E.164 or Brazilian local format, documents
with punctuation; times naive, in UTC or with an offset), with planted anomalies:
identity conflicts, placeholders and a shared store phone in the master; orphans, rows
without a usable key, ambiguous rows, key mismatches, duplicate interactions (and
repeats under the same id), journeys across customers and outbound contacts after an
opt-out in the channels; sometimes a second source of the master (customer id,
e-mail, consent) whose e-mails and consent disagree with the first; sometimes a consent
log (opt-ins and opt-outs with times, per channel or for every channel, ties included)
and an ``as_of`` moment before the end of the data. Contacts are drawn right at consent
changes to probe the boundaries of the timing rule. Sometimes a web channel links its
visits to the e-mail channel's messages (``links: ch1.link_id``), with broken links and
a clock shifted by a whole number of quarter hours.

The expected findings are derived here, in plain Python, from the generated rows and
the documented semantics of each check (never from the library). The generator also
records what it meant each row to be (resolved to whom, orphan, ...), and that intent
is checked against the derivation first, so a generator mistake fails loudly instead of
silently changing what is tested. Then ``omnicontract.validate`` must report exactly the
expected (code, channel, field, count) for every code under test, and nothing else.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import omnicontract
from tests.conftest import FIXED_NOW, write_project

CODES = frozenset(
    {
        "OC-IDN-001",
        "OC-IDN-002",
        "OC-IDN-003",
        "OC-IDN-004",
        "OC-IDN-005",
        "OC-IDN-006",
        "OC-IDN-007",
        "OC-IDN-008",
        "OC-CNS-001",
        "OC-CNS-002",
        "OC-CNS-003",
        "OC-JRN-001",
        "OC-REF-002",
        "OC-TIM-001",
    }
)
KEYS = ("customer_id", "email", "phone", "document_id")  # the project's trust order
OTHER_KEYS = KEYS[1:]
COLUMN = {"customer_id": "cid", "email": "mail", "phone": "tel", "document_id": "doc"}
THRESHOLD = 3
PLACEHOLDERS = {
    "email": ["test@*", "noemail@*", "*@test.com"],
    "phone": ["+5511999999999", "+550000*"],
    "document_id": ["00000000000", "12345678909"],
}
PLACEHOLDER_RAW = {
    "email": ["test@loja.com", "Test@Loja.com", " noemail@example.com", "ana@TEST.com"],
    "phone": ["+5511999999999", "(11) 99999-9999"],
    "document_id": ["000.000.000-00", "123.456.789-09", "12345678909"],
}
DDDS = (11, 19, 21, 27, 31, 41, 48, 51, 61, 71, 81, 85, 91)
NAMES = ("ana", "bia", "caio", "duda", "enzo", "flor")
DOMAINS = ("shop.example", "mail.example.com", "correo.example.br")
STORE_PHONE = "+5511961234567"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
OLD = datetime(1900, 1, 1, tzinfo=UTC)
SLOT_DAYS = 9
SPELLINGS = st.sampled_from(["naive", "naive", "zulu", "offset"])
LOCAL = timezone(timedelta(hours=-3))
# e-mail campaigns need consent (the default scope); messages and calls do not
CHANNELS = (("email", "campaign"), ("whatsapp", "message"), ("call_center", "call"))
PROJECT = {
    "defaults": {"phone_region": "BR", "timezone": "UTC"},
    "identity": {"placeholders": PLACEHOLDERS, "shared_threshold": THRESHOLD},
}


# ------------------------------------------------------------------ normalization oracle
def e164(raw: str) -> str | None:
    text = raw.strip()
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        number = "+" + digits
    elif text.startswith("0"):
        number = "+55" + digits[1:]
    else:
        number = "+55" + digits
    m = re.fullmatch(r"\+55(\d\d)9\d{8}", number)
    return number if m and int(m[1]) in DDDS else None


def norm(key: str, raw: str | None) -> str | None:
    """A key value as the policy normalizes it, before placeholders are discarded."""
    if raw is None:
        return None
    if key == "email":
        value = raw.strip(" ").lower()
    elif key == "phone":
        value = e164(raw)
    elif key == "document_id":
        alnum = re.sub("[^0-9A-Za-z]", "", raw).upper()
        value = alnum.lstrip("0") or alnum  # leading zeros dropped, unless all zeros
    else:
        value = raw.strip(" ").upper()
    return value or None


def is_placeholder(key: str, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), p.lower()) for p in PLACEHOLDERS.get(key, []))


def usable(key: str, raw: str | None) -> str | None:
    value = norm(key, raw)
    return None if value is None or is_placeholder(key, value) else value


LAYOUTS = {"email": "lowercase", "phone": "e164", "document_id": "digits"}


def breaks(layout: str | None, raw: str) -> bool:
    """Does a raw value break the layout a channel declares (never, without one)?"""
    if layout == "lowercase":
        return raw != raw.strip().lower()
    if layout == "e164":
        return re.fullmatch(r"\+[1-9]\d{6,14}", raw) is None
    if layout == "digits":
        return not raw.isdigit()
    return False


# ------------------------------------------------------------------ generated world
@dataclass
class Customer:
    cid: str
    raw: dict[str, str | None]
    consent: bool | None
    since: datetime | None
    source2: str = "absent"  # second source's consent: absent (no row) | empty | true | false
    email2: str | None = None  # second source's e-mail, raw
    log: list[tuple[datetime, str | None, bool]] = field(default_factory=list)  # t, channel, in


@dataclass
class Row:
    iid: str
    raw: dict[str, str | None]
    t: datetime
    direction: str | None
    case: str | None
    intent: str  # resolved | orphan | no_key | ambiguous
    target: str | None
    spelling: str = "naive"  # how the time is written: naive (UTC), zulu or offset


@dataclass
class Channel:
    name: str
    channel: str
    kind: str
    keys: tuple[str, ...]
    has_case: bool
    rows: list[Row] = field(default_factory=list)
    layouts: dict[str, str] = field(default_factory=dict)  # key -> declared layout


@dataclass
class World:
    customers: list[Customer]
    second_source: bool = False
    channels: list[Channel] = field(default_factory=list)
    ghosts: int = 0
    has_log: bool = False
    as_of: datetime = FIXED_NOW
    visits: list[tuple[str, str | None, datetime]] = field(default_factory=list)  # id, ref, t
    visit_shift: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        self.owners: dict[str, dict[str, set[str]]] = {k: defaultdict(set) for k in KEYS}
        self.pairs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.master_raws: dict[str, set[str]] = {k: set() for k in KEYS}
        self.by_id = {c.cid: c for c in self.customers}
        for _source, c, k, raw in self.cells():
            if raw is not None:
                self.master_raws[k].add(raw)
            value = usable(k, raw)
            if value is not None:
                self.owners[k][value].add(c.cid)
                self.pairs[c.cid][k].add(value)

    def cells(self) -> Iterator[tuple[str, Customer, str, str | None]]:
        """(source, customer, key, raw) for every identity key cell of the master's sources."""
        for c in self.customers:
            for k in KEYS:
                yield "master", c, k, c.cid if k == "customer_id" else c.raw[k]
            if self.second_source and c.source2 != "absent":
                yield "source2", c, "customer_id", c.cid
                yield "source2", c, "email", c.email2

    def source_channel(self, source: str) -> str:
        return "ch0" if source == "master" else f"ch{len(self.channels) + 1}"

    def n_owners(self, key: str, value: str | None) -> int:
        return len(self.owners[key].get(value, ())) if value is not None else 0

    def ghost(self) -> int:
        self.ghosts += 1
        return self.ghosts


# ------------------------------------------------------------------ raw formats
def email_variant(draw: Any, value: str) -> str:
    case = draw(st.sampled_from(["same", "same", "upper", "title", "mixed"]))
    if case == "upper":
        value = value.upper()
    elif case == "title":
        value = value.capitalize()
    elif case == "mixed":
        value = "".join(ch.upper() if i % 2 else ch for i, ch in enumerate(value))
    pad = draw(st.sampled_from([("", ""), ("", ""), (" ", ""), ("", " "), ("  ", " ")]))
    return pad[0] + value + pad[1]


def phone_variant(draw: Any, number: str) -> str:
    ddd, sub = number[3:5], number[5:]
    return draw(
        st.sampled_from(
            [
                number,
                f"({ddd}) {sub[:5]}-{sub[5:]}",
                f"{ddd}{sub}",
                f"0{ddd} {sub[:5]}-{sub[5:]}",
                f"+55 {ddd} {sub[:5]}-{sub[5:]}",
            ]
        )
    )


def doc_variant(draw: Any, doc: str) -> str:
    if len(doc) != 11:
        return draw(st.sampled_from([doc, f"{doc[:4]}-{doc[4:]}", f" {doc}"]))
    return draw(st.sampled_from([doc, f"{doc[:3]}.{doc[3:6]}.{doc[6:9]}-{doc[9:]}", f"{doc} "]))


def variant(draw: Any, key: str, value: str) -> str:
    """A raw spelling of the normalized ``value``."""
    if key == "email":
        return email_variant(draw, value)
    if key == "phone":
        return phone_variant(draw, value)
    if key == "document_id":
        return doc_variant(draw, value)
    return draw(st.sampled_from([value, value, value.lower(), f" {value}"]))


def ghost_value(draw: Any, world: World, key: str) -> str:
    """A usable key value that no customer of the master has."""
    j = world.ghost()
    if key == "email":
        return email_variant(draw, f"ghost{j}@nowhere.example")
    if key == "phone":
        return phone_variant(draw, f"+55{DDDS[j % len(DDDS)]}97{j:07d}")
    if key == "document_id":
        return doc_variant(draw, f"9{j:09d}")
    return f"Z{j:03d}"


# ------------------------------------------------------------------ the master
def draw_customer(draw: Any, i: int, salt: int) -> Customer:
    often = st.integers(0, 9).map(lambda x: x < 8)
    email = f"{draw(st.sampled_from(NAMES))}{i}@{draw(st.sampled_from(DOMAINS))}"
    phone = f"+55{DDDS[(i + salt) % len(DDDS)]}98{(i * 7919 + salt) % 10**7:07d}"
    doc = str(10**10 + i * 104729 + 7 * salt)
    raw = {
        "email": email_variant(draw, email) if draw(often) else None,
        "phone": phone_variant(draw, phone) if draw(often) else None,
        "document_id": doc_variant(draw, doc) if draw(st.booleans()) else None,
    }
    consent = draw(st.sampled_from([True, False, False, None]))
    since = None
    if draw(often):
        since = T0 + timedelta(minutes=draw(st.integers(0, 2 * 365 * 24 * 60)))
    return Customer(f"C{i:03d}", raw, consent, since)


def plant_master(draw: Any, customers: list[Customer]) -> None:
    """Identity conflicts, a shared store phone and placeholders, on distinct customers."""
    order = draw(st.permutations(range(len(customers))))
    free = list(order)

    def take(size: int) -> list[Customer]:
        if size > len(free):
            return []
        return [customers[free.pop()] for _ in range(size)]

    groups: list[tuple[str, str, list[Customer]]] = []
    for g in range(draw(st.integers(0, 2))):
        groups.append(("email", f"family{g}@home.example", take(draw(st.integers(2, 3)))))
    if draw(st.booleans()):
        groups.append(("phone", "+5521965550000", take(draw(st.integers(2, 3)))))
    if draw(st.booleans()):
        groups.append(("phone", STORE_PHONE, take(draw(st.integers(THRESHOLD + 1, 5)))))
    if draw(st.booleans()):
        groups.append(("document_id", "55566677788", take(2)))
    for key, value, members in groups:
        for c in members:
            c.raw[key] = variant(draw, key, value)
    for key, raws in PLACEHOLDER_RAW.items():
        for c in take(draw(st.integers(0, 1))):
            c.raw[key] = draw(st.sampled_from(raws))


def plant_second_source(draw: Any, customers: list[Customer]) -> None:
    """A second source of the master (an e-mail platform's list): customer id, e-mail and
    consent. Its e-mail is the master's (maybe spelled differently), an older one, a
    placeholder or empty; its consent is undated, and may disagree with the master's."""
    for i, c in enumerate(customers):
        email = draw(st.sampled_from(["none", "same", "same", "old", "placeholder"]))
        master = usable("email", c.raw["email"])
        if email == "same" and master:
            c.email2 = variant(draw, "email", master)
        elif email == "old":
            c.email2 = variant(draw, "email", f"old{i}@{draw(st.sampled_from(DOMAINS))}")
        elif email == "placeholder":
            c.email2 = draw(st.sampled_from(PLACEHOLDER_RAW["email"]))
        choice = draw(st.sampled_from(["absent", "empty", "same", "same", "flip"]))
        if choice == "flip" and c.consent is None:
            choice = "same"
        if choice == "same":
            choice = "empty" if c.consent is None else str(c.consent).lower()
        elif choice == "flip":
            choice = str(not c.consent).lower()
        c.source2 = choice


# ------------------------------------------------------------------ the channels
def filler(draw: Any, world: World, key: str, ghost: bool) -> str | None:
    """A value for a key that must not resolve the row: empty, a placeholder, the shared
    store phone, an invalid phone, or (when allowed) a value nobody has."""
    options = ["none", "none", "placeholder"]
    if key == "phone":
        options += ["invalid"] + (["shared"] if world.n_owners(key, STORE_PHONE) else [])
    if ghost:
        options.append("ghost")
    if key == "customer_id":
        options = ["none", "ghost"] if ghost else ["none"]
    choice = draw(st.sampled_from(options))
    if choice == "placeholder":
        return draw(st.sampled_from(PLACEHOLDER_RAW[key]))
    if choice == "invalid":
        return "12345"
    if choice == "shared":
        return phone_variant(draw, STORE_PHONE)
    if choice == "ghost":
        return ghost_value(draw, world, key)
    return None


def unique_values(world: World, c: Customer, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    """(key, value) pairs that identify customer ``c`` alone."""
    return [
        (k, v) for k in keys for v in sorted(world.pairs[c.cid][k]) if world.n_owners(k, v) == 1
    ]


def conflict_values(world: World, keys: tuple[str, ...]) -> list[tuple[str, str]]:
    return [
        (k, v)
        for k in keys
        for v, who in sorted(world.owners[k].items())
        if 2 <= len(who) <= THRESHOLD
    ]


def mismatch_keys(world: World, keys: tuple[str, ...]) -> list[str]:
    if "customer_id" not in keys:
        return []
    return [k for k in keys if k != "customer_id" and world.owners[k]]


def feasible_intents(world: World, keys: tuple[str, ...]) -> list[str]:
    out = ["orphan", "no_key"]
    if any(unique_values(world, c, keys) for c in world.customers):
        out += ["ok", "ok", "ok"]
    if mismatch_keys(world, keys):
        out.append("mismatch")
    if conflict_values(world, keys):
        out.append("ambiguous")
    return out


def row_ok(draw: Any, world: World, keys: tuple[str, ...]) -> tuple[dict, str, str | None]:
    c = draw(st.sampled_from([c for c in world.customers if unique_values(world, c, keys)]))
    key, value = draw(st.sampled_from(unique_values(world, c, keys)))
    raw = {}
    for k in keys:
        own = sorted(world.pairs[c.cid][k])
        if k == key:
            raw[k] = variant(draw, k, value)
        elif own and draw(st.booleans()):
            raw[k] = variant(draw, k, draw(st.sampled_from(own)))
        else:
            raw[k] = filler(draw, world, k, ghost=True)
    return raw, "resolved", c.cid


def row_mismatch(draw: Any, world: World, keys: tuple[str, ...]) -> tuple[dict, str, str | None]:
    key = draw(st.sampled_from(mismatch_keys(world, keys)))
    c = draw(st.sampled_from([c for c in world.customers if world.pairs[c.cid][key]]))
    others = sorted(v for v in world.owners[key] if v not in world.pairs[c.cid][key])
    if others and draw(st.booleans()):
        wrong = variant(draw, key, draw(st.sampled_from(others)))
    else:
        wrong = ghost_value(draw, world, key)
    raw = {k: filler(draw, world, k, ghost=True) for k in keys}
    raw["customer_id"], raw[key] = variant(draw, "customer_id", c.cid), wrong
    return raw, "resolved", c.cid


def row_orphan(draw: Any, world: World, keys: tuple[str, ...]) -> tuple[dict, str, str | None]:
    chosen = draw(st.sets(st.sampled_from(keys), min_size=1))
    raw = {
        k: ghost_value(draw, world, k) if k in chosen else filler(draw, world, k, ghost=False)
        for k in keys
    }
    return raw, "orphan", None


def row_no_key(draw: Any, world: World, keys: tuple[str, ...]) -> tuple[dict, str, str | None]:
    return {k: filler(draw, world, k, ghost=False) for k in keys}, "no_key", None


def row_ambiguous(draw: Any, world: World, keys: tuple[str, ...]) -> tuple[dict, str, str | None]:
    key, value = draw(st.sampled_from(conflict_values(world, keys)))
    raw = {k: filler(draw, world, k, ghost=True) for k in keys}
    raw[key] = variant(draw, key, value)
    return raw, "ambiguous", None


ROW_MAKERS = {
    "ok": row_ok,
    "mismatch": row_mismatch,
    "orphan": row_orphan,
    "no_key": row_no_key,
    "ambiguous": row_ambiguous,
}


def draw_case(draw: Any, world: World, target: str | None) -> str | None:
    """Cases are per customer (K-...) unless drawn from a small pool shared by anyone."""
    mode = draw(st.sampled_from(["none", "own", "own", "pool"]))
    if mode == "pool":
        return f"X{draw(st.integers(0, 2))}"
    if mode == "own":
        who = target or draw(st.sampled_from(world.customers)).cid
        return f"K-{who}-{draw(st.integers(0, 1))}"
    return None


def revary(draw: Any, key: str, raw: str | None) -> str | None:
    """Another spelling of the same key value (same normalized value)."""
    value = usable(key, raw)
    if value is None:
        return raw
    return variant(draw, key, value)


def draw_log(draw: Any, c: Customer) -> None:
    """Consent events of one customer: e-mail, every channel or another channel; some at
    the master flag's own date, some an opt-in and an opt-out at the same instant."""
    seen: set[tuple[datetime, str | None, bool]] = set()
    for _ in range(draw(st.integers(0, 3))):
        if c.since is not None and draw(st.integers(0, 3)) == 0:
            t = c.since
        else:
            t = T0 + timedelta(minutes=draw(st.integers(0, 2 * 365 * 24 * 60)))
        channel = draw(st.sampled_from(["email", "email", None, "sms"]))
        actions = [True, False] if draw(st.integers(0, 5)) == 0 else [draw(st.booleans())]
        for opt_in in actions:
            if (t, channel, opt_in) not in seen:
                seen.add((t, channel, opt_in))
                c.log.append((t, channel, opt_in))


def draw_time(draw: Any, world: World, start: datetime, target: str | None) -> datetime:
    """A time in the row's own slot (so rows never share a time by accident), or right
    at one of the target's consent changes, to probe the boundary of OC-CNS-001."""
    changes = []
    if target:
        c = world.by_id[target]
        changes = [t for t in [c.since, *(e[0] for e in c.log)] if t is not None]
    if changes and draw(st.integers(0, 4)) == 0:
        at = draw(st.sampled_from(changes))
        return at + timedelta(seconds=draw(st.sampled_from([-1, 0, 0, 1])))
    return start + timedelta(minutes=draw(st.integers(0, SLOT_DAYS * 24 * 60 - 1)))


def draw_channel(draw: Any, world: World, index: int) -> Channel:
    channel, kind = CHANNELS[index]
    mapped = draw(st.sets(st.sampled_from(KEYS), min_size=1))
    keys = tuple(k for k in KEYS if k in mapped)
    ch = Channel(f"ch{index + 1}", channel, kind, keys, draw(st.booleans()))
    for key in keys:
        if key in LAYOUTS and draw(st.booleans()):
            ch.layouts[key] = LAYOUTS[key]
    options = st.sampled_from(feasible_intents(world, keys))
    intents = [draw(options) for _ in range(draw(st.integers(0, 60)))]
    slot = timedelta(days=SLOT_DAYS)
    for i, intent in enumerate(intents):
        raw, status, target = ROW_MAKERS[intent](draw, world, keys)
        t = draw_time(draw, world, T0 + i * slot, target)
        direction = draw(st.sampled_from(["outbound", "outbound", "inbound", None]))
        case = draw_case(draw, world, target) if ch.has_case else None
        ch.rows.append(Row(f"{ch.name}-{i}", raw, t, direction, case, status, target))
    plant_duplicates(draw, ch)
    plant_redeliveries(draw, ch)
    for row in ch.rows:
        row.spelling = draw(SPELLINGS)
    ch.rows = draw(st.permutations(ch.rows))
    return ch


def ident(keys: tuple[str, ...], raw: dict[str, str | None]) -> str | None:
    """The identity key OC-IDN-007 groups on: the first usable key value, in trust order."""
    return next((v for k in keys if (v := usable(k, raw[k]))), None)


def plant_duplicates(draw: Any, ch: Channel) -> None:
    """The same interaction under another id: same key (maybe spelled differently), time
    (maybe written differently) and kind."""
    sources = [r for r in ch.rows if r.intent != "no_key"]
    for j in range(draw(st.integers(0, min(10, len(sources))))):
        src = draw(st.sampled_from(sources))
        raw = {k: revary(draw, k, v) for k, v in src.raw.items()}
        copy = Row(f"{ch.name}-d{j}", raw, src.t, src.direction, src.case, src.intent, src.target)
        ch.rows.append(copy)
        sources.append(copy)


def plant_redeliveries(draw: Any, ch: Channel) -> None:
    """Rows repeated under the same id, inside duplicate groups or not: OC-FLD-004, and
    no extra id for OC-IDN-007."""
    if not ch.rows:
        return
    for _ in range(draw(st.integers(0, 5))):
        src = draw(st.sampled_from(ch.rows))
        ch.rows.append(Row(**{**src.__dict__, "raw": dict(src.raw)}))


@st.composite
def worlds(draw: Any) -> World:
    n = draw(st.integers(2, 40))
    salt = draw(st.integers(0, 10**6))
    customers = [draw_customer(draw, i, salt) for i in range(n)]
    plant_master(draw, customers)
    second_source = draw(st.booleans())
    if second_source:
        plant_second_source(draw, customers)
    world = World(customers, second_source)
    world.has_log = draw(st.booleans())
    if world.has_log:
        for c in customers:
            draw_log(draw, c)
    if draw(st.integers(0, 3)) == 0:
        world.as_of = T0 + timedelta(days=draw(st.integers(0, 700)))
    for index in range(draw(st.integers(1, 3))):
        world.channels.append(draw_channel(draw, world, index))
    if draw(st.booleans()):
        draw_visits(draw, world)
    return world


def link_id(row: Row) -> str:
    return f"L-{row.iid}"


def draw_visits(draw: Any, world: World) -> None:
    """Web visits, each following a click in an e-mail of ch1 by up to five minutes, or
    carrying a link no e-mail has, or none; the web clock maybe shifted."""
    email = world.channels[0].rows
    shifts = [0, 0, -3 * 60, 2 * 60, 5 * 60 + 30, -45]
    world.visit_shift = timedelta(minutes=draw(st.sampled_from(shifts)))
    for i in range(draw(st.integers(0, 30))):
        choice = draw(st.sampled_from(["link", "link", "link", "broken", "none"]))
        if choice == "link" and email:
            row = draw(st.sampled_from(email))
            t = row.t + timedelta(seconds=draw(st.integers(0, 300))) + world.visit_shift
            world.visits.append((f"v{i}", link_id(row), t))
        else:
            t = T0 + timedelta(minutes=draw(st.integers(0, 600 * 24 * 60)))
            world.visits.append((f"v{i}", f"L-gone-{i}" if choice == "broken" else None, t))


# ------------------------------------------------------------------ expected findings
def resolve(world: World, row: Row) -> tuple[str, str | None]:
    """(status, customer): the first key in trust order owned by exactly one customer."""
    found = {k: usable(k, v) for k, v in row.raw.items()}
    owners = {k: world.n_owners(k, v) for k, v in found.items()}
    for k in KEYS:
        if owners.get(k) == 1:
            return "resolved", next(iter(world.owners[k][found[k]]))
    if any(2 <= o <= THRESHOLD for o in owners.values()):
        return "ambiguous", None
    if any(v is not None and owners[k] <= THRESHOLD for k, v in found.items()):
        return "orphan", None
    return "no_key", None


def dated_events(world: World, c: Customer) -> list[tuple[datetime, bool]]:
    """E-mail consent events known with a time, up to as_of: the master's dated flag and
    the log's events for e-mail or for every channel."""
    events = [] if c.consent is None or c.since is None else [(c.since, c.consent)]
    events += [(t, ok) for t, ch, ok in c.log if ch in ("email", None)] if world.has_log else []
    return [(t, ok) for t, ok in events if t <= world.as_of]


def state_at(events: list[tuple[datetime, bool]], t: datetime) -> bool | None:
    """The latest event at or before t; an opt-out wins a tie; None when there is none."""
    before = [e for e in events if e[0] <= t]
    if not before:
        return None
    latest = max(e[0] for e in before)
    return all(ok for at, ok in before if at == latest)


def source2_flag(c: Customer) -> bool | None:
    return {"true": True, "false": False}.get(c.source2)


def expect_consent_sources(world: World, out: Counter) -> None:
    """OC-CNS-002: per source, customers whose flag disagrees with the other source's flag
    or with the latest logged e-mail action up to as_of."""
    for source in ("master", "source2") if world.second_source else ("master",):
        n = 0
        for c in world.customers:
            mine, other = (
                (c.consent, source2_flag(c))
                if source == "master"
                else (
                    source2_flag(c),
                    c.consent,
                )
            )
            if mine is None:
                continue
            if world.second_source and other is not None and other != mine:
                n += 1
                continue
            log = [(t, ok) for t, ch, ok in c.log if ch in ("email", None) and t <= world.as_of]
            latest = state_at(log, world.as_of) if world.has_log else None
            n += latest is not None and latest != mine
        if n:
            out["OC-CNS-002", world.source_channel(source), "consent_email"] += n


def expect_master(world: World, out: Counter) -> None:
    """Per source of the master: identity conflicts (customers owning the conflicting
    values that this source has), placeholder or shared values (rows), keys that the
    two sources record differently for one customer id (customers), consent conflicts."""
    present: dict[tuple[str, str], set[str]] = defaultdict(set)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)  # (key, cid) -> sources
    for source, c, key, raw in world.cells():
        channel, value = world.source_channel(source), usable(key, raw)
        if value is not None:
            present[channel, key].add(value)
            sources[key, c.cid].add(channel)
        plain = norm(key, raw)
        shared = plain and (is_placeholder(key, plain) or world.n_owners(key, plain) > THRESHOLD)
        if shared and key != "customer_id":
            out["OC-IDN-006", channel, key] += 1
    for (channel, key), values in present.items():
        if key == "customer_id":
            continue
        owners = [world.n_owners(key, v) for v in values]
        out["OC-IDN-004", channel, key] += sum(n for n in owners if 2 <= n <= THRESHOLD)
        for cid in world.by_id:
            if len(sources[key, cid]) > 1 and len(world.pairs[cid][key]) > 1:
                out["OC-IDN-005", channel, key] += channel in sources[key, cid]
    expect_consent_sources(world, out)


def expect_keys(world: World, ch: Channel, row: Row, out: Counter) -> None:
    """Per key of one row: normalization-only joins, key mismatches, shared values."""
    owner = world.owners["customer_id"].get(usable("customer_id", row.raw.get("customer_id")))
    known = next(iter(owner)) if owner else None
    for key in ch.keys:
        if key == "customer_id":
            continue
        raw, value = row.raw[key], usable(key, row.raw[key])
        joins = value and 1 <= world.n_owners(key, value) <= THRESHOLD
        if joins and raw not in world.master_raws[key] and breaks(ch.layouts.get(key), raw):
            out["OC-IDN-003", ch.name, key] += 1
        mine = world.pairs[known][key] if known else None
        if value and mine and value not in mine:
            out["OC-IDN-005", ch.name, key] += 1
        plain = norm(key, raw)
        if plain and (is_placeholder(key, plain) or world.n_owners(key, plain) > THRESHOLD):
            out["OC-IDN-006", ch.name, key] += 1


def consent_findings(world: World, ch: Channel, row: Row, customer: str | None) -> str | None:
    """OC-CNS-001 for an outbound campaign whose latest dated consent event by then is an
    opt-out; OC-CNS-003 when only an undated flag says opted-out and no event is dated."""
    if ch.channel != "email" or row.direction != "outbound" or customer is None:
        return None
    if row.t > world.as_of:
        return None
    c = world.by_id[customer]
    events = dated_events(world, c)
    if state_at(events, row.t) is False:
        return "OC-CNS-001"
    undated_out = (c.consent is False and c.since is None) or (
        world.second_source and source2_flag(c) is False
    )
    if undated_out and not events:
        return "OC-CNS-003"
    return None


def expect_channel(world: World, ch: Channel, out: Counter) -> None:
    status_code = {"orphan": "OC-IDN-001", "no_key": "OC-IDN-002", "ambiguous": "OC-IDN-008"}
    ids: dict[tuple[str, datetime], set[str]] = defaultdict(set)
    for row in ch.rows:
        status, customer = resolve(world, row)
        if status in status_code:
            out[status_code[status], ch.name, None] += 1
        expect_keys(world, ch, row, out)
        key = ident(ch.keys, row.raw)
        if key is not None:
            ids[key, row.t].add(row.iid)
        code = consent_findings(world, ch, row, customer)
        if code:
            out[code, ch.name, None] += 1
    extra = sum(len(group) - 1 for group in ids.values())
    if extra:
        out["OC-IDN-007", ch.name, None] += extra


def expect_journeys(world: World, out: Counter) -> None:
    customers: dict[str, set[str]] = defaultdict(set)
    for ch in world.channels:
        for row in ch.rows:
            customer = resolve(world, row)[1]
            if row.case is not None and customer is not None:
                customers[row.case].add(customer)
    bad = {case for case, who in customers.items() if len(who) > 1}
    for ch in world.channels:
        for row in ch.rows:
            if row.case in bad:
                out["OC-JRN-001", ch.name, None] += 1


def expect_links(world: World, web: str, out: Counter) -> None:
    """OC-REF-002: visits whose link no e-mail has; OC-TIM-001: with ten linked pairs or
    more (an e-mail row repeated under its id counts twice), a shifted web clock."""
    ids = Counter(link_id(r) for r in world.channels[0].rows)
    pairs = 0
    for _vid, ref, _t in world.visits:
        if ref is not None and not ids[ref]:
            out["OC-REF-002", web, "ref_id"] += 1
        pairs += ids[ref] if ref else 0
    if pairs >= 10 and world.visit_shift:
        out["OC-TIM-001", web, None] += len(world.visits)


def expected_findings(world: World) -> dict[tuple[str, str, str | None], int]:
    out: Counter = Counter()
    expect_master(world, out)
    for ch in world.channels:
        expect_channel(world, ch, out)
    expect_journeys(world, out)
    if world.visits:
        expect_links(world, f"ch{len(project_feeds(world)) - 1}", out)
    return {k: v for k, v in out.items() if v}


# ------------------------------------------------------------------ writing the project
def to_csv(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buf.getvalue()


def stamp(t: datetime | None, spelling: str = "naive") -> str | None:
    """A UTC instant as the source writes it (naive times are read as UTC)."""
    if t is None:
        return None
    if spelling == "zulu":
        return t.strftime("%Y-%m-%dT%H:%M:%SZ")
    if spelling == "offset":
        return t.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S-03:00")
    return t.strftime("%Y-%m-%d %H:%M:%S")


def master_feed(world: World) -> dict[str, Any]:
    flags = {True: "S", False: "N", None: None}
    rows = [
        [c.cid, *(c.raw[k] for k in OTHER_KEYS), flags[c.consent], stamp(c.since)]
        for c in world.customers
    ]
    fields = {k: COLUMN[k] for k in KEYS}
    fields["customer_id"] = "id"
    fields["consent_email"] = {"column": "ok", "true_values": ["S"], "false_values": ["N"]}
    fields["consent_email_at"] = "since"
    return {
        "entity": "customer",
        "fields": fields,
        "source": {"delimiter": ","},
        "rows": to_csv(["id", "mail", "tel", "doc", "ok", "since"], rows),
    }


def channel_feed(ch: Channel) -> dict[str, Any]:
    fields = {"interaction_id": "id", "occurred_at": "t", "direction": "dir", "link_id": "link"}
    fields.update(
        {
            k: {"column": COLUMN[k], "layout": ch.layouts[k]} if k in ch.layouts else COLUMN[k]
            for k in ch.keys
        }
    )
    header = ["id", "t", "dir", "link"] + [COLUMN[k] for k in ch.keys]
    if ch.has_case:
        fields["case_id"] = "case"
        header.append("case")
    rows = []
    for r in ch.rows:
        row = [r.iid, stamp(r.t, r.spelling), r.direction, link_id(r)]
        row += [r.raw[k] for k in ch.keys]
        rows.append(row + ([r.case] if ch.has_case else []))
    return {
        "entity": "interaction",
        "fields": fields,
        "constants": {"channel": ch.channel, "kind": ch.kind},
        "source": {"delimiter": ","},
        "rows": to_csv(header, rows),
    }


def second_source_feed(world: World) -> dict[str, Any]:
    rows = [
        [c.cid, c.email2, None if c.source2 == "empty" else c.source2]
        for c in world.customers
        if c.source2 != "absent"
    ]
    return {
        "entity": "customer",
        "fields": {"customer_id": "id", "email": "mail", "consent_email": "subscribed"},
        "source": {"delimiter": ","},
        "rows": to_csv(["id", "mail", "subscribed"], rows),
    }


def log_feed(world: World) -> dict[str, Any]:
    rows = [
        [c.cid, ch, "opt_in" if ok else "opt_out", stamp(t)]
        for c in world.customers
        for t, ch, ok in c.log
    ]
    return {
        "entity": "consent_event",
        "fields": {"customer_id": "id", "channel": "ch", "action": "act", "occurred_at": "t"},
        "source": {"delimiter": ","},
        "rows": to_csv(["id", "ch", "act", "t"], rows),
    }


def project_feeds(world: World) -> list[dict[str, Any]]:
    feeds = [master_feed(world)] + [channel_feed(ch) for ch in world.channels]
    if world.second_source:
        feeds.append(second_source_feed(world))
    if world.has_log:
        feeds.append(log_feed(world))
    if world.visits:
        feeds.append(visits_feed(world))
    return feeds


def visits_feed(world: World) -> dict[str, Any]:
    return {
        "entity": "interaction",
        "fields": {
            "interaction_id": "id",
            "ref_id": {"column": "ref", "links": "ch1.link_id"},
            "occurred_at": "t",
        },
        "constants": {"channel": "web", "kind": "page_view"},
        "source": {"delimiter": ","},
        "rows": to_csv(["id", "ref", "t"], [[v, ref, stamp(t)] for v, ref, t in world.visits]),
    }


def project_settings(world: World) -> dict[str, Any]:
    settings = dict(PROJECT)
    if world.has_log:
        settings["contracts"] = ["builtin:customer", "builtin:interaction", "builtin:consent_event"]
    if world.as_of != FIXED_NOW:
        settings["policy"] = {"as_of": world.as_of.isoformat()}
    return settings


# ------------------------------------------------------------------ the property
def check_intent(world: World) -> None:
    """The generator's intent for every row agrees with the derivation (a test bug if not)."""
    for ch in world.channels:
        for row in ch.rows:
            assert resolve(world, row) == (row.intent, row.target), (ch.name, row)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_cross_channel_checks_find_exactly_the_planted_anomalies(world: World) -> None:
    check_intent(world)
    expected = expected_findings(world)
    feeds = project_feeds(world)
    for i, feed in enumerate(feeds):
        note(f"ch{i} ({feed['entity']}):\n{feed['rows']}")
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp) / "p", feeds=feeds, project=project_settings(world))
        result = omnicontract.validate(root, now=FIXED_NOW, show_pii=True)
    actual = {(f.code, f.channel, f.field): f.count for f in result.findings if f.code in CODES}
    note(f"findings: {[(f.code, f.channel, f.field, f.count, f.message) for f in result.findings]}")
    assert dict(sorted(actual.items(), key=str)) == dict(sorted(expected.items(), key=str))


def test_redelivery_inside_a_duplicate_group(tmp_path: Path) -> None:
    """A repeat under the same id is OC-FLD-004 only, even inside a group that also holds
    another id (m5, m5, m6: one extra id, not two). Kept as a fixed regression example."""
    root = write_project(
        tmp_path / "p",
        feeds=[
            {"entity": "customer", "fields": {"customer_id": "id"}, "rows": "id\nC1\n"},
            {
                "entity": "interaction",
                "fields": {
                    "interaction_id": "id",
                    "customer_id": "cid",
                    "occurred_at": {"column": "t", "timezone": "UTC"},
                },
                "constants": {"channel": "whatsapp", "kind": "message"},
                "rows": "id,cid,t\n"
                "m5,C1,2024-01-01 10:05:00\n"
                "m5,C1,2024-01-01 10:05:00\n"
                "m6,C1,2024-01-01 10:05:00\n",
            },
        ],
    )
    result = omnicontract.validate(root, now=FIXED_NOW, show_pii=True)
    counts = {f.code: f.count for f in result.findings if f.code in {"OC-IDN-007", "OC-FLD-004"}}
    assert counts == {"OC-FLD-004": 2, "OC-IDN-007": 1}
